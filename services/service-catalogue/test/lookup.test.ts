import type { Bundle, BundleEntry, Endpoint, OperationOutcome, Organization } from '@medplum/fhirtypes';
import { endpoint, organization } from './fixtures.ts';
import { FHIR, issueCode, useFederatedCatalogue } from './support/federated-catalogue.ts';

// NTK-R13, contract C1: Endpoint/$lookup answers "the endpoints of organisation X for information
// type Y valid at T" in one request, without a token.
const HSA = 'urn:oid:1.2.752.129.2.1.4.1';
const catalogue = useFederatedCatalogue();

const { post, put } = catalogue;
const code = issueCode;
const hsaOf = (o: Organization) => o.identifier![0]!.value!;
const ids = (b: Bundle, mode: 'match' | 'include') => (b.entry ?? []).filter((e: BundleEntry) => e.search?.mode === mode).map((e) => e.resource!.id);
const lookup = async (q: string) => (await catalogue.publicHttp().get(`/fhir/Endpoint/$lookup?${q}`).expect(200)).body as Bundle;

let north: Organization;
let south: Organization;
let empty: Organization;
let summary: Endpoint;
let scheduled: Endpoint;
let retiring: Endpoint;
beforeAll(async () => {
  north = (await post('/fhir/Organization', organization('Region Nord')).expect(201)).body;
  south = (await post('/fhir/Organization', organization('Region Syd')).expect(201)).body;
  empty = (await post('/fhir/Organization', organization('Utan API')).expect(201)).body;
  summary = (await post('/fhir/Endpoint', endpoint(north.id!, 'patient-summary')).expect(201)).body;
  await post('/fhir/Endpoint', endpoint(north.id!, 'laboratory-results')).expect(201);
  await post('/fhir/Endpoint', { ...endpoint(north.id!, 'eprescription', 'off') }).expect(201);
  // South replaces its patient-summary API on 2030-01-01: the old one ends that day (inclusive), the new one starts the next.
  retiring = (await post('/fhir/Endpoint', { ...endpoint(south.id!, 'patient-summary'), period: { end: '2029-12-31' } }).expect(201)).body;
  scheduled = (
    await post('/fhir/Endpoint', { ...endpoint(south.id!, 'patient-summary'), address: 'https://ny.syd.example/r4', period: { start: '2030-01-01' } }).expect(
      201,
    )
  ).body;
});

test('one organisation, one type: the matching endpoint and its organisation included', async () => {
  const b = await lookup(`organization=${HSA}|${hsaOf(north)}&information-type=patient-summary`);
  expect(b.type).toBe('searchset');
  expect(ids(b, 'match')).toEqual([summary.id]);
  expect(ids(b, 'include')).toEqual([north.id]);
  expect(b.total).toBe(1);
});

test('many organisations in one request; one without such an endpoint contributes nothing', async () => {
  const b = await lookup(
    `organization=${HSA}|${hsaOf(north)}&organization=${HSA}|${hsaOf(south)}&organization=${HSA}|${hsaOf(empty)}&information-type=patient-summary&at=2026-06-01T00:00:00Z`,
  );
  expect(ids(b, 'match').sort()).toEqual([summary.id, retiring.id].sort());
  expect(ids(b, 'include').sort()).toEqual([north.id, south.id].sort());
});

test('the validity period decides, at the instant asked for (the end date is inclusive)', async () => {
  const at = async (t: string) => ids(await lookup(`organization=${HSA}|${hsaOf(south)}&information-type=patient-summary&at=${t}`), 'match');
  expect(await at('2029-12-31T23:59:59Z')).toEqual([retiring.id]);
  expect(await at('2030-01-01T00:00:00Z')).toEqual([scheduled.id]);
  expect(await at('2031-05-01')).toEqual([scheduled.id]);
  // Without `at`: now, when the old one is valid and the new one not yet.
  expect(ids(await lookup(`organization=${HSA}|${hsaOf(south)}&information-type=patient-summary`), 'match')).toEqual([retiring.id]);
});

