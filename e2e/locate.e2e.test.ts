import type { AuditEvent, Bundle, BundleEntry, Consent, DocumentReference, Endpoint, Organization, Provenance } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM, PURPOSE, TokenRequestError } from '@ndi-mesh/kernel';
import type { TestService } from '@ndi-mesh/kernel/testing';
import { administering, cast, patientAccess, treating, type Person } from './support/actors.ts';
import { as, codeOf, startMesh, type Mesh, type Reply } from './support/mesh.ts';
import { decideQuestion, optOut, outerBlockOf, registration, sharingEvent } from './support/resources.ts';

// The locate story end to end over the real catalogue, consent registry and patient data index:
// no contract fixtures, every hop a real HTTP call with a real federation token.
const who = cast();
const ADDRESS_A = 'https://ehr.region-a.example/fhir/patient-summary';
const ADDRESS_B = 'https://ehr.region-b.example/fhir/patient-summary';
// One instant for every started event, so two answers about different patients can be compared whole.
const STARTED_AT = new Date(Date.now() - 3_600_000).toISOString();

let mesh: Mesh;
let ehrA: TestService;
let ehrB: TestService;
let access: TestService;
let supervisor: TestService;
const endpointOf: Record<string, Endpoint> = {};
const organizationOf: Record<string, Organization> = {};
let blockId: string;

beforeAll(async () => {
  mesh = await startMesh();
  [ehrA, ehrB, access, supervisor] = await Promise.all([
    mesh.system('ehr-region-a', ['care-provider-system'], who.providerA),
    mesh.system('ehr-region-b', ['care-provider-system'], who.providerB),
    mesh.system('access-service', ['access-service']),
    // Reads the national services' audit trails: a national service, as the audit policy requires.
    mesh.system('audit-supervisor', ['national-service']),
  ]);
}, 60_000);
afterAll(async () => mesh?.close());

const key = (p: Person) => `${p.system}|${p.value}`;
const clinicianA = treating(who.providerA, who.unitA, who.doctorA);
const clinicianB = treating(who.providerB, who.unitB, who.doctorB);
const locate = (patient: Person, system = ehrA, basis = clinicianA): Promise<Reply<Bundle>> =>
  as(system, mesh.pdi, basis).get(`/$locate?patient=${encodeURIComponent(key(patient))}&information-type=patient-summary`);
const report = (system: TestService, hsaId: string, name: string, body: unknown) =>
  as(system, mesh.pdi, administering(hsaId, name)).post('/$sharing-event', body);
const started = (patient: Person, careProvider: string, system: TestService) =>
  sharingEvent({ patient, careProvider, system: system.url!, eventType: 'started', occurredAt: STARTED_AT });

const matches = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource as DocumentReference);
const included = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'include');
const custodians = (b: Bundle) => matches(b).map((d) => d.custodian?.identifier?.value);
const sorted = (...xs: string[]) => [...xs].sort();

/** What may differ between two answers that say the same: generated ids, timestamps, and the patient asked about. */
function normalised(b: Bundle, patient: Person): unknown {
  const text = JSON.stringify(b)
    .replaceAll(encodeURIComponent(key(patient)), '<patient>')
    .replaceAll(patient.value, '<patient>');
  return JSON.parse(text, (k, v) => (k === 'id' || k === 'lastUpdated' || (k === 'fullUrl' && String(v).startsWith('urn:uuid:')) ? '<x>' : v));
}
const headerNames = (r: Reply) => [...r.headers.keys()].filter((h) => !['date', 'x-request-id', 'content-length', 'traceparent'].includes(h)).sort();

async function audits(service: TestService, patient: Person): Promise<AuditEvent[]> {
  const res = await as(supervisor, service).get(`/AuditEvent?patient-identifier=${encodeURIComponent(key(patient))}&_count=100`);
  expect(res.status).toBe(200);
  return ((res.body as Bundle).entry ?? []).map((e) => e.resource as AuditEvent);
}

