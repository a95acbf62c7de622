import type { AuditEvent, Bundle, DocumentReference } from '@medplum/fhirtypes';
import { PURPOSE, TRUST_MARK } from '@ndi-mesh/kernel';
import type { TestService } from '@ndi-mesh/kernel/testing';
import { LOCAL_SYSTEM, nextPatient, parameters } from '../domain/fixtures.ts';
import { ADDRESS_A, ADDRESS_B, DOCTOR, HOLDER_A, HOLDER_B, HOLDER_C, patientAccess, reportingFor, REQUESTER, treating } from '../support/actors.ts';
import { as, code, startPdiMesh, type PdiMesh } from '../support/mesh.ts';

// $locate against contract fixtures of the catalogue (C1) and the consent registry (C3).
let mesh: PdiMesh;
const ehr: Record<string, TestService> = {};
let requester: TestService;
let access: TestService;
const key = (p: { system: string; value: string }) => `${p.system}|${p.value}`;

beforeAll(async () => {
  mesh = await startPdiMesh({
    providers: [
      { hsaId: HOLDER_A, name: 'Region A', endpoints: [{ address: ADDRESS_A, types: ['patient-summary', 'laboratory-results'] }] },
      { hsaId: HOLDER_B, name: 'Region B', endpoints: [{ address: ADDRESS_B, types: ['patient-summary'] }] },
    ],
  });
  for (const [name, hsaId] of [
    ['a', HOLDER_A],
    ['b', HOLDER_B],
    ['c', HOLDER_C],
  ] as const)
    ehr[name] = await mesh.caller(`ehr-${name}`, ['care-provider-system'], hsaId);
  requester = await mesh.caller('ehr-requester', ['care-provider-system'], REQUESTER);
  access = await mesh.caller('access', ['access-service']);
});
afterAll(async () => mesh?.close());

/** A patient with data at A (with a local id), B and C; and one ended entry at C's second system. */
async function patientEverywhere() {
  const patient = nextPatient();
  const report = async (name: string, hsaId: string, body: unknown) => {
    const res = await as(ehr[name]!, mesh.pdi, reportingFor(hsaId)).post('/fhir/$sharing-event', body);
    expect(res.status).toBe(200);
  };
  await report(
    'a',
    HOLDER_A,
    parameters({ patient, careProvider: HOLDER_A, system: 'https://ehr.region-a.example', localPatient: { system: LOCAL_SYSTEM, value: 'MRN-A1' } }),
  );
  await report('b', HOLDER_B, parameters({ patient, careProvider: HOLDER_B, system: 'https://ehr.region-b.example' }));
  await report('c', HOLDER_C, parameters({ patient, careProvider: HOLDER_C, system: 'https://ehr.region-c.example' }));
  await report(
    'c',
    HOLDER_C,
    parameters({ patient, careProvider: HOLDER_C, system: 'https://old.region-c.example', eventType: 'ended', endReason: 'record-closed' }),
  );
  return patient;
}

const locate = (patient: { system: string; value: string }, type = 'patient-summary', basis = treating, caller?: TestService) =>
  as(caller ?? requester, mesh.pdi, basis).get(`/fhir/$locate?patient=${encodeURIComponent(key(patient))}${type ? `&information-type=${type}` : ''}`);
const locations = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource as DocumentReference);
const custodians = (b: Bundle) => locations(b).map((d) => d.custodian?.identifier?.value);

/** What may differ between two answers that say the same: ids, timestamps, and the patient asked about. */
function normalised(b: Bundle, patient: { system: string; value: string }): unknown {
  return JSON.parse(
    JSON.stringify(b)
      .replaceAll(patient.value, '<patient>')
      .replaceAll(encodeURIComponent(key(patient)), '<patient>'),
    (k, v) => (k === 'id' || k === 'lastUpdated' ? '<x>' : v),
  );
}

