import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { FhirError } from '../errors/index.ts';
import type { Caller } from '../http/context.ts';
import type { AuthorisationBasis } from './basis.ts';
import { JWT_TYPE } from './constants.ts';
import { nowSeconds, signJwt } from './jwt.ts';
import type { KeySet } from './keys.ts';

/** The claims of our access tokens (RFC 9068 JWT profile, plus the verified trust marks and basis). */
interface AccessClaims {
  iss: string;
  aud: string;
  sub: string;
  client_id: string;
  iat: number;
  exp: number;
  jti: string;
  scope: string;
  trust_marks: string[];
  basis: AuthorisationBasis;
}

const MAX_CACHED = 20_000;

/**
 * Access tokens a service issues for itself (`iss` = `aud` = its entity id) and verifies on every
 * request. A token verified once is cached until it expires, so the hot path is one Map lookup;
 * only the first use pays for the ES256 signature check.
 */
export class AccessTokens {
  private readonly keys: KeySet;
  private readonly entityId: () => string;
  private readonly ttlSeconds: number;
  private readonly verified = new Map<string, { caller: Caller; exp: number }>();
  private keySet?: { kid: string; get: ReturnType<typeof createLocalJWKSet> };

  constructor(options: { keys: KeySet; entityId: () => string; ttlSeconds: number }) {
    this.keys = options.keys;
    this.entityId = options.entityId;
    this.ttlSeconds = options.ttlSeconds;
  }

  async issue(client: string, trustMarks: readonly string[], basis: AuthorisationBasis, scope: string): Promise<{ token: string; expiresIn: number }> {
    const iat = nowSeconds();
    const claims: AccessClaims = {
      iss: this.entityId(),
      aud: this.entityId(),
      sub: client,
      client_id: client,
      iat,
      exp: iat + this.ttlSeconds,
      jti: randomUUID(),
      scope,
      trust_marks: [...trustMarks],
      basis,
    };
    return { token: await signJwt(this.keys, JWT_TYPE.accessToken, { ...claims }), expiresIn: this.ttlSeconds };
  }

  /** The caller a bearer token stands for; MESH-AUTH-002 when it is not one of ours or has expired. */
  async verify(token: string, clientAddress?: string): Promise<Caller> {
    const now = nowSeconds();
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.exp > now) return clientAddress ? { ...hit.caller, clientAddress } : hit.caller;
      this.verified.delete(token);
      throw new FhirError('MESH-AUTH-002', 'The access token has expired; get a new one at /auth/token', {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    let claims: AccessClaims;
    try {
      if (this.keySet?.kid !== this.keys.kid) this.keySet = { kid: this.keys.kid, get: createLocalJWKSet({ keys: [...this.keys.publicJwks().keys] }) };
      const { payload } = await jwtVerify(token, this.keySet.get, {
        typ: JWT_TYPE.accessToken,
        algorithms: ['ES256'],
        issuer: this.entityId(),
        audience: this.entityId(),
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      claims = payload as unknown as AccessClaims;
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new FhirError(
        'MESH-AUTH-002',
        code === 'ERR_JWT_EXPIRED'
          ? 'The access token has expired; get a new one at /auth/token'
          : `The access token is not valid here (${code ?? 'malformed'})`,
        {
          'www-authenticate': 'Bearer error="invalid_token"',
        },
      );
    }
    const caller: Caller = { authenticated: true, entityId: claims.sub, trustMarks: claims.trust_marks ?? [], ...(claims.basis ?? {}) };
    if (this.verified.size >= MAX_CACHED) this.evict(now);
    this.verified.set(token, { caller, exp: claims.exp });
    return clientAddress ? { ...caller, clientAddress } : caller;
  }

  private evict(now: number): void {
    for (const [k, v] of this.verified) if (v.exp <= now) this.verified.delete(k);
    // Still full: drop the oldest (Map keeps insertion order); they are re-verified if used again.
    for (const k of this.verified.keys()) {
      if (this.verified.size < MAX_CACHED * 0.9) break;
      this.verified.delete(k);
    }
  }
}
