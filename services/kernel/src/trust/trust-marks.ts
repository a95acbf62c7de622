import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { ACCEPTED_ALGS, JWT_TYPE, MEDIA_TYPE } from './constants.ts';
import { federationEntity } from './entity-statement.ts';
import type { TrustChainResolver } from './chain.ts';
import type { Jwks } from './keys.ts';
import { TrustError } from './oauth-error.ts';

export interface VerifiedTrustMark {
  readonly type: string;
  readonly issuer: string;
  readonly claims: JWTPayload;
}

export type TrustMarkStatus = 'active' | 'expired' | 'revoked' | 'invalid';

/**
 * Verifies trust marks (OpenID Federation 1.0 §7.3): explicitly typed `trust-mark+jwt`, about
 * the entity presenting it, issued by an issuer the anchor lists in `trust_mark_issuers` for
 * that type, signed with the issuer's federation keys, unexpired, and `active` at the issuer's
 * status endpoint. Status answers are cached for `statusTtlSeconds`: a revocation takes effect
 * here within that time.
 */
export class TrustMarkVerifier {
  private readonly resolver: TrustChainResolver;
  private readonly statusTtlMs: number;
  private readonly statusCache = new Map<string, { status: Promise<TrustMarkStatus>; until: number }>();

  constructor(options: { resolver: TrustChainResolver; statusTtlSeconds: number }) {
    this.resolver = options.resolver;
    this.statusTtlMs = options.statusTtlSeconds * 1000;
  }

  /** The valid marks among those an entity presents; the rejected ones with the reason. */
  async verifyAll(
    entityId: string,
    marks: readonly { trust_mark_type?: unknown; trust_mark?: unknown }[] | undefined,
  ): Promise<{ valid: VerifiedTrustMark[]; rejected: string[] }> {
    const valid: VerifiedTrustMark[] = [];
    const rejected: string[] = [];
    for (const m of marks ?? []) {
      try {
        if (typeof m.trust_mark !== 'string' || typeof m.trust_mark_type !== 'string')
          throw new TrustError('trust-mark', 'a trust_marks entry lacks trust_mark or trust_mark_type');
        valid.push(await this.verify(entityId, m.trust_mark_type, m.trust_mark));
      } catch (err) {
        rejected.push(`${String(m.trust_mark_type)}: ${(err as Error).message}`);
      }
    }
    return { valid, rejected };
  }

  async verify(entityId: string, type: string, jwt: string): Promise<VerifiedTrustMark> {
    const anchor = await this.resolver.anchorConfiguration();
    const claimedIss = issuerOf(jwt);
    const issuers = anchor.trust_mark_issuers?.[type];
    if (!issuers || !issuers.includes(claimedIss)) throw new TrustError('trust-mark', `${claimedIss} is not an accredited issuer of ${type}`);
    const { jwks, statusEndpoint } = await this.issuer(claimedIss);
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(jwt, createLocalJWKSet({ keys: [...jwks.keys] }), {
        typ: JWT_TYPE.trustMark,
        algorithms: ACCEPTED_ALGS,
        requiredClaims: ['iss', 'sub', 'iat'],
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new TrustError(
        'trust-mark',
        code === 'ERR_JWT_EXPIRED' ? 'the trust mark has expired' : `the trust mark does not verify (${code ?? (err as Error).message})`,
      );
    }
    if (claims.trust_mark_type !== type)
      throw new TrustError('trust-mark', `the trust mark's trust_mark_type is ${String(claims.trust_mark_type)}, not ${type}`);
    if (String(claims.sub).replace(/\/$/, '') !== entityId)
      throw new TrustError('trust-mark', `the trust mark is about ${String(claims.sub)}, not ${entityId}`);
    if (!statusEndpoint) throw new TrustError('trust-mark', `${claimedIss} publishes no federation_trust_mark_status_endpoint`);
    const status = await this.status(jwt, claimedIss, jwks, statusEndpoint);
    if (status !== 'active') throw new TrustError('trust-mark', `the issuer reports the trust mark ${status}`);
    return { type, issuer: claimedIss, claims };
  }

  private async issuer(iss: string): Promise<{ jwks: Jwks; statusEndpoint?: string }> {
    if (iss === this.resolver.anchor.entityId) {
      const anchor = await this.resolver.anchorConfiguration();
      return { jwks: anchor.jwks, statusEndpoint: federationEntity(anchor).federation_trust_mark_status_endpoint };
    }
    const resolved = await this.resolver.resolve(iss);
    return { jwks: resolved.jwks, statusEndpoint: federationEntity(resolved).federation_trust_mark_status_endpoint };
  }

  private status(jwt: string, iss: string, jwks: Jwks, endpoint: string): Promise<TrustMarkStatus> {
    const now = Date.now();
    const hit = this.statusCache.get(jwt);
    if (hit && hit.until > now) return hit.status;
    const status = askStatus(jwt, iss, jwks, endpoint);
    this.statusCache.set(jwt, { status, until: now + this.statusTtlMs });
    status.catch(() => this.statusCache.delete(jwt));
    if (this.statusCache.size > 10_000) for (const [k, v] of this.statusCache) if (v.until <= now) this.statusCache.delete(k);
    return status;
  }
}

/** Trust Mark Status request (§8.4): the mark itself by form POST; a signed status response back. */
async function askStatus(jwt: string, iss: string, jwks: Jwks, endpoint: string): Promise<TrustMarkStatus> {
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: MEDIA_TYPE.trustMarkStatus },
      body: new URLSearchParams({ trust_mark: jwt }).toString(),
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    throw new TrustError('trust-mark', `the status endpoint ${endpoint} cannot be reached (${(err as Error).message})`);
  }
  const body = (await res.text()).trim();
  if (!res.ok) throw new TrustError('trust-mark', `the status endpoint answered ${res.status}: ${body.slice(0, 200)}`);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(body, createLocalJWKSet({ keys: [...jwks.keys] }), {
      typ: JWT_TYPE.trustMarkStatus,
      algorithms: ACCEPTED_ALGS,
      issuer: iss,
      requiredClaims: ['iat'],
    }));
  } catch (err) {
    throw new TrustError('trust-mark', `the status response does not verify (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  if (payload.trust_mark !== jwt) throw new TrustError('trust-mark', 'the status response is about another trust mark');
  const status = payload.status;
  if (status !== 'active' && status !== 'expired' && status !== 'revoked' && status !== 'invalid')
    throw new TrustError('trust-mark', `unknown trust mark status ${String(status)}`);
  return status;
}

function issuerOf(jwt: string): string {
  try {
    const iss = (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown }).iss;
    if (typeof iss === 'string') return iss.replace(/\/$/, '');
  } catch {
    // fall through
  }
  throw new TrustError('trust-mark', 'the trust mark is not a JWT with an iss');
}