test('the requester gets each provider system holding data, with the catalogue endpoints, in one consent call', async () => {
  const patient = await patientEverywhere();
  const before = mesh.consent.calls.length;
  const res = await locate(patient);
  expect(res.status).toBe(200);
  const bundle = res.body as Bundle;
  expect(bundle.type).toBe('searchset');
  expect(bundle.total).toBe(3);
  expect(custodians(bundle)).toEqual([HOLDER_A, HOLDER_B, HOLDER_C].sort());
  const a = locations(bundle).find((d) => d.custodian?.identifier?.value === HOLDER_A)!;
  expect(a).toMatchObject({
    status: 'current',
    subject: { identifier: patient },
    type: { coding: [{ code: 'patient-summary' }] },
    author: [{ type: 'Device', identifier: { value: 'https://ehr.region-a.example' } }],
    context: { sourcePatientInfo: { identifier: { system: LOCAL_SYSTEM, value: 'MRN-A1' } } },
    content: [{ attachment: { url: ADDRESS_A } }],
    custodian: { display: 'Region A' },
  });
  // The custodian reference resolves inside the Bundle, to the catalogue's Organization.
  const included = bundle.entry!.filter((e) => e.search?.mode === 'include');
  expect(included.map((e) => e.fullUrl)).toContain(a.custodian!.reference);
  expect(
    included
      .filter((e) => e.resource?.resourceType === 'Endpoint')
      .map((e) => (e.resource as { address: string }).address)
      .sort(),
  ).toEqual([ADDRESS_A, ADDRESS_B]);
  const c = locations(bundle).find((d) => d.custodian?.identifier?.value === HOLDER_C)!;
  expect(c.content).toEqual([{ attachment: { contentType: 'application/fhir+json' } }]);
  // PDI-L2: one $decide, one record per provider, the requester as the basis named it.
  expect(mesh.consent.calls.length).toBe(before + 1);
  const call = mesh.consent.calls.at(-1)!;
  expect(call.caller.trustMarks).toContain(TRUST_MARK.nationalService);
  const parts = call.body.parameter!;
  expect(parts.find((p) => p.name === 'purpose')?.valueCode).toBe('treatment');
  expect(parts.find((p) => p.name === 'requester')?.part).toEqual([
    { name: 'organization', valueIdentifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: REQUESTER } },
    { name: 'professional', valueIdentifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: DOCTOR } },
    { name: 'role', valueCode: 'doctor' },
  ]);
  expect(parts.filter((p) => p.name === 'record').map((r) => [r.part![0]!.valueIdentifier!.value, r.part![1]!.valueCode])).toEqual(
    [HOLDER_A, HOLDER_B, HOLDER_C].sort().map((h) => [h, 'patient-summary']),
  );
});

test('the catalogue is asked once for many providers and then served from its cache', async () => {
  const patient = await patientEverywhere();
  await locate(patient, 'laboratory-results');
  const after = mesh.catalogue.lookups.length;
  expect(mesh.catalogue.lookups.at(-1)!.getAll('organization')).toHaveLength(3);
  const again = await locate(patient, 'laboratory-results');
  expect(mesh.catalogue.lookups.length).toBe(after);
  const a = locations(again.body).find((d) => d.custodian?.identifier?.value === HOLDER_A)!;
  expect(a.content[0]!.attachment.url).toBe(ADDRESS_A);
});

test('PDI-L2: an answer filtered by blocks looks exactly like an answer with nothing to filter', async () => {
  const blocked = await patientEverywhere();
  for (const owner of [HOLDER_A, HOLDER_B, HOLDER_C]) mesh.consent.state.blocks.push({ patient: key(blocked), owner, requester: REQUESTER });
  const nobody = nextPatient();
  const filtered = await locate(blocked);
  const empty = await locate(nobody);
  expect(filtered.status).toBe(empty.status);
  expect(normalised(filtered.body, blocked)).toEqual(normalised(empty.body, nobody));
  expect(filtered.body.total).toBe(0);
  expect([...filtered.headers.keys()].filter((h) => !['date', 'x-request-id', 'content-length'].includes(h)).sort()).toEqual(
    [...empty.headers.keys()].filter((h) => !['date', 'x-request-id', 'content-length'].includes(h)).sort(),
  );
});

test('PDI-L2: a block on one provider removes every trace of it, and only for the requester it names', async () => {
  const patient = await patientEverywhere();
  mesh.consent.state.blocks.push({ patient: key(patient), owner: HOLDER_B, requester: REQUESTER });
  const res = await locate(patient);
  expect(custodians(res.body)).toEqual([HOLDER_A, HOLDER_C].sort());
  expect(res.body.total).toBe(2);
  expect(JSON.stringify(res.body)).not.toContain(HOLDER_B);
  expect(JSON.stringify(res.body)).not.toContain(ADDRESS_B);
  // The holder itself is not blocked from its own records.
  const own = await locate(patient, 'patient-summary', { ...reportingFor(HOLDER_B), purposeOfUse: PURPOSE.treatment }, ehr.b);
  expect(custodians(own.body)).toContain(HOLDER_B);
});

test('opt-out: the patient outside national sharing is located for nobody but each provider itself', async () => {
  const patient = await patientEverywhere();
  mesh.consent.state.optedOut.add(key(patient));
  const res = await locate(patient);
  expect(res.status).toBe(200);
  expect(res.body.total).toBe(0);
  const own = await locate(patient, 'patient-summary', { ...reportingFor(HOLDER_A), purposeOfUse: PURPOSE.emergency }, ehr.a);
  expect(custodians(own.body)).toEqual([HOLDER_A]);
});

