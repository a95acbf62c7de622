import type { Bundle, Communication, Consent, Parameters, Task } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM, PURPOSE, type BasisInput } from '@ndi-mesh/kernel';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { createConsentRegistry, distributorOf } from '../src/definition.ts';
import { countryPolicyFrom } from '../src/domain/index.ts';
import { ACTOR_ROLE_SYSTEM } from '../src/fhir/codes.ts';
import { parseDecide } from '../src/fhir/decide-parameters.ts';
import { localBlockHost } from '../src/local/index.ts';
import { blockConsent, breakGlassRequest, decideRequest, decisions, revokeConsent, type RecordSpec } from './support/consents.ts';
import { identities } from './support/identities.ts';
import { codeOf, startCallers, startTestFederation, type Callers, type TestFederation } from './support/mesh.ts';

// Temporary revokes over HTTP (NSF-R12, NSF-R13): consent revokes, break-glass and its obligations,
// expiry, cancellation, and the local block service applying revokes it receives.
const ids = identities(8083_04);
const more = [identities(8083_05), identities(8083_06)];
const providerC = more[0]!.providerA;
let anchor: TestFederation;
let registry: TestService;
let liftsOptOut: TestService;
let target: () => TestService;
let callers: Callers;
let closeCallers: () => Promise<void>;

beforeAll(async () => {
  anchor = await startTestFederation();
  [registry, liftsOptOut] = await Promise.all([
    startTestService(createConsentRegistry({ NSF_DELIVERY_POLL_MS: '20' }), {}, { anchor, trustMarks: ['national-service'] }),
    startTestService(createConsentRegistry({ NSF_DISTRIBUTION: 'off', NSF_EMERGENCY_LIFTS_OPT_OUT: 'true' }), {}, { anchor, trustMarks: ['national-service'] }),
  ]);
  target = () => registry;
  ({ callers, close: closeCallers } = await startCallers(anchor, () => target().url!, ids));
}, 60_000);
afterAll(async () => {
  await closeCallers?.();
  await Promise.all([registry?.close(), liftsOptOut?.close()]);
  await anchor?.close();
});

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const DAY = 86_400_000;
const emergencyB: BasisInput = {
  organisation: { hsaId: ids.providerB },
  careUnit: { hsaId: ids.unitB1 },
  person: { hsaId: ids.doctorB },
  purposeOfUse: PURPOSE.emergency,
};
const recordOfA = (category = 'patient-summary'): RecordSpec => ({ owner: ids.providerA, careUnit: ids.unitA1, category });
const ask = (o: { patient?: typeof ids.patient; organisation?: string; purpose?: 'treatment' | 'emergency'; professional?: string }) =>
  decideRequest({
    patient: o.patient ?? ids.patient,
    organisation: o.organisation ?? ids.providerB,
    careUnit: ids.unitB1,
    ...(o.professional ? { professional: o.professional } : {}),
    purpose: o.purpose ?? 'treatment',
    records: [recordOfA()],
  });
const result = async (req: Parameters) => decisions((await callers.national.call('POST', '/$decide', req)).body)[0]!.result;
const blockA = async (patient = ids.patient, kind: 'care-provider' | 'seal' = 'care-provider') => {
  const res = await callers
    .access(patient)
    .call('POST', '/Consent', blockConsent({ kind, patient, ...(kind === 'care-provider' ? { owner: ids.providerA } : {}) }));
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body as Consent;
};

