import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { JWT_BEARER_ASSERTION, PURPOSE, signClientAssertion, TRUST_MARK, type ServiceDefinition } from '../src/index.ts';

// A guarded service and callers, each a real leaf entity enrolled at a real anchor over HTTP.
const HSA = 'SE2321000016-A1B2';
const guarded: ServiceDefinition = {
  name: 'guarded',
  title: 'Guarded test service',
  description: 'A service whose $ping needs a care-provider-system mark and a treatment basis',
  defaultPort: 0,
  resourceTypes: [],
  operations: () => [
    {
      name: 'ping',
      level: 'system',
      affectsState: false,
      handler: async ({ ctx }) => ({
        status: 200,
        body: {
          resourceType: 'Parameters',
          parameter: [
            { name: 'caller', valueString: ctx.caller.entityId },
            { name: 'organisation', valueString: ctx.caller.organisation?.hsaId },
          ],
        },
      }),
    },
  ],
  trust: {
    policy: {
      default: { anyTrustMark: [TRUST_MARK.nationalService, TRUST_MARK.careProviderSystem] },
      operations: {
        $ping: { anyTrustMark: [TRUST_MARK.careProviderSystem], basis: ['organisation', 'purposeOfUse'], purposeOfUse: [PURPOSE.treatment, PURPOSE.emergency] },
      },
    },
  },
};
const caller = (name: string): ServiceDefinition => ({ ...guarded, name, operations: undefined });

let anchor: TestFederation;
let target: TestService;
let ehr: TestService;
let national: TestService;
const STATUS_TTL = '1';

beforeAll(async () => {
  anchor = await startTestFederation();
  const env = { TRUST_MARK_STATUS_TTL: STATUS_TTL };
  target = await startTestService(guarded, env, { anchor, trustMarks: ['national-service'], authorised: false });
  ehr = await startTestService(caller('ehr'), env, { anchor, trustMarks: ['care-provider-system', 'assurance-level-3'], hsaId: HSA, authorised: false });
  national = await startTestService(caller('national'), env, { anchor, trustMarks: ['national-service'], authorised: false });
});
afterAll(async () => {
  for (const s of [target, ehr, national]) await s?.close();
  await anchor?.close();
});

const tokenUrl = () => `${target.url}/auth/token`;
const basis = { organisation: { hsaId: HSA, name: 'Region Test' }, person: { hsaId: 'SE2321000016-P001', role: 'doctor' }, purposeOfUse: PURPOSE.treatment };

async function tokenRequest(fields: Record<string, string>) {
  const res = await fetch(tokenUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; error_description?: string; access_token?: string } };
}
const grant = (assertion: string) => ({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion });
async function assertionBy(svc: TestService, claims: Record<string, unknown> = {}) {
  const { kid, key } = await svc.kernel.trust!.keys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: svc.url, sub: svc.url, aud: tokenUrl(), iat: now, exp: now + 60, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .sign(key);
}
const issueCode = (body: unknown) => (body as { issue: { details: { coding: { code: string }[] } }[] }).issue[0]?.details.coding[0]?.code;