test('ended entries are not located (PDI-L5)', async () => {
  const patient = await patientEverywhere();
  const res = await locate(patient, '');
  expect(locations(res.body).map((d) => d.author![0]!.identifier!.value)).not.toContain('https://old.region-c.example');
  expect(locations(res.body).every((d) => d.status === 'current' && d.type === undefined)).toBe(true);
});

describe('PDI-L3: fail closed', () => {
  afterEach(() => {
    mesh.consent.state.mode = 'ok';
  });

  test.each(['error', 'malformed', 'slow'] as const)('a consent registry that is %s gives 503 MESH-SRV-001, no data, and an audit record', async (mode) => {
    const patient = await patientEverywhere();
    mesh.consent.state.mode = mode;
    const res = await locate(patient);
    expect(res.status).toBe(503);
    expect(code(res.body)).toBe('MESH-SRV-001');
    expect(JSON.stringify(res.body)).not.toContain(HOLDER_A);
    const audits = await auditsFor(patient);
    expect(audits.map((a) => a.outcome)).toEqual(['8']);
  });

  test('a patient with no entries is answered without asking the registry (nothing to filter)', async () => {
    mesh.consent.state.mode = 'error';
    const res = await locate(nextPatient());
    expect([res.status, res.body.total]).toEqual([200, 0]);
  });
});

test('PDI-L4: the audit record names the requesting organisation, person, purpose and the patient', async () => {
  const patient = await patientEverywhere();
  await locate(patient);
  const [audit] = await auditsFor(patient);
  expect(audit).toBeDefined();
  expect(audit!.outcome).toBe('0');
  expect(audit!.subtype![0]!.code).toBe('operation');
  const who = audit!.agent.map((a) => a.who?.identifier?.value);
  expect(who).toEqual(expect.arrayContaining([requester.url, REQUESTER, DOCTOR]));
  expect(audit!.agent[0]!.purposeOfUse![0]!.coding![0]!.code).toBe(PURPOSE.treatment);
  expect(audit!.entity!.filter((e) => e.role?.code === '1').map((e) => e.what?.identifier)).toEqual([patient]);
});

describe('PDI-L1: who may locate', () => {
  test('an administrative purpose is refused by the route policy (403, audited)', async () => {
    const res = await locate(nextPatient(), 'patient-summary', reportingFor(REQUESTER));
    expect([res.status, code(res.body)]).toEqual([403, 'MESH-AUTH-004']);
  });

  test('patient access: an access service for its own patient only; a care provider system never', async () => {
    const patient = await patientEverywhere();
    const own = await locate(patient, 'patient-summary', patientAccess(patient), access);
    expect(own.status).toBe(200);
    expect(mesh.consent.calls.at(-1)!.body.parameter!.find((p) => p.name === 'accessor')?.valueCode).toBe('patient');
    const other = await locate(nextPatient(), 'patient-summary', patientAccess(patient), access);
    expect([other.status, code(other.body)]).toEqual([403, 'MESH-AUTH-004']);
    const ehrAsPatient = await locate(patient, 'patient-summary', { ...treating, purposeOfUse: PURPOSE.patientAccess, patient });
    expect([ehrAsPatient.status, code(ehrAsPatient.body)]).toEqual([403, 'MESH-AUTH-003']);
    const outcomes = (await auditsFor(patient)).map((a) => a.outcome);
    expect(outcomes).toContain('4');
  });

  test('bad parameters are refused with 400', async () => {
    const get = (q: string) => as(requester, mesh.pdi, treating).get(`/fhir/$locate?${q}`);
    expect(code((await get('patient=urn:oid:1.2.752.129.2.1.3.1|199309132381')).body)).toBe('MESH-ID-001');
    expect(code((await get('patient=199309132380')).body)).toBe('MESH-OP-001');
    expect(code((await get('patient=urn:oid:1.2.752.129.2.1.3.1|199309132380&information-type=x-rays')).body)).toBe('MESH-OP-001');
    expect(code((await get('patient=urn:oid:1.2.752.129.2.1.3.1|199309132380&_count=5')).body)).toBe('MESH-OP-001');
    expect((await get('patient=urn:oid:1.2.752.129.2.1.3.1|199309132380')).status).toBe(200);
  });

  test('without a token: 401', async () => {
    const res = await fetch(`${mesh.pdi.url}/fhir/$locate?patient=urn:oid:1.2.752.129.2.1.3.1|199309132380`);
    expect(res.status).toBe(401);
  });
});

async function auditsFor(patient: { system: string; value: string }): Promise<AuditEvent[]> {
  const { rows } = await mesh.pdi.kernel.db.query<{ content: AuditEvent }>(
    `SELECT content FROM res_auditevent WHERE content->'entity' @> $1::jsonb ORDER BY content->>'recorded'`,
    [JSON.stringify([{ what: { identifier: { system: patient.system, value: patient.value } } }])],
  );
  return rows.map((r) => r.content);
}
