import type { ServiceDefinition } from '../src/service.ts';
import { PERSONNUMMER_SYSTEM, syntheticPersonnummer } from '../src/identifiers/index.ts';
import { startTestService, type TestService } from '../src/testing/index.ts';
import { createPatient, personalPatients } from './support/personal-data.ts';

// A service whose resources are personal data: every read of them must leave an AuditEvent,
// committed before the answer is sent (see audit-read-release.test.ts), findable by the
// patient, the agent and the date.
const personal: ServiceDefinition = {
  name: 'audit-test',
  title: 'Audit test',
  description: 'A kernel service holding personal data',
  defaultPort: 0,
  resourceTypes: [personalPatients(['read', 'vread', 'search-type', 'create', 'update', 'delete', 'history-instance'])],
};

let svc: TestService;
const pnr = syntheticPersonnummer();
let id: string;
beforeAll(async () => {
  svc = await startTestService(personal);
  id = await createPatient(svc, pnr, 'Testsson');
});
afterAll(async () => svc?.close());

const auditsFor = async (q: string) => (await svc.http.get(`/fhir/AuditEvent?patient-identifier=${PERSONNUMMER_SYSTEM}|${pnr}&${q}`).expect(200)).body;

test('a read is audited with the patient, the interaction and the resource', async () => {
  await svc.http.get(`/fhir/Patient/${id}`).expect(200);
  const bundle = await auditsFor('subtype=read');
  expect(bundle.total).toBe(1);
  const event = bundle.entry[0].resource;
  expect(event.action).toBe('R');
  expect(event.outcome).toBe('0');
  expect(event.entity).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ what: { reference: `Patient/${id}` } }),
      expect.objectContaining({ what: { identifier: { system: PERSONNUMMER_SYSTEM, value: pnr } }, role: expect.objectContaining({ code: '1' }) }),
    ]),
  );
});

test('a search is audited once, with its query and every patient it returned', async () => {
  await svc.http.get('/fhir/Patient?family=tests').expect(200);
  const bundle = await auditsFor('subtype=search-type');
  expect(bundle.total).toBe(1);
  const query = bundle.entry[0].resource.entity.find((e: { query?: string }) => e.query).query;
  expect(Buffer.from(query, 'base64').toString()).toBe('family=tests');
});

test('the create and every later version are audited; audits are found by date and agent', async () => {
  await svc.http.get(`/fhir/Patient/${id}/_history/1`).expect(200);
  expect((await auditsFor('subtype=create')).total).toBe(1);
  expect((await auditsFor('subtype=vread')).total).toBe(1);
  expect((await auditsFor('date=ge2020-01-01&date=le2100-01-01')).total).toBeGreaterThanOrEqual(4);
  expect((await auditsFor('date=lt2020-01-01')).total).toBe(0);
});

test('a refused read writes no record of an access that did not happen', async () => {
  const before = (await auditsFor('subtype=read')).total;
  await svc.http.get('/fhir/Patient/unknown-id').expect(404);
  expect((await auditsFor('subtype=read')).total).toBe(before);
});

test('audit records cannot be changed through the API', async () => {
  const event = (await auditsFor('subtype=read')).entry[0].resource;
  await svc.http.put(`/fhir/AuditEvent/${event.id}`).set('content-type', 'application/fhir+json').send(JSON.stringify(event)).expect(405);
  await svc.http.delete(`/fhir/AuditEvent/${event.id}`).expect(405);
});

test('a deletion keeps its version in history, answers 410 after, and is audited with the patient it concerned', async () => {
  const other = syntheticPersonnummer();
  const created = await svc.http
    .post('/fhir/Patient')
    .set('content-type', 'application/fhir+json')
    .send(JSON.stringify({ resourceType: 'Patient', identifier: [{ system: PERSONNUMMER_SYSTEM, value: other }] }))
    .expect(201);
  const del = await svc.http.delete(`/fhir/Patient/${created.body.id}`).expect(204);
  expect(del.headers.etag).toBe('W/"2"');
  await svc.http.get(`/fhir/Patient/${created.body.id}`).expect(410);
  const history = await svc.http.get(`/fhir/Patient/${created.body.id}/_history`).expect(200);
  expect(history.body.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual(['DELETE', 'POST']);
  const audit = await svc.http.get(`/fhir/AuditEvent?patient-identifier=${PERSONNUMMER_SYSTEM}|${other}&subtype=delete`).expect(200);
  expect(audit.body.total).toBe(1);
  expect(audit.body.entry[0].resource.action).toBe('D');
  expect(audit.body.entry[0].resource.entity[0].what.reference).toBe(`Patient/${created.body.id}/_history/2`);
  // Deleting again changes nothing.
  await svc.http.delete(`/fhir/Patient/${created.body.id}`).expect(204);
  expect((await svc.http.get(`/fhir/Patient/${created.body.id}/_history`)).body.entry).toHaveLength(2);
});

test('the patient and agent identifiers are searched as system|value only (their rows keep just that key)', async () => {
  await svc.http.get(`/fhir/Patient/${id}`).expect(200);
  expect((await auditsFor('subtype=read')).total).toBeGreaterThan(0);
  for (const q of [`patient-identifier=${pnr}`, `patient-identifier=${PERSONNUMMER_SYSTEM}|`, `agent-identifier=${PERSONNUMMER_SYSTEM}|,${pnr}`]) {
    const res = await svc.http.get(`/fhir/AuditEvent?${q}`).expect(400);
    expect(res.body.issue[0].details.coding[0].code).toBe('MESH-SEARCH-002');
    expect(res.body.issue[0].diagnostics).toMatch(/<system>\|<value>/);
  }
  const { rows } = await svc.kernel.db.query<{ keys: string[] }>(
    'SELECT sp_patient_identifier AS keys FROM res_auditevent WHERE sp_patient_identifier IS NOT NULL LIMIT 1',
  );
  expect(rows[0]!.keys).toEqual([`${PERSONNUMMER_SYSTEM}|${pnr}`]);
});