describe('independent verification (plain jose, not our trust module)', () => {
  test('the chain from a mesh service to the anchor and its trust marks verify', async () => {
    const get = async (url: string, type: string) => {
      const res = await fetch(url);
      expect(res.headers.get('content-type')).toMatch(type);
      return res.text();
    };
    const leafJwt = await get(`${target.url}/.well-known/openid-federation`, 'application/entity-statement+jwt');
    const anchorJwt = await get(`${anchor.entityId}/.well-known/openid-federation`, 'application/entity-statement+jwt');
    const pinned = createLocalJWKSet(anchor.jwks as { keys: JWK[] });
    const ta = (await jwtVerify(anchorJwt, pinned, { typ: 'entity-statement+jwt' })).payload as any;
    expect(ta.iss).toBe(anchor.entityId);
    const leafClaims = decodeJwt(leafJwt) as any;
    expect(leafClaims.authority_hints).toEqual([anchor.entityId]);
    const ssJwt = await get(
      `${ta.metadata.federation_entity.federation_fetch_endpoint}?sub=${encodeURIComponent(target.url!)}`,
      'application/entity-statement+jwt',
    );
    const ss = (await jwtVerify(ssJwt, createLocalJWKSet(ta.jwks), { typ: 'entity-statement+jwt' })).payload as any;
    expect([ss.iss, ss.sub]).toEqual([anchor.entityId, target.url]);
    expect(ss.exp).toBeGreaterThan(ss.iat);
    expect(ss.metadata_policy.oauth_client.token_endpoint_auth_method.one_of).toEqual(['private_key_jwt']);
    await jwtVerify(leafJwt, createLocalJWKSet(ss.jwks), { typ: 'entity-statement+jwt' });
    // Trust mark: issued by an issuer the anchor lists, typed trust-mark+jwt, status active.
    const tm = leafClaims.trust_marks.find((m: any) => m.trust_mark_type === TRUST_MARK.nationalService);
    const mark = (await jwtVerify(tm.trust_mark, createLocalJWKSet(ta.jwks), { typ: 'trust-mark+jwt' })).payload as any;
    expect(ta.trust_mark_issuers[TRUST_MARK.nationalService]).toContain(mark.iss);
    expect([mark.sub, mark.trust_mark_type]).toEqual([target.url, TRUST_MARK.nationalService]);
    const statusRes = await fetch(ta.metadata.federation_entity.federation_trust_mark_status_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `trust_mark=${tm.trust_mark}`,
    });
    expect(statusRes.headers.get('content-type')).toMatch('application/trust-mark-status-response+jwt');
    const status = (await jwtVerify(await statusRes.text(), createLocalJWKSet(ta.jwks), { typ: 'trust-mark-status-response+jwt' })).payload as any;
    expect([status.status, status.trust_mark, status.iss]).toEqual(['active', tm.trust_mark, anchor.entityId]);
    // The resolver's answer: signed, and its trust_chain is the chain verified above, leaf first.
    const resolved = await get(
      `${ta.metadata.federation_entity.federation_resolve_endpoint}?sub=${encodeURIComponent(target.url!)}&trust_anchor=${encodeURIComponent(anchor.entityId)}`,
      'application/resolve-response+jwt',
    );
    const rr = (await jwtVerify(resolved, createLocalJWKSet(ta.jwks), { typ: 'resolve-response+jwt' })).payload as any;
    expect(rr.trust_chain).toHaveLength(3);
    expect(decodeJwt(rr.trust_chain[0]).sub).toBe(target.url);
    expect(decodeJwt(rr.trust_chain[2]).iss).toBe(anchor.entityId);
    expect(rr.trust_marks.map((m: any) => m.trust_mark_type)).toEqual([TRUST_MARK.nationalService]);
    expect(rr.metadata.oauth_client.token_endpoint_auth_method).toBe('private_key_jwt');
  });
});

describe('trust marks a leaf publishes', () => {
  test('a leaf fetches the marks it holds and asks the anchor for no mark it does not hold', async () => {
    await ehr.kernel.trust!.leaf.refreshMarks(true);
    const statement = decodeJwt(await (await fetch(`${ehr.url}/.well-known/openid-federation`)).text()) as any;
    expect(statement.trust_marks.map((m: any) => m.trust_mark_type).sort()).toEqual([TRUST_MARK.assuranceLevel3, TRUST_MARK.careProviderSystem].sort());
    // Every leaf here has refreshed at least once; the anchor's own metrics count its answers by route and status.
    const metrics = await (await fetch(`${anchor.entityId}/metrics`)).text();
    const answers = (status: string) =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith('http_server_request_duration_seconds_count') && l.includes('route="/trust-mark"') && l.includes(`status="${status}"`));
    expect(answers('200').length).toBeGreaterThan(0);
    expect(answers('404')).toEqual([]);
  });
});

