import type { Bundle, Consent } from '@medplum/fhirtypes';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { createConsentRegistry } from '../src/definition.ts';
import { blockConsent, decideRequest, decisions, type RecordSpec } from './support/consents.ts';
import { identities } from './support/identities.ts';
import { codeOf, startCallers, startTestFederation, type Callers, type TestFederation } from './support/mesh.ts';

const ids = identities(8083_01);
let anchor: TestFederation;
let registry: TestService;
let callers: Callers;
let closeCallers: () => Promise<void>;

beforeAll(async () => {
  anchor = await startTestFederation();
  registry = await startTestService(
    createConsentRegistry({ NSF_DISTRIBUTION: 'off', NSF_COUNTRY_POLICY: '{"FI":["patient-summary"]}' }),
    {},
    { anchor, trustMarks: ['national-service'] },
  );
  ({ callers, close: closeCallers } = await startCallers(anchor, () => registry.url!, ids));
}, 60_000);
afterAll(async () => {
  await closeCallers?.();
  await registry?.close();
  await anchor?.close();
});

const patient = () => callers.access(ids.patient);
const recordOfA = (category = 'patient-summary') => ({ owner: ids.providerA, careUnit: ids.unitA1, category });
const treatmentByB = (records: RecordSpec[] = [recordOfA()]) =>
  decideRequest({ patient: ids.patient, organisation: ids.providerB, purpose: 'treatment', records });

