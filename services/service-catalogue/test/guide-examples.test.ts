import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Bundle, Endpoint, Organization } from '@medplum/fhirtypes';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import supertest from 'supertest';
import { serviceCatalogue } from '../src/definition.ts';
import { owners } from './owners.ts';

// The examples in implementation-guides/service-catalogue/ are what vendors copy: they must work.
const guide = resolve(import.meta.dirname, '../../../implementation-guides/service-catalogue');
const example = async (name: string) => readFile(resolve(guide, 'examples', name), 'utf8');
const readme = () => readFile(resolve(guide, 'README.md'), 'utf8');

let anchor: TestFederation;
let svc: TestService;
let bearer: (hsaId: string) => Promise<string>;
beforeAll(async () => {
  // A real trust anchor; the test client is a national service with real access tokens.
  anchor = await startTestFederation();
  svc = await startTestService(serviceCatalogue, {}, { anchor, trustMarks: ['national-service'] });
  bearer = owners(svc).bearer;
});
afterAll(async () => {
  await svc?.close();
  await anchor?.close();
});

/** The first command of the guide that starts with `prefix`, pointed at the test service. */
async function curlUrl(prefix: string): Promise<string> {
  const m = new RegExp(`curl -s '(http://127\\.0\\.0\\.1:8081${prefix.replace(/[$?]/g, '\\$&')}[^']*)'`).exec(await readme());
  if (!m) throw new Error(`the guide has no curl for ${prefix}`);
  return m[1]!.replace('http://127.0.0.1:8081', '');
}

test('the organization example is accepted as it stands, from its own organisation', async () => {
  const org = JSON.parse(await example('organization.json')) as Organization;
  await svc.http
    .post('/fhir/Organization')
    .set('authorization', await bearer(org.identifier![0]!.value!))
    .set('content-type', 'application/fhir+json')
    .send(await example('organization.json'))
    .expect(201);
});

test('the registration transaction creates the organisation and its endpoint, and is idempotent', async () => {
  const auth = await bearer('SE0099000010-77QX');
  const send = async () =>
    (
      await svc.http
        .post('/fhir')
        .set('authorization', auth)
        .set('content-type', 'application/fhir+json')
        .send(await example('endpoint-bundle.json'))
        .expect(200)
    ).body;
  const first = await send();
  expect(first.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['201', '201']);
  const orgId = first.entry[0].resource.id;
  expect(first.entry[1].resource.managingOrganization.reference).toBe(`Organization/${orgId}`);
  // Sent again, both are matched (the organisation by its HSA-id, the endpoint by its identifier): nothing new, no overlap.
  const second = await send();
  expect(second.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['200', '200']);
  expect(second.entry[0].resource.id).toBe(orgId);
  expect(second.entry[1].resource.id).toBe(first.entry[1].resource.id);
});

test("the guide's $lookup answers as its example response shows", async () => {
  const res = await supertest(svc.url!)
    .get(await curlUrl('/fhir/Endpoint/$lookup'))
    .expect(200);
  const answer = res.body as Bundle;
  const shown = JSON.parse(await example('lookup-response.json')) as Bundle;
  const shape = (b: Bundle) =>
    b.entry!.map((e) => ({
      mode: e.search?.mode,
      type: e.resource!.resourceType,
      address: (e.resource as Endpoint).address,
      name: (e.resource as Organization).name,
    }));
  expect({ type: answer.type, total: answer.total, entry: shape(answer) }).toEqual({ type: shown.type, total: shown.total, entry: shape(shown) });
});

test('the plain searches in the guide answer as described', async () => {
  const org = await svc.http.get(await curlUrl('/fhir/Organization?')).expect(200);
  const orgId = org.body.entry.find((e: { search: { mode: string } }) => e.search.mode === 'match').resource.id;
  expect(org.body.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'include').length).toBeGreaterThan(0);
  const eps = await svc.http.get((await curlUrl('/fhir/Endpoint?')).replace('<id>', orgId)).expect(200);
  expect(eps.body.entry.length).toBeGreaterThan(0);
});

test('$snapshot is a signed JWT of the type and with the fields the guide names', async () => {
  const res = await supertest(svc.url!)
    .get('/fhir/$snapshot')
    .buffer(true)
    .parse((r, done) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => done(null, text));
    })
    .expect(200);
  expect(res.headers['content-type']).toMatch(/^application\/jwt/);
  expect(decodeProtectedHeader(res.body as string).typ).toBe('catalogue-snapshot+jwt');
  const payload = decodeJwt(res.body as string);
  expect(Object.keys(payload).sort()).toEqual(['endpoints', 'full', 'iat', 'iss', 'organizations', 'removed', 'version'].sort());
  expect((await readme()).includes('"typ: catalogue-snapshot+jwt"') || (await readme()).includes('typ: catalogue-snapshot+jwt')).toBe(true);
});
