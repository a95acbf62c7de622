import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import { PURPOSE } from '@ndi-mesh/kernel';
import type { TestService } from '@ndi-mesh/kernel/testing';
import { LOCAL_SYSTEM, nextPatient, parameters } from '../domain/fixtures.ts';
import { ADDRESS_A, ADDRESS_B, DOCTOR, HOLDER_A, HOLDER_B, HOLDER_C, patientAccess, reportingFor, REQUESTER, treating } from '../support/actors.ts';
import { consentRevoke, optOut, outerBlockOf } from '../support/blocks.ts';
import { as, auditsAbout, code, startPdiMesh, unreachableUrl, untilReady, type PdiMesh } from '../support/mesh.ts';

// $locate against the real consent registry (the index decides on its copy of the block register,
// fed by the registry's pushes and change feed) and the catalogue's contract fixture (C1).
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
async function patientEverywhere(index?: TestService) {
  const patient = nextPatient();
  const report = async (name: string, hsaId: string, body: unknown) => {
    const res = await as(ehr[name]!, index ?? mesh.pdi, reportingFor(hsaId)).post('/fhir/$sharing-event', body);
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

const locate = (patient: { system: string; value: string }, type = 'patient-summary', basis = treating, caller?: TestService, index?: TestService) =>
  as(caller ?? requester, index ?? mesh.pdi, basis).get(`/fhir/$locate?patient=${encodeURIComponent(key(patient))}${type ? `&information-type=${type}` : ''}`);
const locations = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource as DocumentReference);
const custodians = (b: Bundle) => locations(b).map((d) => d.custodian?.identifier?.value);

/** The `$decide` calls the registry audited about the patient: none while the index decides on its copy. */
const registryDecides = async (patient: { system: string; value: string }) =>
  (await auditsAbout(mesh.registry, patient)).filter((a) => a.outcomeDesc?.startsWith('$decide'));
/** A care provider locating for treatment as itself. */
const treatingAt = (hsaId: string) => ({ ...reportingFor(hsaId), purposeOfUse: PURPOSE.treatment });

/** What may differ between two answers that say the same: ids, timestamps, and the patient asked about. */
function normalised(b: Bundle, patient: { system: string; value: string }): unknown {
  return JSON.parse(
    JSON.stringify(b)
      .replaceAll(patient.value, '<patient>')
      .replaceAll(encodeURIComponent(key(patient)), '<patient>'),
    (k, v) => (k === 'id' || k === 'lastUpdated' ? '<x>' : v),
  );
}

test('the requester gets each provider system holding data, with the catalogue endpoints, decided on the copy of the block register', async () => {
  const patient = await patientEverywhere();
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
  // PDI-L2: decided in the index, on its copy: the registry was not asked (it audits every $decide).
  expect(await registryDecides(patient)).toEqual([]);
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
  for (const owner of [HOLDER_A, HOLDER_B, HOLDER_C]) await mesh.register(blocked, outerBlockOf(blocked, owner));
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

test('PDI-L2: a block on one provider removes every trace of it, for every other provider but the requester the patient consents to', async () => {
  const patient = await patientEverywhere();
  const block = await mesh.register(patient, outerBlockOf(patient, HOLDER_B));
  const res = await locate(patient);
  expect(custodians(res.body)).toEqual([HOLDER_A, HOLDER_C].sort());
  expect(res.body.total).toBe(2);
  expect(JSON.stringify(res.body)).not.toContain(HOLDER_B);
  expect(JSON.stringify(res.body)).not.toContain(ADDRESS_B);
  // An outer block keeps out every other provider (NSF-R5)...
  const atA = await locate(patient, 'patient-summary', treatingAt(HOLDER_A), ehr.a);
  expect(custodians(atA.body)).toEqual([HOLDER_A, HOLDER_C].sort());
  // ...but not the holder itself from its own records.
  const own = await locate(patient, 'patient-summary', treatingAt(HOLDER_B), ehr.b);
  expect(custodians(own.body)).toContain(HOLDER_B);

  // A block names a requester only through the patient's consent (NSF-R12): it lifts the block for that organisation alone.
  await mesh.register(patient, consentRevoke(patient, REQUESTER, [block.id!], new Date(Date.now() + 86_400_000).toISOString()));
  expect(custodians((await locate(patient)).body)).toEqual([HOLDER_A, HOLDER_B, HOLDER_C].sort());
  expect(custodians((await locate(patient, 'patient-summary', treatingAt(HOLDER_A), ehr.a)).body)).toEqual([HOLDER_A, HOLDER_C].sort());
  expect(await registryDecides(patient)).toEqual([]);
});

test('opt-out: the patient outside national sharing is located for nobody but each provider itself', async () => {
  const patient = await patientEverywhere();
  await mesh.register(patient, optOut(patient));
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
  test('an index whose copy has not caught up (the registry cannot be reached) is not ready and answers 503 MESH-SRV-001, no data, audited', async () => {
    const index = await mesh.otherIndex({ CONSENT_URL: await unreachableUrl() });
    const patient = await patientEverywhere(index);
    const ready = await fetch(`${index.url}/ready`);
    expect(ready.status).toBe(503);
    const res = await locate(patient, 'patient-summary', treating, requester, index);
    expect(res.status).toBe(503);
    expect(code(res.body)).toBe('MESH-SRV-001');
    for (const trace of [HOLDER_A, HOLDER_B, HOLDER_C, ADDRESS_A]) expect(JSON.stringify(res.body)).not.toContain(trace);
    const audits = (await auditsAbout(index, patient)).filter((a) => a.outcomeDesc?.startsWith('$locate'));
    expect(audits.map((a) => a.outcome)).toEqual(['8']);
    // A patient with no entries has nothing to filter: answered, empty.
    const nobody = await locate(nextPatient(), 'patient-summary', treating, requester, index);
    expect([nobody.status, nobody.body.total]).toEqual([200, 0]);
  });

  test('a catalogue that cannot be reached gives 503 MESH-SRV-001 for a patient with entries, no data, audited', async () => {
    const index = await mesh.otherIndex({ CATALOGUE_URL: await unreachableUrl() });
    await untilReady(index);
    const patient = await patientEverywhere(index);
    const res = await locate(patient, 'patient-summary', treating, requester, index);
    expect(res.status).toBe(503);
    expect(code(res.body)).toBe('MESH-SRV-001');
    expect(JSON.stringify(res.body)).not.toContain(HOLDER_A);
    const audits = (await auditsAbout(index, patient)).filter((a) => a.outcomeDesc?.startsWith('$locate'));
    expect(audits.map((a) => a.outcome)).toEqual(['8']);
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

  test('patient access: an access service for its own patient only, care blocks notwithstanding; a care provider system never', async () => {
    const patient = await patientEverywhere();
    await mesh.register(patient, outerBlockOf(patient, HOLDER_B));
    expect(custodians((await locate(patient)).body)).toEqual([HOLDER_A, HOLDER_C].sort());
    const own = await locate(patient, 'patient-summary', patientAccess(patient), access);
    expect(own.status).toBe(200);
    // Asked as patient access, the patient's care block does not hide B from the patient (care and view blocks never meet).
    expect(custodians(own.body)).toEqual([HOLDER_A, HOLDER_B, HOLDER_C].sort());
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

const auditsFor = (patient: { system: string; value: string }) => auditsAbout(mesh.pdi, patient);
