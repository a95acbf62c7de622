import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { serviceCatalogue } from '../src/definition.ts';

// The examples in implementation-guides/service-catalogue/ are what vendors copy: they must work.
const guide = resolve(import.meta.dirname, '../../../implementation-guides/service-catalogue');
const example = async (name: string) => readFile(resolve(guide, 'examples', name), 'utf8');

let anchor: TestFederation;
let svc: TestService;
beforeAll(async () => {
  // A real trust anchor; the test client is a national service with a real access token.
  anchor = await startTestFederation();
  svc = await startTestService(serviceCatalogue, {}, { anchor, trustMarks: ['national-service'] });
});
afterAll(async () => {
  await svc?.close();
  await anchor?.close();
});

test('the organization example is accepted as it stands', async () => {
  await svc.http.post('/fhir/Organization').set('content-type', 'application/fhir+json').send(await example('organization.json')).expect(201);
});

test('the registration transaction creates the organisation and its endpoint, and is idempotent on the organisation', async () => {
  const send = async () => (await svc.http.post('/fhir').set('content-type', 'application/fhir+json').send(await example('endpoint-bundle.json')).expect(200)).body;
  const first = await send();
  expect(first.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['201', '201']);
  const orgId = first.entry[0].resource.id;
  expect(first.entry[1].resource.managingOrganization.reference).toBe(`Organization/${orgId}`);
  // Sent again, the organisation is matched by its HSA-id and updated, and the new endpoint refers to it.
  const second = await send();
  expect(second.entry[0].response.status).toBe('200');
  expect(second.entry[0].resource.id).toBe(orgId);
  expect(second.entry[1].resource.managingOrganization.reference).toBe(`Organization/${orgId}`);
});

test('the lookups in the guide answer as described', async () => {
  const org = await svc.http.get('/fhir/Organization?identifier=urn:oid:1.2.752.129.2.1.4.1|SE0099000010-77QX&_revinclude=Endpoint:organization').expect(200);
  const orgId = org.body.entry.find((e: { search: { mode: string } }) => e.search.mode === 'match').resource.id;
  expect(org.body.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'include').length).toBeGreaterThan(0);
  const eps = await svc.http
    .get(`/fhir/Endpoint?organization=${orgId}&payload-type=https://ndi-mesh.se/fhir/CodeSystem/information-type|patient-summary&status=active&period=ge2026-11-24`)
    .expect(200);
  expect(eps.body.entry.length).toBeGreaterThan(0);
});
