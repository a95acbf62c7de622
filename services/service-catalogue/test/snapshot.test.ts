import type { Endpoint, Organization } from '@medplum/fhirtypes';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWK } from 'jose';
import { endpoint, organization } from './fixtures.ts';
import { FHIR, issueCode, useFederatedCatalogue } from './support/federated-catalogue.ts';

// NTK-R14, contract C2: $snapshot is the catalogue as a JWS signed with its federation key, with a
// version that only grows; a delta since a version holds every change committed after it.
const catalogue = useFederatedCatalogue();

interface Snapshot {
  iss: string;
  iat: number;
  version: number;
  since?: number;
  full: boolean;
  organizations: Organization[];
  endpoints: Endpoint[];
  removed: string[];
}

const { post, put } = catalogue;

/** Fetches and verifies a snapshot the way a consumer does: with the jwks of the catalogue's entity configuration. */
async function snapshot(query = ''): Promise<Snapshot> {
  const res = await catalogue
    .publicHttp()
    .get(`/fhir/$snapshot${query}`)
    .set('accept', 'application/jwt')
    .buffer(true)
    .parse((r, done) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => done(null, text));
    });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/jwt/);
  const configuration = (
    await catalogue
      .publicHttp()
      .get('/.well-known/openid-federation')
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => done(null, text));
      })
  ).body as string;
  const jwks = decodeJwt(configuration).jwks as { keys: JWK[] };
  const { payload, protectedHeader } = await jwtVerify(res.body as string, createLocalJWKSet(jwks), {
    typ: 'catalogue-snapshot+jwt',
    issuer: catalogue.svc().url,
  });
  expect(protectedHeader.alg).toBe('ES256');
  return payload as unknown as Snapshot;
}

test('an empty catalogue is version 0; each write raises the version', async () => {
  const first = await snapshot();
  expect(first).toMatchObject({ iss: catalogue.svc().url, version: 0, full: true, organizations: [], endpoints: [], removed: [] });
  const org = (await post('/fhir/Organization', organization('Ögonblicksbild')).expect(201)).body as Organization;
  const one = await snapshot();
  expect(one.version).toBe(1);
  await post('/fhir/Endpoint', endpoint(org.id!)).expect(201);
  const two = await snapshot();
  expect(two.version).toBe(2);
  expect(two.organizations.map((o) => o.id)).toEqual([org.id]);
  expect(two.endpoints).toHaveLength(1);
});

test('a delta holds what changed after the version; an endpoint that is switched off is removed', async () => {
  const base = await snapshot();
  const org = (await post('/fhir/Organization', organization('Delta')).expect(201)).body as Organization;
  const ep = (await post('/fhir/Endpoint', endpoint(org.id!, 'eprescription')).expect(201)).body as Endpoint;
  const delta = await snapshot(`?since=${base.version}`);
  expect(delta).toMatchObject({ since: base.version, full: false, removed: [] });
  expect(delta.version).toBe(base.version + 2);
  expect(delta.organizations.map((o) => o.id)).toEqual([org.id]);
  expect(delta.endpoints.map((e) => e.id)).toEqual([ep.id]);
  await put(`/fhir/Endpoint/${ep.id}`, { ...ep, status: 'off' }).expect(200);
  const next = await snapshot(`?since=${delta.version}`);
  expect(next).toMatchObject({ organizations: [], endpoints: [], removed: [`Endpoint/${ep.id}`] });
  expect((await snapshot(`?since=${next.version}`)).removed).toEqual([]);
  // The full snapshot lists only live endpoints.
  expect((await snapshot()).endpoints.map((e) => e.id)).not.toContain(ep.id);
});

test('deltas taken while writers run concurrently add up to the full snapshot: no change is missed', async () => {
  const orgs = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => (await post('/fhir/Organization', organization(`Samtidig ${i}`)).expect(201)).body as Organization),
  );
  let state = await snapshot();
  const live = new Map<string, string>([...state.organizations, ...state.endpoints].map((r) => [`${r.resourceType}/${r.id}`, JSON.stringify(r)]));
  const apply = (s: Snapshot) => {
    for (const r of [...s.organizations, ...s.endpoints]) live.set(`${r.resourceType}/${r.id}`, JSON.stringify(r));
    for (const k of s.removed) live.delete(k);
  };
  let writing = true;
  const writers = Promise.all(
    orgs.map(async (org, i) => {
      const types = ['patient-summary', 'eprescription', 'laboratory-results', 'medical-imaging'];
      for (const t of types) {
        const ep = (await post('/fhir/Endpoint', endpoint(org.id!, t)).expect(201)).body as Endpoint;
        if (i % 2 === 0) await put(`/fhir/Endpoint/${ep.id}`, { ...ep, status: 'off' }).expect(200);
        await put(`/fhir/Organization/${org.id}`, { ...org, name: `${org.name} ${t}` }).expect(200);
      }
    }),
  ).finally(() => (writing = false));
  while (writing) {
    const delta = await snapshot(`?since=${state.version}`);
    expect(delta.version).toBeGreaterThanOrEqual(state.version);
    apply(delta);
    state = delta;
  }
  await writers;
  apply(await snapshot(`?since=${state.version}`));
  const full = await snapshot();
  expect(new Map([...full.organizations, ...full.endpoints].map((r) => [`${r.resourceType}/${r.id}`, JSON.stringify(r)]))).toEqual(live);
});

test('bad since values are refused with 400', async () => {
  for (const q of ['?since=-1', '?since=abc', '?since=1&since=2', '?since=999999', '?version=1']) {
    const res = await catalogue.publicHttp().get(`/fhir/$snapshot${q}`).expect(400);
    expect(res.body.issue[0].details.coding[0].code).toBe('MESH-OP-001');
  }
});