describe('consent revokes (NSF-R12)', () => {
  test("the patient's consent lifts the block for exactly the grantee; another organisation is still denied", async () => {
    const block = await blockA();
    expect(await result(ask({}))).toBe('deny');
    const created = await callers.access(ids.patient).call(
      'POST',
      '/Consent',
      revokeConsent({
        patient: ids.patient,
        grantee: { organisation: ids.providerB },
        blockIds: [block.id!],
        period: { end: inMs(7 * DAY) },
        reason: 'second opinion at B',
      }),
    );
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    const revoke = created.body as Consent;
    expect(revoke.performer).toEqual([{ type: 'Patient', identifier: ids.patient }]);
    expect(revoke.meta?.profile).toContain('https://ndi-mesh.se/fhir/StructureDefinition/consent-revoke');
    expect(revoke.provision?.period?.start).toBeDefined();

    expect(await result(ask({}))).toBe('permit');
    expect(await result(ask({ organisation: providerC }))).toBe('deny');
    const [asOwner] = decisions((await callers.providerA.call('POST', '/$decide', ask({}))).body);
    expect(asOwner!.trace).toContain(`NSF-R12 block=${block.id} revoke=${revoke.id}`);

    // Withdrawn by the patient: B is denied again. Provider A neither recorded nor was granted it.
    const byA = await callers.providerA.call('POST', `/Consent/${revoke.id}/$cancel`);
    expect([byA.status, codeOf(byA.body)]).toEqual([403, 'MESH-NSF-006']);
    const cancelled = await callers.access(ids.patient).call('POST', `/Consent/${revoke.id}/$cancel`);
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'inactive']);
    expect(await result(ask({}))).toBe('deny');
  });

  test('a care provider records the consent the patient gave in care; the record names who took it down', async () => {
    await blockA(ids.thirdPatient);
    const created = await callers.providerB.call(
      'POST',
      '/Consent',
      revokeConsent({
        patient: ids.thirdPatient,
        grantee: { organisation: ids.providerB, careUnit: ids.unitB1 },
        period: { end: inMs(DAY) },
        reason: 'consent given orally at the visit',
      }),
    );
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    expect(created.body.performer).toEqual([
      { type: 'Organization', identifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: ids.providerB } },
      { type: 'Practitioner', identifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: ids.doctorB } },
    ]);
    const audited = await registry.kernel.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM res_auditevent WHERE content::text LIKE $1 AND content::text LIKE $2`,
      [`%Consent/${created.body.id}%`, `%${ids.doctorB}%`],
    );
    expect(audited.rows[0]!.n).toBeGreaterThan(0);
    expect(await result(ask({ patient: ids.thirdPatient }))).toBe('permit');
    // Only the grantee's unit: another unit of B is still denied.
    const otherUnit = decideRequest({ patient: ids.thirdPatient, organisation: ids.providerB, purpose: 'treatment', records: [recordOfA()] });
    expect(await result(otherUnit)).toBe('deny');
  });

  test('a revoke cannot lift a seal (NSF-R8), a backdated or too long window is refused, and a reason is required', async () => {
    const seal = await blockA(ids.otherPatient, 'seal');
    const patient = callers.access(ids.otherPatient);
    const naming = await patient.call(
      'POST',
      '/Consent',
      revokeConsent({ patient: ids.otherPatient, grantee: { organisation: ids.providerB }, blockIds: [seal.id!], period: { end: inMs(DAY) }, reason: 'x' }),
    );
    expect([naming.status, codeOf(naming.body)]).toEqual([422, 'MESH-NSF-005']);
    const backdated = await patient.call(
      'POST',
      '/Consent',
      revokeConsent({
        patient: ids.otherPatient,
        grantee: { organisation: ids.providerB },
        period: { start: '2020-01-01T00:00:00Z', end: '2020-01-02T00:00:00Z' },
        reason: 'x',
      }),
    );
    expect([backdated.status, codeOf(backdated.body)]).toEqual([422, 'MESH-NSF-004']);
    const tooLong = await patient.call(
      'POST',
      '/Consent',
      revokeConsent({ patient: ids.otherPatient, grantee: { organisation: ids.providerB }, period: { end: inMs(31 * DAY) }, reason: 'x' }),
    );
    expect([tooLong.status, codeOf(tooLong.body)]).toEqual([422, 'MESH-NSF-004']);
    const noReason = await patient.call(
      'POST',
      '/Consent',
      revokeConsent({ patient: ids.otherPatient, grantee: { organisation: ids.providerB }, period: { end: inMs(DAY) } }),
    );
    expect([noReason.status, codeOf(noReason.body)]).toEqual([422, 'MESH-NSF-003']);

    // A general consent (no blocks named) lifts care blocks, never the seal on the patient's own view.
    const general = await patient.call(
      'POST',
      '/Consent',
      revokeConsent({ patient: ids.otherPatient, grantee: { organisation: ids.accessService }, period: { end: inMs(DAY) }, reason: 'x' }),
    );
    expect(general.status).toBe(201);
    const ownView = decideRequest({
      patient: ids.otherPatient,
      organisation: ids.accessService,
      purpose: 'patient-access',
      accessor: 'patient',
      records: [recordOfA()],
    });
    expect(await result(ownView)).toBe('deny');
  });
});

describe('break-glass (NSF-R13)', () => {
  test('refusals: no reason, a window over the limit, a purpose that is not emergency, a caller that is not a care provider', async () => {
    const noReason = await callers.providerB.call('POST', '/$break-glass', breakGlassRequest({ patient: ids.patient }), emergencyB);
    expect([noReason.status, codeOf(noReason.body)]).toEqual([422, 'MESH-NSF-003']);
    const tooLong = await callers.providerB.call(
      'POST',
      '/$break-glass',
      breakGlassRequest({ patient: ids.patient, reason: 'unconscious', end: inMs(9 * 3_600_000) }),
      emergencyB,
    );
    expect([tooLong.status, codeOf(tooLong.body)]).toEqual([422, 'MESH-NSF-004']);
    const treatment = await callers.providerB.call('POST', '/$break-glass', breakGlassRequest({ patient: ids.patient, reason: 'unconscious' }));
    expect([treatment.status, codeOf(treatment.body)]).toEqual([403, 'MESH-AUTH-004']);
    const access = await callers.access(ids.patient).call('POST', '/$break-glass', breakGlassRequest({ patient: ids.patient, reason: 'unconscious' }));
    expect([access.status, codeOf(access.body)]).toEqual([403, 'MESH-AUTH-003']);
  });

  test('a permit under break-glass: audited per use, the owner gets one follow-up Task, the patient one notice', async () => {
    const patient = more[0]!.patient;
    await blockA(patient);
    const emergencyAsk = ask({ patient, purpose: 'emergency', professional: ids.doctorB });
    expect(await result(emergencyAsk)).toBe('deny');

    const glass = await callers.providerB.call(
      'POST',
      '/$break-glass',
      breakGlassRequest({ patient, reason: 'unconscious in the emergency room' }),
      emergencyB,
    );
    if (glass.status !== 201) throw new Error(JSON.stringify(glass.body));
    const revoke = glass.body as Consent;
    expect(revoke.category?.[0]?.coding?.[0]?.code).toBe('emergency-revoke');
    expect(revoke.provision?.actor?.map((a) => a.reference?.identifier?.value)).toEqual([ids.providerB, ids.unitB1, ids.doctorB]);
    const windowMs = Date.parse(revoke.provision!.period!.end!) - Date.parse(revoke.provision!.period!.start!);
    expect(windowMs).toBe(60 * 60_000);

    const audits = async (like: string) =>
      (await registry.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM res_auditevent WHERE content->>'outcomeDesc' LIKE $1`, [like])).rows[0]!.n;
    expect(await audits(`$break-glass by ${ids.doctorB}%`)).toBeGreaterThanOrEqual(1);

    // Only under emergency purpose, and only for the professional who broke the glass.
    expect(await result(ask({ patient, professional: ids.doctorB }))).toBe('deny');
    expect(await result(ask({ patient, purpose: 'emergency', professional: more[1]!.doctorB }))).toBe('deny');

    const [asOwner] = decisions((await callers.providerA.call('POST', '/$decide', emergencyAsk)).body);
    expect(asOwner!.result).toBe('permit');
    expect(asOwner!.trace.some((t) => t.startsWith('NSF-R13') && t.includes(`revoke=${revoke.id}`))).toBe(true);
    expect(await result(emergencyAsk)).toBe('permit');
    expect(await audits(`break-glass use: revoke ${revoke.id}%`)).toBe(2);

    const tasks = (await callers.providerA.call('GET', `/Task?owner=${ids.providerA}`)).body as Bundle<Task>;
    const mine = (tasks.entry ?? []).map((e) => e.resource!).filter((t) => t.focus?.reference === `Consent/${revoke.id}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.status).toBe('requested');
    expect(mine[0]!.owner?.identifier?.value).toBe(ids.providerA);
    // Another provider reads only its own follow-up list, whatever it asks for.
    const asB = (await callers.providerB.call('GET', `/Task?owner=${ids.providerA}`)).body as Bundle<Task>;
    expect(asB.entry ?? []).toHaveLength(0);

    // The owner reviews the access, once (NSF-R13); nobody else may, and a finding of not justified says why.
    const reviewOf = `/Task/${mine[0]!.id}/$review`;
    const review = (outcome: string, note?: string) => ({
      resourceType: 'Parameters',
      parameter: [{ name: 'outcome', valueCode: outcome }, ...(note !== undefined ? [{ name: 'note', valueString: note }] : [])],
    });
    const refusals = [
      await callers.providerB.call('POST', reviewOf, review('justified')),
      await callers.national.call('POST', reviewOf, review('justified')),
      await callers.providerA.call('POST', reviewOf, review('not-justified', ' ')),
      await callers.providerA.call('POST', reviewOf, review('fine')),
    ];
    expect(refusals.map((r) => [r.status, codeOf(r.body)])).toEqual([
      [403, 'MESH-AUTH-005'],
      [403, 'MESH-AUTH-003'],
      [422, 'MESH-NSF-012'],
      [400, 'MESH-OP-001'],
    ]);
    const reviewed = await callers.providerA.call('POST', reviewOf, review('not-justified', 'the patient was conscious and could have been asked'));
    expect(reviewed.status).toBe(200);
    const done = reviewed.body as Task;
    expect([done.status, done.meta?.versionId, done.businessStatus?.coding?.[0]?.code]).toEqual(['completed', '2', 'not-justified']);
    expect(done.note?.at(-1)?.text).toBe('Not justified: the patient was conscious and could have been asked');
    // The reviewer is the professional in the owner's basis.
    expect(done.note?.at(-1)?.authorReference).toEqual({ type: 'Practitioner', identifier: { system: HSA_ID_SYSTEM, value: ids.doctorA } });
    expect(await audits('$review: not-justified')).toBe(1);
    const again = await callers.providerA.call('POST', reviewOf, review('justified'));
    expect([again.status, codeOf(again.body)]).toEqual([409, 'MESH-NSF-011']);
    const open = (await callers.providerA.call('GET', `/Task?owner=${ids.providerA}&status=requested`)).body as Bundle<Task>;
    expect((open.entry ?? []).map((e) => e.resource!.id)).not.toContain(mine[0]!.id);

    const notices = (await callers.access(patient).call('GET', '/Communication')).body as Bundle<Communication>;
    expect(notices.entry).toHaveLength(1);
    expect(notices.entry![0]!.resource!.about?.[0]?.reference).toBe(`Consent/${revoke.id}`);
    const others = (await callers.access(ids.otherPatient).call('GET', '/Communication')).body as Bundle<Communication>;
    expect(others.entry ?? []).toHaveLength(0);

    // The grantee gives the access back early; the record is denied again.
    const ended = await callers.providerB.call('POST', `/Consent/${revoke.id}/$cancel`);
    expect(ended.status).toBe(200);
    expect(await result(emergencyAsk)).toBe('deny');
  });

  test('the window closes by itself', async () => {
    const patient = more[0]!.otherPatient;
    await blockA(patient);
    const glass = await callers.providerB.call('POST', '/$break-glass', breakGlassRequest({ patient, reason: 'cardiac arrest', end: inMs(1500) }), emergencyB);
    expect(glass.status).toBe(201);
    const emergencyAsk = ask({ patient, purpose: 'emergency', professional: ids.doctorB });
    expect(await result(emergencyAsk)).toBe('permit');
    await new Promise((r) => setTimeout(r, 1600));
    expect(await result(emergencyAsk)).toBe('deny');
  });

  test('an opt-out stands against break-glass unless NSF_EMERGENCY_LIFTS_OPT_OUT allows it', async () => {
    const patient = more[0]!.thirdPatient;
    for (const service of [registry, liftsOptOut]) {
      target = () => service;
      try {
        expect((await callers.access(patient).call('POST', '/Consent', blockConsent({ kind: 'opt-out', patient }))).status).toBe(201);
        expect((await callers.providerB.call('POST', '/$break-glass', breakGlassRequest({ patient, reason: 'unconscious' }), emergencyB)).status).toBe(201);
        expect(await result(ask({ patient, purpose: 'emergency', professional: ids.doctorB }))).toBe(service === registry ? 'deny' : 'permit');
      } finally {
        target = () => registry;
      }
    }
  });
});

test('revokes reach the local block service through the same feed, and it lifts locally', async () => {
  const POLICY = { emergencyLiftsOptOut: false, countries: countryPolicyFrom({}) };
  const host = localBlockHost({ organisation: ids.providerA, nationalBase: `${registry.url}/fhir`, policy: POLICY });
  const local = await startTestService(host.definition, {}, { anchor, trustMarks: ['care-provider-system'], hsaId: ids.providerA });
  try {
    await host.local().subscribe(`${local.url}/fhir/$consent-notification`);
    const patient = more[1]!.patient;
    const block = await blockA(patient);
    const byB = parseDecide(ask({ patient }));
    const until = async (effect: string) => {
      const end = Date.now() + 10_000;
      while ((await host.local().decide(byB))[0]!.effect !== effect) {
        if (Date.now() > end) throw new Error(`the local copy never said ${effect}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await until('deny');
    const end = Date.now() + DAY;
    const revoke = await callers.access(patient).call(
      'POST',
      '/Consent',
      revokeConsent({
        patient,
        grantee: { organisation: ids.providerB },
        blockIds: [block.id!],
        period: { end: new Date(end).toISOString() },
        reason: 'referral to B',
      }),
    );
    expect(revoke.status).toBe(201);
    await until('permit');
    // The local copy applies the revoke's window with its own clock.
    expect((await host.local().decide(byB, end + 1))[0]!.effect).toBe('deny');
    await callers.access(patient).call('POST', `/Consent/${revoke.body.id}/$cancel`);
    await until('deny');
  } finally {
    await local.close();
  }
});