describe('token endpoint and route policy', () => {
  test('a care provider system with a treatment basis gets a token and is let through', async () => {
    const res = await ehr.kernel.trust!.client.fetch(`${target.url}/fhir/$ping`, { basis });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { parameter: { valueString: string }[] };
    expect(body.parameter.map((p) => p.valueString)).toEqual([ehr.url, HSA]);
  });

  test('no token is 401 MESH-AUTH-001; a forged or foreign token is 401 MESH-AUTH-002', async () => {
    const none = await fetch(`${target.url}/fhir/$ping`);
    expect(none.status).toBe(401);
    expect(issueCode(await none.json())).toBe('MESH-AUTH-001');
    const ehrOwn = await ehr.kernel.trust!.client.token(ehr.url!); // a token for another audience
    const foreign = await fetch(`${target.url}/fhir/$ping`, { headers: { authorization: `Bearer ${ehrOwn}` } });
    expect(foreign.status).toBe(401);
    expect(issueCode(await foreign.json())).toBe('MESH-AUTH-002');
  });

  test('a valid token without the required trust mark gets 403, and the refusal is audited', async () => {
    const res = await national.kernel.trust!.client.fetch(`${target.url}/fhir/$ping`, { basis: { ...basis, organisation: { hsaId: 'SE2321000016-N001' } } });
    expect(res.status).toBe(403);
    expect(issueCode(await res.json())).toBe('MESH-AUTH-003');
    const { rows } = await target.kernel.db.query<{ resource: any }>(`SELECT content AS resource FROM res_auditevent WHERE content->>'outcome' = '4'`);
    const refused = rows.map((r) => r.resource).find((a) => a.agent[0].who.identifier?.value === national.url);
    expect(refused).toBeDefined();
    expect(refused.outcomeDesc).toMatch(/MESH-AUTH-003/);
  });

  test('a basis without the purpose the route serves gets 403 MESH-AUTH-004', async () => {
    const res = await ehr.kernel.trust!.client.fetch(`${target.url}/fhir/$ping`, { basis: { ...basis, purposeOfUse: PURPOSE.administration } });
    expect(res.status).toBe(403);
    expect(issueCode(await res.json())).toBe('MESH-AUTH-004');
  });

  test('grant type, missing assertion, wrong aud, expired and future iat, replay, scope, basis: each refused with its OAuth code', async () => {
    expect((await tokenRequest({ grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
    expect((await tokenRequest({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION })).body.error).toBe('invalid_request');
    const wrongAud = await tokenRequest(grant(await assertionBy(ehr, { aud: `${target.url}/other` })));
    expect([wrongAud.status, wrongAud.body.error]).toEqual([401, 'invalid_client']);
    const now = Math.floor(Date.now() / 1000);
    expect((await tokenRequest(grant(await assertionBy(ehr, { iat: now - 600, exp: now - 300 })))).body).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringMatching(/expired/),
    });
    expect((await tokenRequest(grant(await assertionBy(ehr, { iat: now + 600, exp: now + 660 })))).body).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringMatching(/future/),
    });
    const once = await assertionBy(ehr);
    expect((await tokenRequest(grant(once))).status).toBe(200);
    expect((await tokenRequest(grant(once))).body).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/replay/) });
    expect((await tokenRequest({ ...grant(await assertionBy(ehr)), scope: 'everything' })).body.error).toBe('invalid_scope');
    const badPurpose = {
      'hl7-b2b': { version: '1', organization_id: `urn:oid:1.2.752.129.2.1.4.1#${HSA}`, purpose_of_use: ['urn:oid:2.16.840.1.113883.5.8#SHOPPING'] },
    };
    expect((await tokenRequest(grant(await assertionBy(ehr, { extensions: badPurpose })))).body.error).toBe('invalid_request');
    const otherOrg = {
      'hl7-b2b': { version: '1', organization_id: 'urn:oid:1.2.752.129.2.1.4.1#SE2321000016-Z999', purpose_of_use: ['urn:oid:2.16.840.1.113883.5.8#TREAT'] },
    };
    expect((await tokenRequest(grant(await assertionBy(ehr, { extensions: otherOrg })))).body).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/may not act for/),
    });
  });

  test('replay protection lives in PostgreSQL, where every replica sees it', async () => {
    const { rows } = await target.kernel.db.query<{ n: number }>('SELECT count(*)::int AS n FROM auth_jti WHERE issuer = $1', [ehr.url]);
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});

