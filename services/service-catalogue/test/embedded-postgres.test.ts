import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { createService, readServiceSettings, startEmbeddedPostgres, type RunningService } from '@ndi-mesh/kernel';
import { serviceCatalogue } from '../src/definition.ts';
import { endpoint, organization } from './fixtures.ts';

// The machines' server is PostgreSQL 15, the embedded one (what `npm start` uses) is 18: the same
// SQL must run on both, so the catalogue is also exercised on the embedded server here.
let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
let svc: RunningService;
beforeAll(async () => {
  server = await startEmbeddedPostgres({ dataDir: join(await mkdtemp(join(tmpdir(), 'ndi-pg18-')), 'pg'), port: 56000 + (process.pid % 1000), ephemeral: true });
  const settings = readServiceSettings({ port: 0, service: 'service-catalogue' }, { DATABASE_URL: server.connectionString, LOG_LEVEL: 'silent' });
  svc = await createService(serviceCatalogue, { settings });
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await server?.stop();
});

test('the embedded server is a newer PostgreSQL than the machines have', async () => {
  const { rows } = await svc.kernel.db.query<{ v: string }>('SELECT current_setting($$server_version_num$$) AS v');
  expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(180000);
});

test('create, search with two parameters, history and a transaction work on it', async () => {
  const http = supertest(svc.app.server);
  const post = (path: string, body: unknown) => http.post(path).set('content-type', 'application/fhir+json').send(JSON.stringify(body));
  const org = (await post('/fhir/Organization', organization('PG18')).expect(201)).body;
  await post('/fhir/Endpoint', { ...endpoint(org.id), period: { start: '2026-01-01' } }).expect(201);
  const found = await http.get(`/fhir/Endpoint?organization=${org.id}&status=active&period=ge2026-06-01`).expect(200);
  expect(found.body.total).toBe(1);
  await http.put(`/fhir/Organization/${org.id}`).set('content-type', 'application/fhir+json').send(JSON.stringify({ ...org, name: 'PG18 v2' })).expect(200);
  expect((await http.get(`/fhir/Organization/${org.id}/_history`)).body.entry).toHaveLength(2);
  const tx = await post('/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: organization('PG18 tx'), request: { method: 'POST', url: 'Organization' } }] }).expect(200);
  expect(tx.body.entry[0].response.status).toBe('201');
});