test('1. each provider registers its organisation and its patient-summary endpoint in the catalogue, and only its own', async () => {
  for (const [system, hsaId, name, address] of [
    [ehrA, who.providerA, 'Region A', ADDRESS_A],
    [ehrB, who.providerB, 'Region B', ADDRESS_B],
  ] as const) {
    const res = await as(system, mesh.catalogue, administering(hsaId, name)).post('', registration({ hsaId, name, address, types: ['patient-summary'] }));
    if (res.status !== 200) throw new Error(`registration of ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    expect((res.body as Bundle).entry!.map((e) => e.response?.status?.slice(0, 3))).toEqual(['201', '201']);
    const org = (await fetch(`${mesh.catalogue.url}/fhir/Organization?identifier=${HSA_ID_SYSTEM}|${hsaId}&_revinclude=Endpoint:organization`).then((r) =>
      r.json(),
    )) as Bundle;
    organizationOf[hsaId] = org.entry!.find((e) => e.resource?.resourceType === 'Organization')!.resource as Organization;
    endpointOf[hsaId] = org.entry!.find((e) => e.resource?.resourceType === 'Endpoint')!.resource as Endpoint;
    expect(endpointOf[hsaId]!.address).toBe(address);
  }
  // NTK-R3: A's system writes A's entries only; writing B's organisation is refused...
  const foreign = await as(ehrA, mesh.catalogue, administering(who.providerA, 'Region A')).post('/Organization', {
    resourceType: 'Organization',
    identifier: [{ system: HSA_ID_SYSTEM, value: who.providerB }],
    active: true,
    name: 'Not Region A',
  });
  expect([foreign.status, codeOf(foreign.body)]).toEqual([403, 'MESH-AUTH-005']);
  // ...and its system cannot even get a token claiming to act for B (the trust mark binds its HSA-id).
  await expect(as(ehrA, mesh.catalogue, administering(who.providerB, 'Region B')).get('/Organization')).rejects.toBeInstanceOf(TokenRequestError);
});

test('2. both providers report started sharing events for the same patient to the index', async () => {
  for (const [system, hsaId, name] of [
    [ehrA, who.providerA, 'Region A'],
    [ehrB, who.providerB, 'Region B'],
  ] as const) {
    const res = await report(system, hsaId, name, started(who.patient, hsaId, system));
    expect([res.status, res.body.parameter?.[0]]).toEqual([200, { name: 'outcome', valueCode: 'applied' }]);
  }
  // The other two patients of the story: one only at A, one only at B.
  expect((await report(ehrA, who.providerA, 'Region A', started(who.onlyAtA, who.providerA, ehrA))).status).toBe(200);
  expect((await report(ehrB, who.providerB, 'Region B', started(who.optingOut, who.providerB, ehrB))).status).toBe(200);
  // PDI-R3: a provider reports only for itself.
  const forB = await report(ehrA, who.providerA, 'Region A', started(who.patient, who.providerB, ehrA));
  expect([forB.status, codeOf(forB.body)]).toEqual([403, 'MESH-AUTH-005']);
});

test("3. A's clinician locates the patient's summary: both providers, each with its endpoint from the real catalogue", async () => {
  const res = await locate(who.patient);
  expect(res.status).toBe(200);
  const bundle = res.body;
  expect(bundle.total).toBe(2);
  expect(sorted(...custodians(bundle).map(String))).toEqual(sorted(who.providerA, who.providerB));
  for (const [hsaId, address, system] of [
    [who.providerA, ADDRESS_A, ehrA],
    [who.providerB, ADDRESS_B, ehrB],
  ] as const) {
    const doc = matches(bundle).find((d) => d.custodian?.identifier?.value === hsaId)!;
    expect(doc).toMatchObject({
      status: 'current',
      subject: { identifier: { system: who.patient.system, value: who.patient.value } },
      type: { coding: [{ code: 'patient-summary' }] },
      author: [{ type: 'Device', identifier: { value: system.url } }],
      content: [{ attachment: { url: address } }],
    });
    // The custodian and the endpoint are the catalogue's own resources, included by their catalogue URLs.
    const org = included(bundle).find((e) => e.fullUrl === doc.custodian!.reference);
    expect(org?.resource).toMatchObject({ resourceType: 'Organization', id: organizationOf[hsaId]!.id, identifier: [{ system: HSA_ID_SYSTEM, value: hsaId }] });
    expect(doc.custodian!.reference).toBe(`${mesh.catalogue.url}/fhir/Organization/${organizationOf[hsaId]!.id}`);
    const ep = included(bundle).find((e: BundleEntry) => e.resource?.resourceType === 'Endpoint' && e.resource.id === endpointOf[hsaId]!.id);
    expect(ep?.fullUrl).toBe(`${mesh.catalogue.url}/fhir/Endpoint/${endpointOf[hsaId]!.id}`);
    expect((ep?.resource as Endpoint).address).toBe(address);
  }
});

test("4. the patient, through the access service, blocks all of provider B's data (an outer block)", async () => {
  const res = await as(access, mesh.consent, patientAccess(who.accessServiceOrg, who.patient)).post('/Consent', outerBlockOf(who.patient, who.providerB));
  if (res.status !== 201) throw new Error(`block refused: ${res.status} ${JSON.stringify(res.body)}`);
  const consent = res.body as Consent;
  blockId = consent.id!;
  // The registry pushes the change to the index, whose copy is current when it answers.
  await mesh.drain();
  expect(consent.status).toBe('active');
  expect(consent.performer).toEqual([{ type: 'Patient', identifier: { system: who.patient.system, value: who.patient.value } }]);
  expect(consent.meta?.profile).toContain('https://ndi-mesh.se/fhir/StructureDefinition/consent-care-provider-block');
  // The access service acts for its own patient only.
  const other = await as(access, mesh.consent, patientAccess(who.accessServiceOrg, who.patient)).post('/Consent', outerBlockOf(who.onlyAtA, who.providerA));
  expect([other.status, codeOf(other.body)]).toEqual([403, 'MESH-NSF-010']);
});

test('5. A no longer sees B, and the answer looks exactly like one where B never held data', async () => {
  const res = await locate(who.patient);
  expect(res.status).toBe(200);
  expect(res.body.total).toBe(1);
  expect(custodians(res.body)).toEqual([who.providerA]);
  const text = JSON.stringify(res.body);
  for (const trace of [who.providerB, ADDRESS_B, endpointOf[who.providerB]!.id!, organizationOf[who.providerB]!.id!, ehrB.url!])
    expect(text).not.toContain(trace);

  const onlyA = await locate(who.onlyAtA);
  expect(onlyA.status).toBe(200);
  expect(normalised(res.body, who.patient)).toEqual(normalised(onlyA.body, who.onlyAtA));
  expect(headerNames(res)).toEqual(headerNames(onlyA));

  // B itself is not blocked from its own data (NSF-R5 keeps out other providers)...
  const own = await locate(who.patient, ehrB, clinicianB);
  expect(sorted(...custodians(own.body).map(String))).toEqual(sorted(who.providerA, who.providerB));
  // ...and B, as the information owner, learns from the registry why A is denied: the block's trace.
  const owner = await as(ehrB, mesh.consent, clinicianB).post(
    '/$decide',
    decideQuestion({ patient: who.patient, requester: who.providerA, owner: who.providerB, category: 'patient-summary' }),
  );
  expect(owner.status).toBe(200);
  const decision = owner.body.parameter[0].part as { name: string; valueCode?: string; valueString?: string }[];
  expect(decision.find((p) => p.name === 'result')?.valueCode).toBe('deny');
  expect(decision.filter((p) => p.name === 'trace').map((p) => p.valueString)).toContain(`NSF-R5 block=${blockId}`);
});

test('6. a patient who opts out is located by another provider no more', async () => {
  const before = await locate(who.optingOut);
  expect(custodians(before.body)).toEqual([who.providerB]);

  const res = await as(access, mesh.consent, patientAccess(who.accessServiceOrg, who.optingOut)).post('/Consent', optOut(who.optingOut));
  if (res.status !== 201) throw new Error(`opt-out refused: ${res.status} ${JSON.stringify(res.body)}`);
  await mesh.drain();
  const asked = await as(supervisor, mesh.consent).get(`/$opt-out?patient=${encodeURIComponent(key(who.optingOut))}`);
  expect(asked.body.parameter).toEqual([{ name: 'optedOut', valueBoolean: true }]);

  // NSF-R4: another provider gets nothing, and nothing says why.
  const after = await locate(who.optingOut);
  expect(after.status).toBe(200);
  expect(after.body.total).toBe(0);
  expect(matches(after.body)).toEqual([]);
  expect(JSON.stringify(after.body)).not.toContain(who.providerB);
  // The provider holding the data still finds its own.
  const own = await locate(who.optingOut, ehrB, clinicianB);
  expect(custodians(own.body)).toEqual([who.providerB]);
});

test("7. the patient's own view, through the access service, still shows both providers", async () => {
  const res = await as(access, mesh.pdi, patientAccess(who.accessServiceOrg, who.patient)).get(
    `/$patient-view?patient=${encodeURIComponent(key(who.patient))}`,
  );
  expect(res.status).toBe(200);
  expect(sorted(...custodians(res.body).map(String))).toEqual(sorted(who.providerA, who.providerB));
  expect(matches(res.body).every((d) => d.status === 'current')).toBe(true);
  const events = included(res.body).map((e) => e.resource as Provenance);
  expect(events.map((p) => p.activity?.coding?.[0]?.code)).toEqual(['started', 'started']);
  // A care block never hides the patient's data from the patient: the registry, asked for patient access, permits B too.
  const own = await locate(who.patient, access, patientAccess(who.accessServiceOrg, who.patient));
  expect([own.status, sorted(...custodians(own.body).map(String))]).toEqual([200, sorted(who.providerA, who.providerB)]);
  // Acting for this patient, the access service cannot open another's view.
  const other = await as(access, mesh.pdi, patientAccess(who.accessServiceOrg, who.patient)).get(
    `/$patient-view?patient=${encodeURIComponent(key(who.onlyAtA))}`,
  );
  expect([other.status, codeOf(other.body)]).toEqual([403, 'MESH-AUTH-004']);
});

test("8. the index audits each locate with the requester's organisation and purpose; the registry audits each $decide it answers", async () => {
  const pdiTrail = await audits(mesh.pdi, who.patient);
  const locates = pdiTrail.filter((a) => a.outcomeDesc === '$locate');
  const byA = locates.filter((a) => a.agent.some((g) => g.who?.identifier?.value === who.providerA));
  // Steps 3 and 5, by A's clinician.
  expect(byA).toHaveLength(2);
  for (const a of byA) {
    expect(a.outcome).toBe('0');
    expect(a.agent.map((g) => g.who?.identifier?.value)).toEqual(expect.arrayContaining([ehrA.url, who.providerA, who.doctorA]));
    expect(a.agent[0]!.purposeOfUse?.[0]?.coding?.[0]?.code).toBe(PURPOSE.treatment);
    expect(a.entity?.filter((e) => e.role?.code === '1').map((e) => e.what?.identifier)).toEqual([{ system: who.patient.system, value: who.patient.value }]);
  }
  const view = pdiTrail.filter((a) => a.outcomeDesc === '$patient-view');
  expect(view.map((a) => a.agent[0]!.purposeOfUse?.[0]?.coding?.[0]?.code)).toEqual([PURPOSE.patientAccess]);

  const registryTrail = await audits(mesh.consent, who.patient);
  const decides = registryTrail.filter((a) => a.outcomeDesc?.startsWith('$decide'));
  // The index decided every locate on its copy of the block register: none of them asked the
  // registry. The one $decide is B's own question as the information owner (step 5).
  expect(decides.filter((a) => a.agent[0]!.who?.identifier?.value === mesh.pdi.url)).toEqual([]);
  expect(decides.filter((a) => a.agent.some((g) => g.who?.identifier?.value === who.providerB))).toHaveLength(1);
  expect(decides.map((a) => a.outcomeDesc)).toEqual(['$decide: 1 record(s), 1 denied']);
});

test('8b. through the access service a patient sees who accessed their data, and only their own audit', async () => {
  const asPatient = as(access, mesh.pdi, patientAccess(who.accessServiceOrg, who.patient));
  const own = await asPatient.get(`/AuditEvent?patient-identifier=${who.patient.system}|${who.patient.value}&_count=100`);
  expect(own.status).toBe(200);
  const events = (own.body.entry ?? []).map((e: { resource: { outcomeDesc?: string } }) => e.resource);
  expect(events.filter((a: { outcomeDesc?: string }) => a.outcomeDesc === '$locate').length).toBeGreaterThanOrEqual(2);
  // Asking for another patient's trail, or for everything, yields only this patient's records.
  const other = await asPatient.get(`/AuditEvent?patient-identifier=${who.onlyAtA.system}|${who.onlyAtA.value}`);
  expect(other.status).toBe(200);
  expect(other.body.entry ?? []).toEqual([]);
  const everything = await asPatient.get('/AuditEvent?_count=1000');
  for (const e of everything.body.entry ?? []) {
    const patients = e.resource.entity
      .filter((x: { role?: { code?: string } }) => x.role?.code === '1')
      .map((x: { what: { identifier: { value: string } } }) => x.what.identifier.value);
    expect(patients).toEqual([who.patient.value]);
  }
  // Reading a record by id is for national services only.
  const id = events[0].id;
  const byId = await asPatient.get(`/AuditEvent/${id}`);
  expect(byId.status).toBe(403);
});

test('9. the block is lifted, then B ends sharing: B leaves the locate answer on its own account', async () => {
  const cancel = await as(access, mesh.consent, patientAccess(who.accessServiceOrg, who.patient)).post(`/Consent/${blockId}/$cancel`, {
    resourceType: 'Parameters',
    parameter: [{ name: 'reason', valueString: 'I changed my mind.' }],
  });
  expect([cancel.status, cancel.body.status]).toEqual([200, 'inactive']);
  await mesh.drain();
  const lifted = await locate(who.patient);
  expect(sorted(...custodians(lifted.body).map(String))).toEqual(sorted(who.providerA, who.providerB));

  const ended = await report(
    ehrB,
    who.providerB,
    'Region B',
    sharingEvent({
      patient: who.patient,
      careProvider: who.providerB,
      system: ehrB.url!,
      eventType: 'ended',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      endReason: 'patient-moved',
    }),
  );
  expect([ended.status, ended.body.parameter?.[0]?.valueCode]).toEqual([200, 'applied']);

  const after = await locate(who.patient);
  expect(custodians(after.body)).toEqual([who.providerA]);
  expect(JSON.stringify(after.body)).not.toContain(ADDRESS_B);
  // The patient still sees that B held data, and why it stopped.
  const view = await as(access, mesh.pdi, patientAccess(who.accessServiceOrg, who.patient)).get(
    `/$patient-view?patient=${encodeURIComponent(key(who.patient))}`,
  );
  const atB = matches(view.body).find((d) => d.custodian?.identifier?.value === who.providerB)!;
  expect(atB.status).toBe('superseded');
  expect(
    included(view.body)
      .map((e) => (e.resource as Provenance).reason?.[0]?.coding?.[0]?.code)
      .filter(Boolean),
  ).toEqual(['patient-moved']);
});
