import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { JtiStore, TRUST_MARK, TrustChainResolver, TrustError, TrustMarkVerifier, type ServiceDefinition } from '../src/index.ts';

// Statements that expire within the test, and the anchor's key rollover.
const leafDef: ServiceDefinition = {
  name: 'leaf',
  title: 'Leaf',
  description: 'A leaf entity',
  defaultPort: 0,
  resourceTypes: [],
  trust: { policy: { default: {} } },
};
let anchor: TestFederation;
let leaf: TestService;

beforeAll(async () => {
  anchor = await startTestFederation({ FEDERATION_STATEMENT_TTL: '2' });
  leaf = await startTestService(leafDef, { ENTITY_STATEMENT_TTL: '60' }, { anchor, trustMarks: ['national-service'], authorised: false });
});
afterAll(async () => {
  await leaf?.close();
  await anchor?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an expired subordinate statement is refused, and the cached chain is rebuilt once it expires', async () => {
  const resolver = new TrustChainResolver({ anchor: { entityId: anchor.entityId, jwks: anchor.jwks }, clockToleranceSeconds: 0 });
  const first = await resolver.resolve(leaf.url!);
  expect(first.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(2);
  const statement = first.trustChain[1]!;
  expect(await resolver.resolve(leaf.url!)).toBe(first); // cached while valid
  await sleep(2600);
  await expect(resolver.verifyStatement(statement, anchor.jwks, anchor.entityId, leaf.url!)).rejects.toMatchObject({ kind: 'expired' });
  await expect(resolver.verifyStatement(statement, anchor.jwks, anchor.entityId, leaf.url!)).rejects.toBeInstanceOf(TrustError);
  const again = await resolver.resolve(leaf.url!);
  expect(again).not.toBe(first);
  expect(again.exp).toBeGreaterThan(first.exp);
});

test('anchor key rollover: new statements use the new key; marks signed with the old one stay valid until it retires', async () => {
  const oldJwks = anchor.jwks;
  const markBefore = (await anchor.admin('POST', '/admin/trust-marks', { entity_id: leaf.url, trust_mark_type: 'assurance-level-3' })).body
    .trust_mark as string;
  const rotated = await anchor.admin('POST', '/admin/keys/rotate');
  expect(rotated.status).toBe(200);
  const newJwks = anchor.jwks;
  expect(newJwks.keys).toHaveLength(2);
  expect(newJwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(oldJwks.keys.map((k) => k.kid)));
  const ec = await (await fetch(`${anchor.entityId}/.well-known/openid-federation`)).text();
  expect(decodeProtectedHeader(ec).kid).toBe(rotated.body.kid);
  await expect(jwtVerify(ec, createLocalJWKSet(oldJwks as { keys: JWK[] }))).rejects.toThrow(); // the old pin does not know the new key
  const resolver = new TrustChainResolver({ anchor: { entityId: anchor.entityId, jwks: newJwks } });
  const marks = new TrustMarkVerifier({ resolver, statusTtlSeconds: 0 });
  expect(decodeProtectedHeader(markBefore).kid).toBe(oldJwks.keys[0]!.kid);
  await expect(marks.verify(leaf.url!, TRUST_MARK.assuranceLevel3, markBefore)).resolves.toMatchObject({ type: TRUST_MARK.assuranceLevel3 });
  const resolved = await resolver.resolve(leaf.url!);
  expect(decodeProtectedHeader(resolved.trustChain[1]!).kid).toBe(rotated.body.kid);
});

test('expired client assertion ids are swept from the replay table', async () => {
  const store = new JtiStore(leaf.kernel.db);
  const past = Math.floor(Date.now() / 1000) - 10;
  expect(await store.claim('https://old.example', 'j1', past)).toBe(true);
  expect(await store.claim('https://old.example', 'j1', past)).toBe(false);
  expect(await store.sweep(true)).toBeGreaterThanOrEqual(1);
  expect(await store.claim('https://old.example', 'j1', past + 1000)).toBe(true);
});