test('only active endpoints, only the type asked for; a change shows at once', async () => {
  expect(ids(await lookup(`organization=${HSA}|${hsaOf(north)}&information-type=eprescription`), 'match')).toEqual([]);
  expect(
    ids(await lookup(`organization=${HSA}|${hsaOf(north)}&information-type=https://ndi-mesh.se/fhir/CodeSystem/information-type|laboratory-results`), 'match'),
  ).toHaveLength(1);
  const current = (await catalogue.svc().http.get(`/fhir/Endpoint/${summary.id}`)).body as Endpoint;
  await put(`/fhir/Endpoint/${summary.id}`, { ...current, status: 'suspended' }).expect(200);
  expect(ids(await lookup(`organization=${HSA}|${hsaOf(north)}&information-type=patient-summary`), 'match')).toEqual([]);
  await put(`/fhir/Endpoint/${summary.id}`, { ...current, status: 'active', address: 'https://moved.nord.example/r4' }).expect(200);
  const b = await lookup(`organization=${HSA}|${hsaOf(north)}&information-type=patient-summary`);
  expect((b.entry![0]!.resource as Endpoint).address).toBe('https://moved.nord.example/r4');
});

test('a lookup is public, changes nothing and writes no audit', async () => {
  const audits = async () => (await catalogue.svc().kernel.db.query<{ n: number }>('SELECT count(*)::int AS n FROM res_auditevent')).rows[0]!.n;
  const before = await audits();
  await lookup(`organization=${HSA}|${hsaOf(north)}&information-type=patient-summary`);
  expect(await audits()).toBe(before);
});

test('up to 100 organisations are accepted', async () => {
  const q = Array.from({ length: 100 }, (_, i) => `organization=${HSA}|SE2321000016-L${i}`).join('&');
  expect((await lookup(`${q}&information-type=patient-summary`)).total).toBe(0);
});

describe('bad requests get a 400 OperationOutcome', () => {
  const many = Array.from({ length: 101 }, (_, i) => `organization=${HSA}|SE2321000016-L${i}`).join('&');
  test.each([
    ['no organization', 'information-type=patient-summary', 'MESH-OP-001'],
    ['no information-type', `organization=${HSA}|SE2321000016-A001`, 'MESH-OP-001'],
    ['two information types', `organization=${HSA}|SE2321000016-A001&information-type=patient-summary&information-type=eprescription`, 'MESH-OP-001'],
    ['an unknown information type', `organization=${HSA}|SE2321000016-A001&information-type=horoscope`, 'MESH-NTK-001'],
    ['an information type of another system', `organization=${HSA}|SE2321000016-A001&information-type=http://loinc.org|60591-5`, 'MESH-NTK-001'],
    ['a bad HSA-id', `organization=${HSA}|SE2321000017-A001&information-type=patient-summary`, 'MESH-ID-003'],
    ['an HSA-id without its system', 'organization=SE2321000016-A001&information-type=patient-summary', 'MESH-OP-001'],
    ['101 organisations', `${many}&information-type=patient-summary`, 'MESH-OP-001'],
    ['a bad at', `organization=${HSA}|SE2321000016-A001&information-type=patient-summary&at=tomorrow`, 'MESH-OP-001'],
    ['an unknown parameter', `organization=${HSA}|SE2321000016-A001&information-type=patient-summary&status=active`, 'MESH-OP-001'],
  ])('%s', async (_name, q, errorCode) => {
    const res = await catalogue.publicHttp().get(`/fhir/Endpoint/$lookup?${q}`).expect(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(code(res.body)).toBe(errorCode);
    expect(res.body.issue[0].diagnostics).toBeTruthy();
  });
});

test('the operation is in the CapabilityStatement', async () => {
  const cs = (await catalogue.publicHttp().get('/fhir/metadata').expect(200)).body;
  const ep = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Endpoint');
  expect(JSON.stringify(ep.operation ?? cs.rest[0].operation)).toMatch(/lookup/);
});