// NSF-R16 for revokes: a revoke names the blocks it lifts, so it goes to their owners only; a provider
// holding none of them would only learn from it that the patient has blocks elsewhere.
test("a revoke naming blocks reaches only their owners' feeds; one naming none reaches every provider's", async () => {
  const patient = more[0]!.patient;
  const block = await blockA(patient);
  const named = await callers
    .access(patient)
    .call(
      'POST',
      '/Consent',
      revokeConsent({ patient, grantee: { organisation: ids.providerB }, blockIds: [block.id!], period: { end: inMs(DAY) }, reason: 'referral to B' }),
    );
  const unnamed = await callers
    .access(patient)
    .call('POST', '/Consent', revokeConsent({ patient, grantee: { organisation: ids.providerB }, period: { end: inMs(DAY) }, reason: 'second opinion at B' }));
  // A revoke naming blocks at both A and B (for a third provider) reaches both, and is one version in the national feed.
  const atBBlock = await callers
    .access(patient)
    .call('POST', '/Consent', blockConsent({ kind: 'care-provider', patient, owner: ids.providerB, category: 'eprescription' }));
  const both = await callers.access(patient).call(
    'POST',
    '/Consent',
    revokeConsent({
      patient,
      grantee: { organisation: providerC },
      blockIds: [block.id!, atBBlock.body.id],
      period: { end: inMs(DAY) },
      reason: 'referral to C',
    }),
  );
  expect([named.status, unnamed.status, atBBlock.status, both.status]).toEqual([201, 201, 201, 201]);
  await callers.access(patient).call('POST', `/Consent/${named.body.id}/$cancel`);
  // Every stored version appended to the feed (the running dispatcher may hold some under its lease).
  const deadline = Date.now() + 10_000;
  for (;;) {
    await distributorOf(registry.app).drain();
    const { rows } = await registry.kernel.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE topic = 'resource.changed' AND delivered_at IS NULL`,
    );
    if (rows[0]!.n === 0) break;
    if (Date.now() > deadline) throw new Error('the change feed never caught up');
    await new Promise((r) => setTimeout(r, 25));
  }
  const feedOf = async (caller: (typeof callers)['providerA']) => {
    const res = await caller.call('GET', '/Consent/$changes?since=0&_count=1000');
    expect(res.status).toBe(200);
    return ((res.body as Bundle<Consent>).entry ?? []).map((e) => `${e.resource!.id}/${e.resource!.meta!.versionId}`);
  };
  const [atA, atB, national] = await Promise.all([feedOf(callers.providerA), feedOf(callers.providerB), feedOf(callers.national)]);
  const versions = (id: string) => [`${id}/1`, `${id}/2`].filter((v) => national.includes(v));
  // The named revoke and its cancellation (the tombstone) reach A, whose block it lifts, and not B.
  expect(versions(named.body.id)).toEqual([`${named.body.id}/1`, `${named.body.id}/2`]);
  expect(atA).toEqual(expect.arrayContaining(versions(named.body.id)));
  expect(atB.filter((v) => v.startsWith(`${named.body.id}/`))).toEqual([]);
  // The one naming no blocks lifts wherever B asks: every provider gets it.
  expect(atA).toContain(`${unnamed.body.id}/1`);
  expect(atB).toContain(`${unnamed.body.id}/1`);
  expect(atA).toContain(`${both.body.id}/1`);
  expect(atB).toContain(`${both.body.id}/1`);
  // A care provider's search finds the same revokes as its feed: those of its blocks and those for everyone.
  const searchOf = async (caller: (typeof callers)['providerA']) => {
    const res = await caller.call('GET', `/Consent?patient-identifier=${encodeURIComponent(`${patient.system}|${patient.value}`)}&_count=100`);
    expect(res.status).toBe(200);
    return ((res.body as Bundle<Consent>).entry ?? []).map((e) => e.resource!.id);
  };
  const [foundByA, foundByB] = await Promise.all([searchOf(callers.providerA), searchOf(callers.providerB)]);
  expect(foundByA).toEqual(expect.arrayContaining([named.body.id, unnamed.body.id, both.body.id]));
  expect(foundByB).toEqual(expect.arrayContaining([unnamed.body.id, both.body.id]));
  expect(foundByB).not.toContain(named.body.id);
  // The service records whom the revoke is for as owner actors; a client cannot set them.
  const owners = (c: Consent) => c.provision?.actor?.filter((a) => a.role?.coding?.some((x) => x.code === 'owner')).map((a) => a.reference?.identifier?.value);
  expect([owners(named.body), owners(unnamed.body), owners(both.body)]).toEqual([[ids.providerA], [], [ids.providerA, ids.providerB]]);
  const claimed = revokeConsent({ patient, grantee: { organisation: ids.providerB }, blockIds: [block.id!], period: { end: inMs(DAY) }, reason: 'referral' });
  claimed.provision!.actor!.push({
    role: { coding: [{ system: ACTOR_ROLE_SYSTEM, code: 'owner' }] },
    reference: { type: 'Organization', identifier: { system: HSA_ID_SYSTEM, value: ids.providerB } },
  });
  const stored = await callers.access(patient).call('POST', '/Consent', claimed);
  expect([stored.status, owners(stored.body)]).toEqual([201, [ids.providerA]]);
  // The national feed holds each version once.
  expect(national.filter((v) => v === `${both.body.id}/1`)).toHaveLength(1);
  expect(new Set(national).size).toBe(national.length);
});
