import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { startEmbeddedPostgres } from '@ndi-mesh/kernel';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { serviceCatalogue } from '../src/definition.ts';
import { endpoint, organization } from './fixtures.ts';
import { owners } from './owners.ts';

// The machines' server is PostgreSQL 15, the embedded one (what `npm start` uses) is 18: the same
// SQL must run on both, so the catalogue is also exercised on the embedded server here.
let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
let anchor: TestFederation;
let svc: TestService;
beforeAll(async () => {
  server = await startEmbeddedPostgres({
    dataDir: join(await mkdtemp(join(tmpdir(), 'ndi-pg18-')), 'pg'),
    port: 56000 + (process.pid % 1000),
    ephemeral: true,
  });
  anchor = await startTestFederation();
  svc = await startTestService(serviceCatalogue, {}, { anchor, trustMarks: ['national-service'] }, { serverUrl: server.connectionString });
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await anchor?.close();
  await server?.stop();
});

test('the embedded server is a newer PostgreSQL than the machines have', async () => {
  const { rows } = await svc.kernel.db.query<{ v: string }>('SELECT current_setting($$server_version_num$$) AS v');
  expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(180000);
});

test('create, search with two parameters, history and a transaction work on it', async () => {
  const { asOwner } = owners(svc);
  const post = (path: string, body: unknown) => asOwner(svc.http.post(path).set('content-type', 'application/fhir+json').send(JSON.stringify(body)), body);
  const org = (await post('/fhir/Organization', organization('PG18')).expect(201)).body;
  await post('/fhir/Endpoint', { ...endpoint(org.id), period: { start: '2026-01-01' } }).expect(201);
  const found = await svc.http.get(`/fhir/Endpoint?organization=${org.id}&status=active&period=ge2026-06-01`).expect(200);
  expect(found.body.total).toBe(1);
  await asOwner(
    svc.http
      .put(`/fhir/Organization/${org.id}`)
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify({ ...org, name: 'PG18 v2' })),
    org,
  ).expect(200);
  expect((await svc.http.get(`/fhir/Organization/${org.id}/_history`)).body.entry).toHaveLength(2);
  const tx = await post('/fhir', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [{ resource: organization('PG18 tx'), request: { method: 'POST', url: 'Organization' } }],
  }).expect(200);
  expect(tx.body.entry[0].response.status).toBe('201');
});

test("the catalogue's own SQL (routing table, commit-time version trigger) works on it", async () => {
  const post = (path: string, body: unknown) =>
    owners(svc).asOwner(svc.http.post(path).set('content-type', 'application/fhir+json').send(JSON.stringify(body)), body);
  const org = (await post('/fhir/Organization', organization('PG18 lookup')).expect(201)).body;
  const ep = (await post('/fhir/Endpoint', endpoint(org.id, 'eprescription')).expect(201)).body;
  const found = await svc.http
    .get(`/fhir/Endpoint/$lookup?organization=urn:oid:1.2.752.129.2.1.4.1|${org.identifier[0].value}&information-type=eprescription`)
    .expect(200);
  expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([ep.id, org.id]);
  const { rows } = await svc.kernel.db.query<{ version: number; stamped: number }>(
    'SELECT (SELECT version FROM ntk_version) AS version, (SELECT count(*)::int FROM ntk_change WHERE version IS NOT NULL) AS stamped',
  );
  expect(rows[0]!.stamped).toBeGreaterThanOrEqual(2);
  expect(rows[0]!.version).toBeGreaterThanOrEqual(rows[0]!.stamped);
});