describe('federation membership', () => {
  test('an unknown entity, a broken chain and an entity without trust marks are refused', async () => {
    const stranger = await startTestService(caller('stranger'), {}, { anchor, trustMarks: [], authorised: false });
    try {
      const noMarks = await tokenRequest(grant(await assertionBy(stranger)));
      expect([noMarks.status, noMarks.body.error]).toEqual([400, 'unauthorized_client']);
      // Registered with keys that are not its own: its configuration no longer verifies.
      const other = await startTestService(caller('other'), {}, { anchor, trustMarks: ['national-service'], authorised: false });
      await anchor.admin('PUT', '/admin/entities', { entity_id: stranger.url, jwks: other.kernel.trust!.keys.publicJwks() });
      target.kernel.trust!.resolver.clear();
      const broken = await tokenRequest(grant(await assertionBy(stranger)));
      expect(broken.body).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/trust chain/) });
      await other.close();
      expect((await anchor.admin('DELETE', '/admin/entities', { entity_id: stranger.url })).status).toBe(200);
      target.kernel.trust!.resolver.clear();
      const unknown = await tokenRequest(grant(await assertionBy(stranger)));
      expect(unknown.body).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/Unknown entity/) });
    } finally {
      await stranger.close();
    }
  });

  test('a revoked trust mark takes effect within the status cache lifetime', async () => {
    const provider = await startTestService(
      caller('provider'),
      { TRUST_MARK_STATUS_TTL: STATUS_TTL },
      { anchor, trustMarks: ['care-provider-system'], hsaId: HSA, authorised: false },
    );
    try {
      expect((await tokenRequest(grant(await assertionBy(provider)))).status).toBe(200);
      const rev = await anchor.admin('POST', '/admin/trust-marks/revoke', {
        entity_id: provider.url,
        trust_mark_type: 'care-provider-system',
        reason: 'contract ended',
      });
      expect(rev.body.revoked).toBe(1);
      await new Promise((r) => setTimeout(r, Number(STATUS_TTL) * 1000 + 200));
      const after = await tokenRequest(grant(await assertionBy(provider)));
      expect(after.body).toMatchObject({ error: 'unauthorized_client', error_description: expect.stringMatching(/revoked/) });
      const audit = await anchor.service.kernel.db.query<{ d: string }>(`SELECT content->>'outcomeDesc' AS d FROM res_auditevent`);
      expect(audit.rows.map((r) => r.d)).toEqual(
        expect.arrayContaining([expect.stringMatching(/revoked .*care-provider-system.*contract ended/), expect.stringMatching(/registered/)]),
      );
    } finally {
      await provider.close();
    }
  });

  test("the caller's key rollover: the new key signs, the old one verifies until it retires", async () => {
    const keys = ehr.kernel.trust!.keys;
    const old = await assertionBy(ehr);
    await keys.rotate(60);
    await anchor.enrol(ehr.url!, keys.publicJwks(), { trustMarks: [] });
    target.kernel.trust!.resolver.clear();
    expect(keys.publicJwks().keys).toHaveLength(2);
    expect((await tokenRequest(grant(old))).status).toBe(200);
    expect((await tokenRequest(grant(await signClientAssertion(keys, ehr.url!, tokenUrl())))).status).toBe(200);
  });
});