describe('registering blocks', () => {
  test('the patient blocks provider A through the access service; the registrant comes from the token', async () => {
    const res = await patient().call('POST', '/Consent', blockConsent({ kind: 'care-provider', patient: ids.patient, owner: ids.providerA }));
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    const consent = res.body as Consent;
    expect(consent.performer).toEqual([{ type: 'Patient', identifier: ids.patient }]);
    expect(consent.meta?.profile).toContain('https://ndi-mesh.se/fhir/StructureDefinition/consent-care-provider-block');
    expect(consent.provision?.period?.start).toBeDefined();
  });

  test('the access service registers only for the patient it authenticated', async () => {
    const res = await patient().call('POST', '/Consent', blockConsent({ kind: 'care-provider', patient: ids.otherPatient, owner: ids.providerA }));
    expect(res.status).toBe(403);
    expect(codeOf(res.body)).toBe('MESH-NSF-010');
  });

  test('a care provider registers blocks on its own data only', async () => {
    const own = await callers.providerA.call(
      'POST',
      '/Consent',
      blockConsent({ kind: 'care-provider', patient: ids.thirdPatient, owner: ids.providerA, category: 'laboratory-results' }),
    );
    expect(own.status).toBe(201);
    expect(own.body.performer).toEqual([
      { type: 'Organization', identifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: ids.providerA } },
      { type: 'Practitioner', identifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: ids.doctorA } },
    ]);
    const foreign = await callers.providerA.call('POST', '/Consent', blockConsent({ kind: 'care-provider', patient: ids.thirdPatient, owner: ids.providerB }));
    expect(foreign.status).toBe(403);
    expect(codeOf(foreign.body)).toBe('MESH-NSF-010');
  });

  test('bad personnummer, unknown identifier system, a period ending before it starts, a kind that does not fit: 4xx naming the problem', async () => {
    const badLuhn = await patient().call(
      'POST',
      '/Consent',
      blockConsent({
        kind: 'all-providers',
        patient: { ...ids.patient, value: ids.patient.value.slice(0, 11) + String((Number(ids.patient.value[11]) + 1) % 10) },
      }),
    );
    expect([badLuhn.status, codeOf(badLuhn.body)]).toEqual([400, 'MESH-ID-001']);
    const unknownSystem = await callers.national.call(
      'POST',
      '/Consent',
      blockConsent({ kind: 'all-providers', patient: { system: 'urn:oid:1.2.3', value: ids.patient.value } }),
    );
    expect(unknownSystem.status).toBe(422);
    expect(JSON.stringify(unknownSystem.body)).toMatch(/ndi-block-2|MESH-ID-004/);
    const backwards = await patient().call(
      'POST',
      '/Consent',
      blockConsent({ kind: 'all-providers', patient: ids.patient, period: { start: '2026-03-01', end: '2026-02-01' } }),
    );
    expect(backwards.status).toBe(422);
    expect(JSON.stringify(backwards.body)).toMatch(/period/i);
    const sameInstant = await patient().call(
      'POST',
      '/Consent',
      blockConsent({ kind: 'all-providers', patient: ids.patient, period: { start: '2026-03-01T10:00:00Z', end: '2026-03-01T10:00:00Z' } }),
    );
    expect(sameInstant.status).toBe(422);
    expect(codeOf(sameInstant.body)).toBe('MESH-NSF-001');
    const optOutForOne = await patient().call('POST', '/Consent', blockConsent({ kind: 'opt-out', patient: ids.patient, owner: ids.providerA }));
    expect(optOutForOne.status).toBe(422);
    expect(codeOf(optOutForOne.body)).toBe('MESH-NSF-002');
  });

  test("a patient cannot set a clinician's block of their own access", async () => {
    const res = await patient().call('POST', '/Consent', blockConsent({ kind: 'patient-access', patient: ids.patient, owner: ids.providerA, reason: 'no' }));
    expect(res.status).toBe(403);
    expect(codeOf(res.body)).toBe('MESH-NSF-010');
  });

  test('without a token: 401; with a trust mark this service does not serve: 403', async () => {
    const anonymous = await fetch(`${registry.url}/fhir/Consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(blockConsent({ kind: 'all-providers', patient: ids.patient })),
    });
    expect(anonymous.status).toBe(401);
    const res = await callers.noMark.call('POST', '/Consent', blockConsent({ kind: 'all-providers', patient: ids.patient }));
    expect(res.status).toBe(403);
    expect(codeOf(res.body)).toBe('MESH-AUTH-003');
  });
});

describe('$decide (C3)', () => {
  test('another provider is denied the blocked record and sees no trace; the owner and the operator see the trace', async () => {
    const asNational = decisions((await callers.national.call('POST', '/$decide', treatmentByB())).body);
    expect(asNational).toEqual([{ result: 'deny', trace: [] }]);
    const asOwner = await callers.providerA.call('POST', '/$decide', treatmentByB());
    expect(asOwner.status).toBe(200);
    const [owner] = decisions(asOwner.body);
    expect(owner!.result).toBe('deny');
    expect(owner!.trace.some((t) => t.startsWith('NSF-R5 block='))).toBe(true);
    const [operator] = decisions((await callers.operator.call('POST', '/$decide', treatmentByB())).body);
    expect(operator!.trace).toContain('NSF-R14');
  });

  test('the batch form answers one decision per record, in order', async () => {
    const records = [recordOfA(), { owner: ids.providerB, careUnit: ids.unitB1, category: 'patient-summary' }, recordOfA('eprescription')];
    const res = await callers.national.call('POST', '/$decide', treatmentByB(records));
    expect(res.status).toBe(200);
    expect(res.body.parameter.map((p: any) => p.part.find((x: any) => x.name === 'index').valueInteger)).toEqual([0, 1, 2]);
    expect(decisions(res.body).map((d) => d.result)).toEqual(['deny', 'permit', 'deny']);
  });

  test('the owner itself is not blocked from its own data (NSF-R5)', async () => {
    const req = decideRequest({ patient: ids.patient, organisation: ids.providerA, careUnit: ids.unitA2, purpose: 'treatment', records: [recordOfA()] });
    expect(decisions((await callers.providerA.call('POST', '/$decide', req)).body)[0]!.result).toBe('permit');
  });

  test('a care provider asks only about its own records', async () => {
    const res = await callers.providerB.call('POST', '/$decide', treatmentByB());
    expect(res.status).toBe(403);
    expect(codeOf(res.body)).toBe('MESH-AUTH-005');
  });

  test('cross-border: a country gets only what its policy lists (NSF-R11)', async () => {
    const req = (country: string, category: string) =>
      decideRequest({
        patient: ids.otherPatient,
        organisation: ids.providerB,
        purpose: 'treatment',
        country,
        records: [{ owner: ids.providerB, careUnit: ids.unitB1, category }],
      });
    expect(decisions((await callers.national.call('POST', '/$decide', req('FI', 'patient-summary'))).body)[0]!.result).toBe('permit');
    expect(decisions((await callers.national.call('POST', '/$decide', req('FI', 'laboratory-results'))).body)[0]!.result).toBe('deny');
    expect(decisions((await callers.national.call('POST', '/$decide', req('DE', 'patient-summary'))).body)[0]!.result).toBe('deny');
  });

  test('bad input: unknown patient identifier system, bad personnummer, no records, an invalid HSA-id', async () => {
    const base = treatmentByB();
    const withPatient = (identifier: object) => ({ ...base, parameter: [{ name: 'patient', valueIdentifier: identifier }, ...base.parameter!.slice(1)] });
    const unknown = await callers.national.call('POST', '/$decide', withPatient({ system: 'urn:oid:9.9', value: ids.patient.value }));
    expect([unknown.status, codeOf(unknown.body)]).toEqual([400, 'MESH-ID-004']);
    const badLuhn = await callers.national.call('POST', '/$decide', withPatient({ ...ids.patient, value: '191212121213' }));
    expect([badLuhn.status, codeOf(badLuhn.body)]).toEqual([400, 'MESH-ID-001']);
    const noRecords = await callers.national.call('POST', '/$decide', { ...base, parameter: base.parameter!.filter((p) => p.name !== 'record') });
    expect([noRecords.status, codeOf(noRecords.body)]).toEqual([400, 'MESH-OP-001']);
    const badOwner = await callers.national.call('POST', '/$decide', treatmentByB([{ owner: 'SE123', category: 'patient-summary' }]));
    expect([badOwner.status, codeOf(badOwner.body)]).toEqual([400, 'MESH-ID-003']);
  });

  test('a record asked without its care unit is decided for the worst case: a unit-narrowed block still binds', async () => {
    const created = await callers.providerB.call(
      'POST',
      '/Consent',
      blockConsent({ kind: 'care-provider', patient: ids.thirdPatient, owner: ids.providerB, units: [ids.unitB1] }),
    );
    expect(created.status).toBe(201);
    const ask = (careUnit?: string) =>
      decideRequest({
        patient: ids.thirdPatient,
        organisation: ids.providerA,
        purpose: 'treatment',
        records: [{ owner: ids.providerB, ...(careUnit ? { careUnit } : {}), category: 'discharge-report' }],
      });
    expect(decisions((await callers.national.call('POST', '/$decide', ask())).body)[0]!.result).toBe('deny');
    expect(decisions((await callers.national.call('POST', '/$decide', ask(ids.unitB1))).body)[0]!.result).toBe('deny');
  });

  test('every call writes one AuditEvent with the patient', async () => {
    const count = async () =>
      (
        await registry.kernel.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM res_auditevent WHERE content->>'outcomeDesc' LIKE '$decide%' AND sp_patient_identifier && $1::text[]`,
          [[`${ids.patient.system}|${ids.patient.value}`]],
        )
      ).rows[0]!.n;
    const before = await count();
    await callers.national.call('POST', '/$decide', treatmentByB([recordOfA(), recordOfA('eprescription')]));
    expect(await count()).toBe(before + 1);
  });
});

