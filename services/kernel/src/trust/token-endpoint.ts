import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../telemetry/logger.ts';
import type { AccessTokens } from './access-token.ts';
import { parseBasis } from './basis.ts';
import type { TrustChainResolver } from './chain.ts';
import { ACCEPTED_ALGS, JWT_BEARER_ASSERTION, TOKEN_PATH, TRUST_MARK } from './constants.ts';
import { nowSeconds, peek } from './jwt.ts';
import { OAuthError, TrustError } from './oauth-error.ts';
import type { JtiStore } from './replay.ts';
import type { TrustMarkVerifier } from './trust-marks.ts';

export interface TokenEndpointParts {
  readonly entityId: () => string;
  readonly resolver: TrustChainResolver;
  readonly marks: TrustMarkVerifier;
  readonly jti: JtiStore;
  readonly tokens: AccessTokens;
  readonly logger: Logger;
  readonly assertionMaxAge: number;
  /** Trust marks of which a caller must hold at least one to get a token at all. */
  readonly acceptedMarks: readonly string[];
}

const CLOCK_SKEW = 60;
const SCOPE_RE = /^(system|user|patient)\/[A-Za-z*]+\.(\*|read|write|[cruds]+)$/;

/**
 * `POST /auth/token`: SMART Backend Services client credentials with a `private_key_jwt`
 * assertion signed by the caller's federation key. The caller is known only through its trust
 * chain to our anchor; each refusal is an RFC 6749 §5.2 / RFC 7523 §3.2 error and a log line.
 */
export function registerTokenEndpoint(app: FastifyInstance, p: TokenEndpointParts): void {
  app.post(TOKEN_PATH, async (request, reply) => {
    let client: string | undefined;
    try {
      const form = request.body;
      if (!(form instanceof URLSearchParams)) throw new OAuthError('invalid_request', 'Send the token request as application/x-www-form-urlencoded');
      client = form.get('client_id') ?? undefined;
      const result = await exchange(form, p);
      client = result.client;
      request.log.info({ client, trustMarks: result.trustMarks, purposeOfUse: result.purposeOfUse }, 'access token issued');
      return reply
        .header('cache-control', 'no-store')
        .send({ access_token: result.token, token_type: 'Bearer', expires_in: result.expiresIn, scope: result.scope });
    } catch (err) {
      const oe = err instanceof OAuthError ? err : undefined;
      if (!oe) throw err;
      request.log.warn({ client, error: oe.error, reason: oe.toBody().error_description }, 'token request refused');
      return reply
        .code(oe.status)
        .header('cache-control', 'no-store')
        .headers(oe.status === 401 ? { 'www-authenticate': 'Bearer error="invalid_client"' } : {})
        .send(oe.toBody());
    }
  });
}

async function exchange(form: URLSearchParams, p: TokenEndpointParts) {
  const grantType = form.get('grant_type');
  if (!grantType) throw new OAuthError('invalid_request', 'grant_type is missing');
  if (grantType !== 'client_credentials') throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported; use client_credentials`);
  if (form.get('client_assertion_type') !== JWT_BEARER_ASSERTION)
    throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
  const assertion = form.get('client_assertion');
  if (!assertion) throw new OAuthError('invalid_request', 'client_assertion is missing');
  const peeked = peek(assertion);
  if (!peeked) throw new OAuthError('invalid_request', 'client_assertion is not a JWT');
  const iss = typeof peeked.payload.iss === 'string' ? peeked.payload.iss.replace(/\/$/, '') : undefined;
  if (!iss) throw new OAuthError('invalid_client', 'The client assertion has no iss');
  if (peeked.payload.sub !== peeked.payload.iss)
    throw new OAuthError('invalid_client', "The client assertion must have sub equal to iss (the caller's entity id)");
  const clientId = form.get('client_id');
  if (clientId !== null && clientId.replace(/\/$/, '') !== iss)
    throw new OAuthError('invalid_client', `client_id ${clientId} is not the assertion's iss ${iss}`);

  const resolved = await p.resolver.resolve(iss).catch((err: unknown) => {
    if (err instanceof TrustError) {
      if (err.kind === 'unknown-entity') throw new OAuthError('invalid_client', `Unknown entity ${iss}: ${err.message}`);
      throw new OAuthError('invalid_client', `No valid trust chain from ${iss} to ${p.resolver.anchor.entityId}: ${err.message}`);
    }
    throw err;
  });

  const audience = `${p.entityId()}${TOKEN_PATH}`;
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(assertion, createLocalJWKSet({ keys: [...resolved.jwks.keys] }), {
      algorithms: ACCEPTED_ALGS,
      audience,
      clockTolerance: CLOCK_SKEW,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
    }));
  } catch (err) {
    const e = err as { code?: string; claim?: string; message?: string };
    if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'aud')
      throw new OAuthError('invalid_client', `The client assertion's aud must be ${audience}`);
    if (e.code === 'ERR_JWT_EXPIRED') throw new OAuthError('invalid_client', 'The client assertion has expired');
    if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') throw new OAuthError('invalid_client', `The client assertion is invalid: ${e.message}`);
    throw new OAuthError('invalid_client', `The client assertion is not signed by a key of ${iss} in its trust chain (${e.code ?? e.message})`);
  }
  const now = nowSeconds();
  const iat = claims.iat!;
  const exp = claims.exp!;
  if (iat > now + CLOCK_SKEW) throw new OAuthError('invalid_client', `The client assertion's iat lies ${iat - now} s in the future`);
  if (exp - iat > p.assertionMaxAge)
    throw new OAuthError('invalid_client', `The client assertion lives ${exp - iat} s; at most ${p.assertionMaxAge} s are accepted`);
  if (now - iat > p.assertionMaxAge) throw new OAuthError('invalid_client', 'The client assertion was issued too long ago');
  if (!(await p.jti.claim(iss, String(claims.jti), exp)))
    throw new OAuthError('invalid_client', `The client assertion's jti ${String(claims.jti)} was used before (replay)`);

  const scope = form.get('scope') ?? 'system/*.*';
  const scopes = scope.split(' ').filter(Boolean);
  const bad = scopes.filter((s) => !SCOPE_RE.test(s));
  if (bad.length || scopes.length === 0)
    throw new OAuthError('invalid_scope', `Unsupported scope ${bad.join(' ') || '(empty)'}; use SMART system scopes such as system/*.read`);

  const basis = parseBasis(claims.extensions);
  const { valid, rejected } = await p.marks.verifyAll(iss, resolved.configuration.trust_marks);
  const held = valid.filter((m) => p.acceptedMarks.includes(m.type));
  if (held.length === 0)
    throw new OAuthError(
      'unauthorized_client',
      `${iss} holds no valid trust mark this service accepts (${p.acceptedMarks.join(', ')})${rejected.length ? `; rejected: ${rejected.join('; ')}` : ''}`,
    );
  const care = held.find((m) => m.type === TRUST_MARK.careProviderSystem);
  if (care && basis.organisation && typeof care.claims.hsa_id === 'string' && care.claims.hsa_id !== basis.organisation.hsaId)
    throw new OAuthError('invalid_grant', `${iss} is the system of ${care.claims.hsa_id} and may not act for ${basis.organisation.hsaId}`);
  const trustMarks = [...new Set(held.map((m) => m.type))];
  const { token, expiresIn } = await p.tokens.issue(iss, trustMarks, basis, scopes.join(' '));
  return { client: iss, token, expiresIn, scope: scopes.join(' '), trustMarks, purposeOfUse: basis.purposeOfUse };
}
