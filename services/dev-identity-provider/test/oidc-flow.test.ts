import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkHsaId, isSyntheticHsaId } from '@ndi-mesh/kernel';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { devIdentityProvider } from '../src/definition.ts';
import { ROLE, syntheticDirectory } from '../src/directory.ts';
import { IDP_KEYS_FILE } from '../src/keys.ts';

// The relying party's callback is never visited: the test reads the code from the redirect.
const REDIRECT = 'http://127.0.0.1:9/admin/callback';
const CLIENT = { id: 'service-catalogue-admin', secret: 'test-secret' };
const env = { DEV_IDP_CLIENT_ID: CLIENT.id, DEV_IDP_CLIENT_SECRET: CLIENT.secret, DEV_IDP_CLIENT_REDIRECT_URIS: REDIRECT, DEV_IDP_SEED: '42' };
const directory = syntheticDirectory(42);
const admin = directory.people.find((p) => p.roles.includes(ROLE.catalogueAdmin))!;

let idp: TestService;
let base: string;
let issuer: string;
beforeAll(async () => {
  idp = await startTestService(devIdentityProvider(), env);
  await idp.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(idp.app.server.address() as { port: number }).port}`;
  issuer = `${base}/oidc`;
});
afterAll(async () => {
  await idp?.close();
});

/** A browser's cookie jar, as far as these requests need one. */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function go(jar: Jar, url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(new URL(url, base), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
  jar.take(res);
  return res;
}

const b64url = (b: Buffer) => b.toString('base64url');

/** Runs the authorization code flow with PKCE up to the redirect back to the client. */
async function signIn(account: string, verifier = b64url(randomBytes(32))) {
  const jar = new Jar();
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const auth = new URL(`${issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: CLIENT.id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile hsa',
    state,
    nonce,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  }).toString();
  const start = await go(jar, auth.href);
  expect(start.status).toBe(303);
  const interaction = start.headers.get('location')!;
  expect(interaction).toMatch(/^\/interaction\/[\w-]+$/);
  const loginPage = await go(jar, interaction);
  expect(loginPage.status).toBe(200);
  const pageText = await loginPage.text();
  const login = await go(jar, `${interaction}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ account }).toString(),
  });
  expect(login.status).toBe(303);
  let res = await go(jar, login.headers.get('location')!);
  while (res.status === 303 && !res.headers.get('location')!.startsWith(REDIRECT)) res = await go(jar, res.headers.get('location')!);
  const back = new URL(res.headers.get('location')!);
  return { back, state, nonce, verifier, pageText, jar };
}

async function token(code: string, verifier: string): Promise<Response> {
  return fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }).toString(),
  });
}

test('answers /ready with 200 JSON, as the launcher waits for', async () => {
  const res = await fetch(`${base}/ready`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'pass', service: 'dev-identity-provider' });
});

test('publishes OpenID Connect discovery with PKCE S256 and the HSA claims', async () => {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  expect(res.status).toBe(200);
  const meta = (await res.json()) as Record<string, unknown>;
  expect(meta.issuer).toBe(issuer);
  expect(meta.authorization_endpoint).toBe(`${issuer}/auth`);
  expect(meta.code_challenge_methods_supported).toEqual(['S256']);
  expect(meta.claims_supported).toEqual(expect.arrayContaining(['hsa_id', 'organization_hsa_id', 'roles']));
  expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'hsa']));
});

test('the synthetic directory: valid synthetic HSA-ids, staff under their organisation, both roles present', () => {
  for (const o of directory.organisations) expect(isSyntheticHsaId(o.hsaId)).toBe(true);
  for (const p of directory.people) {
    expect(isSyntheticHsaId(p.hsaId)).toBe(true);
    const person = checkHsaId(p.hsaId);
    const org = checkHsaId(p.organisationHsaId);
    expect(person.ok && org.ok && person.identifier.organisationNumber === org.identifier.organisationNumber).toBe(true);
  }
  const roles = directory.people.flatMap((p) => p.roles);
  expect(roles).toEqual(expect.arrayContaining([ROLE.catalogueAdmin, ROLE.agencySupport]));
  expect(syntheticDirectory(42)).toEqual(directory);
});

test('sign-in with code and PKCE yields an ID token, signed with the published keys, carrying HSA-id, organisation and roles', async () => {
  const { back, state, nonce, verifier, pageText } = await signIn(admin.sub);
  expect(pageText).toMatch(/Development identity provider: synthetic people only/);
  for (const p of directory.people) expect(pageText).toContain(p.hsaId);
  expect(back.searchParams.get('state')).toBe(state);
  expect(back.searchParams.get('iss')).toBe(issuer);
  const res = await token(back.searchParams.get('code')!, verifier);
  expect(res.status).toBe(200);
  const tokens = (await res.json()) as { id_token: string; access_token: string };
  const { payload } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: CLIENT.id });
  expect(payload).toMatchObject({
    sub: admin.sub,
    nonce,
    hsa_id: admin.hsaId,
    organization_hsa_id: admin.organisationHsaId,
    roles: [ROLE.catalogueAdmin],
    name: `${admin.givenName} ${admin.familyName}`,
  });
  const me = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  expect(await me.json()).toMatchObject({ sub: admin.sub, hsa_id: admin.hsaId, roles: [ROLE.catalogueAdmin] });
});

test('refuses a wrong PKCE verifier and a replayed code', async () => {
  const { back } = await signIn(admin.sub);
  const code = back.searchParams.get('code')!;
  const wrong = await token(code, b64url(randomBytes(32)));
  expect(wrong.status).toBe(400);
  expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');
  const { back: again, verifier: v2 } = await signIn(admin.sub);
  expect((await token(again.searchParams.get('code')!, v2)).status).toBe(200);
  const replay = await token(again.searchParams.get('code')!, v2);
  expect(replay.status).toBe(400);
  expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
});

test('refuses an unregistered redirect URI and an authorization request without PKCE', async () => {
  const jar = new Jar();
  const bad = await go(
    jar,
    `${issuer}/auth?${new URLSearchParams({ client_id: CLIENT.id, redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
  );
  expect(bad.status).toBe(400);
  expect(await bad.text()).toMatch(/redirect_uri/);
  const noPkce = await go(
    jar,
    `${issuer}/auth?${new URLSearchParams({ client_id: CLIENT.id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid' })}`,
  );
  expect(noPkce.status).toBe(303);
  const error = new URL(noPkce.headers.get('location')!);
  expect(error.searchParams.get('error')).toBe('invalid_request');
});

test('refuses a person who is not in the directory', async () => {
  const jar = new Jar();
  const auth = `${issuer}/auth?${new URLSearchParams({ client_id: CLIENT.id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', code_challenge: 'y'.repeat(43), code_challenge_method: 'S256' })}`;
  const interaction = (await go(jar, auth)).headers.get('location')!;
  const res = await go(jar, `${interaction}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'account=SE0000000000-P1234567',
  });
  expect(res.status).toBe(400);
});

test('keeps its signing keys in DATA_DIR, private, and publishes only the public halves', async () => {
  const path = join(idp.kernel.settings.dataDir, IDP_KEYS_FILE);
  expect(existsSync(path)).toBe(true);
  const stored = JSON.parse(readFileSync(path, 'utf8')) as { jwks: { keys: { kid: string; d?: string }[] } };
  const published = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string; d?: string }[] };
  expect(published.keys.map((k) => k.kid).sort()).toEqual(stored.jwks.keys.map((k) => k.kid).sort());
  for (const k of published.keys) expect(k.d).toBeUndefined();
});