describe('$opt-out (C3)', () => {
  test('false until the patient opts out, then true; national services only', async () => {
    const ask = () => callers.national.call('GET', `/$opt-out?patient=${encodeURIComponent(`${ids.otherPatient.system}|${ids.otherPatient.value}`)}`);
    expect((await ask()).body.parameter).toEqual([{ name: 'optedOut', valueBoolean: false }]);
    const created = await callers.access(ids.otherPatient).call('POST', '/Consent', blockConsent({ kind: 'opt-out', patient: ids.otherPatient }));
    expect(created.status).toBe(201);
    expect((await ask()).body.parameter).toEqual([{ name: 'optedOut', valueBoolean: true }]);
    const provider = await callers.providerA.call('GET', `/$opt-out?patient=${encodeURIComponent(`${ids.otherPatient.system}|${ids.otherPatient.value}`)}`);
    expect([provider.status, codeOf(provider.body)]).toEqual([403, 'MESH-AUTH-003']);
    const bad = await callers.national.call('GET', `/$opt-out?patient=${encodeURIComponent(`${ids.otherPatient.system}|191212121213`)}`);
    expect([bad.status, codeOf(bad.body)]).toEqual([400, 'MESH-ID-001']);
  });
});

describe('searching and cancelling', () => {
  test("the access service sees only its patient's blocks; a care provider only its own and the general ones", async () => {
    await callers
      .access(ids.otherPatient)
      .call('POST', '/Consent', blockConsent({ kind: 'all-providers', patient: ids.otherPatient, category: 'medical-imaging' }));
    const mine = (await patient().call('GET', '/Consent')).body as Bundle<Consent>;
    expect(mine.entry!.length).toBeGreaterThan(0);
    expect(mine.entry!.every((e) => e.resource!.patient!.identifier!.value === ids.patient.value)).toBe(true);
    const asB = (await callers.providerB.call('GET', '/Consent?status=active')).body as Bundle<Consent>;
    const owners = asB.entry!.map(
      (e) => e.resource!.provision?.actor?.find((a) => a.role?.coding?.[0]?.code === 'owner')?.reference?.identifier?.value ?? 'all-providers',
    );
    expect(owners.length).toBeGreaterThan(0);
    expect(owners.every((o) => o === ids.providerB || o === 'all-providers')).toBe(true);
    expect(owners).toContain('all-providers');
  });

  test("a provider may not cancel the patient's own block; the patient may; a cancelled block is history, and no longer binds", async () => {
    const created = (await patient().call('POST', '/Consent', blockConsent({ kind: 'care-provider', patient: ids.patient, owner: ids.providerB })))
      .body as Consent;
    const recordOfB = { owner: ids.providerB, careUnit: ids.unitB1, category: 'patient-summary' };
    const byA = decideRequest({ patient: ids.patient, organisation: ids.providerA, purpose: 'treatment', records: [recordOfB] });
    expect(decisions((await callers.national.call('POST', '/$decide', byA)).body)[0]!.result).toBe('deny');

    const byProvider = await callers.providerB.call('POST', `/Consent/${created.id}/$cancel`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'reason', valueString: 'we think not' }],
    });
    expect([byProvider.status, codeOf(byProvider.body)]).toEqual([403, 'MESH-NSF-006']);
    const byOperatorWithoutReason = await callers.operator.call('POST', `/Consent/${created.id}/$cancel`);
    expect([byOperatorWithoutReason.status, codeOf(byOperatorWithoutReason.body)]).toEqual([422, 'MESH-NSF-008']);

    const cancelled = await patient().call('POST', `/Consent/${created.id}/$cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('inactive');
    expect(cancelled.body.meta.versionId).toBe('2');
    const again = await patient().call('POST', `/Consent/${created.id}/$cancel`);
    expect([again.status, codeOf(again.body)]).toEqual([409, 'MESH-NSF-007']);

    expect(decisions((await callers.national.call('POST', '/$decide', byA)).body)[0]!.result).toBe('permit');
    const history = (await callers.national.call('GET', `/Consent/${created.id}/_history`)).body as Bundle<Consent>;
    expect(history.entry!.map((e) => e.resource!.status).sort()).toEqual(['active', 'inactive']);
  });

  test('only the operator marks a block entered-in-error, with a reason', async () => {
    const created = (await patient().call('POST', '/Consent', blockConsent({ kind: 'seal', patient: ids.patient }))).body as Consent;
    const byPatient = await patient().call('POST', `/Consent/${created.id}/$cancel`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'status', valueCode: 'entered-in-error' }],
    });
    expect([byPatient.status, codeOf(byPatient.body)]).toEqual([403, 'MESH-NSF-006']);
    const byOperator = await callers.operator.call('POST', `/Consent/${created.id}/$cancel`, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'status', valueCode: 'entered-in-error' },
        { name: 'reason', valueString: 'registered on the wrong patient (case 4711)' },
      ],
    });
    expect(byOperator.status).toBe(200);
    expect(byOperator.body.status).toBe('entered-in-error');
  });

  test('reads by id are for national services; a care provider is refused', async () => {
    const created = (await patient().call('POST', '/Consent', blockConsent({ kind: 'all-providers', patient: ids.patient, category: 'eprescription' })))
      .body as Consent;
    expect((await callers.national.call('GET', `/Consent/${created.id}`)).status).toBe(200);
    const res = await callers.providerA.call('GET', `/Consent/${created.id}`);
    expect([res.status, codeOf(res.body)]).toEqual([403, 'MESH-AUTH-003']);
  });
});
