import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { ACCEPTED_ALGS, JWT_TYPE, MEDIA_TYPE } from './constants.ts';
import { federationEntity, wellKnownUrl, type EntityStatement } from './entity-statement.ts';
import type { Jwks } from './keys.ts';
import { applyPolicy, combinePolicies, overrideMetadata, type Metadata, type MetadataPolicy } from './metadata-policy.ts';
import { TrustError } from './oauth-error.ts';

export interface TrustAnchorConfig {
  readonly entityId: string;
  /** The anchor's keys, obtained out of band (pinned): never taken from the network. */
  readonly jwks: Jwks;
}

export interface ResolvedEntity {
  readonly entityId: string;
  /** The entity's own configuration, verified with the keys its superior vouches for. */
  readonly configuration: EntityStatement;
  /** Metadata after the superiors' `metadata` and `metadata_policy` were applied. */
  readonly metadata: Metadata;
  /** The entity's keys as its immediate superior states them. */
  readonly jwks: Jwks;
  /** Leaf entity configuration first, trust anchor's configuration last (§4). */
  readonly trustChain: readonly string[];
  /** Seconds since the epoch when the first statement of the chain expires. */
  readonly exp: number;
}

interface Upward {
  readonly tail: string[];
  readonly keys: Jwks;
  readonly policy: MetadataPolicy;
  readonly override?: Metadata;
  readonly exp: number;
}

const MAX_DEPTH = 5;

/**
 * Resolves and verifies trust chains from an entity up to our one trust anchor: every
 * entity configuration and subordinate statement is signature-checked with the keys of the
 * statement above it (the anchor's with the pinned keys), explicitly typed, unexpired, with
 * matching iss/sub; metadata policy is combined top-down and applied. Results are cached
 * until the first statement of the chain expires (and at most `maxCacheSeconds`).
 */
export class TrustChainResolver {
  readonly anchor: TrustAnchorConfig;
  private readonly maxCacheMs: number;
  private readonly clockTolerance: number;
  private readonly cache = new Map<string, { value: Promise<ResolvedEntity>; until: number }>();
  private anchorCache?: { value: Promise<EntityStatement>; until: number };

  constructor(options: { anchor: TrustAnchorConfig; maxCacheSeconds?: number; clockToleranceSeconds?: number }) {
    this.anchor = { ...options.anchor, entityId: options.anchor.entityId.replace(/\/$/, '') };
    this.maxCacheMs = (options.maxCacheSeconds ?? 300) * 1000;
    this.clockTolerance = options.clockToleranceSeconds ?? 30;
  }

  /** The anchor's verified entity configuration (its keys, endpoints and trust_mark_issuers). */
  anchorConfiguration(): Promise<EntityStatement> {
    const now = Date.now();
    if (this.anchorCache && this.anchorCache.until > now) return this.anchorCache.value;
    const value = this.fetchConfiguration(this.anchor.entityId).then(async ({ jwt }) =>
      this.verifyStatement(jwt, this.anchor.jwks, this.anchor.entityId, this.anchor.entityId),
    );
    this.anchorCache = { value, until: now + 1000 };
    value.then(
      (st) => (this.anchorCache = { value, until: Math.min(st.exp * 1000, Date.now() + this.maxCacheMs) }),
      () => (this.anchorCache = undefined),
    );
    return value;
  }

  resolve(entityId: string): Promise<ResolvedEntity> {
    const id = entityId.replace(/\/$/, '');
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.value;
    const value = this.build(id);
    this.cache.set(id, { value, until: now + 1000 });
    value.then(
      (r) => this.cache.set(id, { value, until: Math.min(r.exp * 1000, Date.now() + this.maxCacheMs) }),
      () => this.cache.delete(id),
    );
    return value;
  }

  /** Drops every cached chain (after a key rollover, or in tests). */
  clear(): void {
    this.cache.clear();
    this.anchorCache = undefined;
  }

  private async build(entityId: string): Promise<ResolvedEntity> {
    const { jwt, claims } = await this.fetchConfiguration(entityId);
    if (claims.iss !== entityId || claims.sub !== entityId)
      throw new TrustError('broken-chain', `The entity configuration of ${entityId} has iss ${claims.iss} and sub ${claims.sub}`);
    // Self-signature first, so an unrelated document is rejected before any further fetch.
    const self = await this.verifyStatement(jwt, claims.jwks, entityId, entityId);
    const up = await this.upward(entityId, self, 0);
    const configuration = await this.verifyStatement(jwt, up.keys, entityId, entityId);
    const metadata = applyPolicy(overrideMetadata(configuration.metadata ?? {}, up.override), up.policy);
    return { entityId, configuration, metadata, jwks: up.keys, trustChain: [jwt, ...up.tail], exp: Math.min(configuration.exp, up.exp) };
  }

  /** The statements above `entityId` up to the anchor, and the keys they vouch for it. */
  private async upward(entityId: string, ec: EntityStatement, depth: number): Promise<Upward> {
    if (entityId === this.anchor.entityId) {
      const anchor = await this.anchorConfiguration();
      const { jwt } = await this.fetchConfiguration(entityId);
      return { tail: [jwt], keys: anchor.jwks, policy: {}, exp: anchor.exp };
    }
    if (depth >= MAX_DEPTH) throw new TrustError('broken-chain', `No path to the trust anchor within ${MAX_DEPTH} steps`);
    const hints = ec.authority_hints ?? [];
    if (hints.length === 0) throw new TrustError('broken-chain', `${entityId} names no authority_hints, so no chain leads to ${this.anchor.entityId}`);
    const reasons: string[] = [];
    for (const hint of hints) {
      try {
        const superiorId = hint.replace(/\/$/, '');
        const superiorEc = superiorId === this.anchor.entityId ? await this.anchorConfiguration() : (await this.fetchConfiguration(superiorId)).claims;
        const above = await this.upward(superiorId, superiorEc, depth + 1);
        const { jwt: superiorJwt } = superiorId === this.anchor.entityId ? { jwt: '' } : await this.fetchConfiguration(superiorId);
        const superior = superiorId === this.anchor.entityId ? superiorEc : await this.verifyStatement(superiorJwt, above.keys, superiorId, superiorId);
        const fetchEndpoint = federationEntity(superior).federation_fetch_endpoint;
        if (!fetchEndpoint) throw new TrustError('broken-chain', `${superiorId} publishes no federation_fetch_endpoint`);
        const url = new URL(fetchEndpoint);
        url.searchParams.set('sub', entityId);
        const ssJwt = await fetchJwt(url.toString(), MEDIA_TYPE.entityStatement, entityId);
        const ss = await this.verifyStatement(ssJwt, above.keys, superiorId, entityId);
        return {
          tail: [ssJwt, ...above.tail],
          keys: ss.jwks,
          policy: combinePolicies(above.policy, ss.metadata_policy),
          override: ss.metadata,
          exp: Math.min(ss.exp, above.exp),
        };
      } catch (err) {
        if (hints.length === 1) throw err;
        reasons.push(`${hint}: ${(err as Error).message}`);
      }
    }
    throw new TrustError('broken-chain', `No authority of ${entityId} leads to the trust anchor (${reasons.join('; ')})`);
  }

  private async fetchConfiguration(entityId: string): Promise<{ jwt: string; claims: EntityStatement }> {
    const jwt = await fetchJwt(wellKnownUrl(entityId), MEDIA_TYPE.entityStatement, entityId);
    const claims = decodeClaims(jwt, entityId);
    if (!claims.jwks || !Array.isArray(claims.jwks.keys)) throw new TrustError('broken-chain', `The entity configuration of ${entityId} has no jwks`);
    return { jwt, claims };
  }

  /** Signature, `typ`, `exp`/`iat` and iss/sub of one statement. */
  async verifyStatement(jwt: string, jwks: Jwks, iss: string, sub: string): Promise<EntityStatement> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, createLocalJWKSet({ keys: [...jwks.keys] }), {
        typ: JWT_TYPE.entityStatement,
        algorithms: ACCEPTED_ALGS,
        clockTolerance: this.clockTolerance,
        requiredClaims: ['iss', 'sub', 'iat', 'exp'],
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw new TrustError('expired', `The statement by ${iss} about ${sub} has expired`);
      throw new TrustError('broken-chain', `The statement by ${iss} about ${sub} does not verify (${code ?? (err as Error).message})`);
    }
    if (String(payload.iss).replace(/\/$/, '') !== iss || String(payload.sub).replace(/\/$/, '') !== sub)
      throw new TrustError('broken-chain', `Expected a statement by ${iss} about ${sub}, got one by ${payload.iss} about ${payload.sub}`);
    return payload as EntityStatement;
  }
}

/** GET a JWT-valued federation response; 404 means the federation does not know the entity. */
export async function fetchJwt(url: string, mediaType: string, about: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: mediaType }, signal: AbortSignal.timeout(5000) });
  } catch (err) {
    throw new TrustError('unknown-entity', `${url} cannot be reached (${(err as Error).message})`);
  }
  const body = await res.text();
  if (res.status === 404) throw new TrustError('unknown-entity', `${about} is not known at ${url}`);
  if (!res.ok) throw new TrustError('broken-chain', `${url} answered ${res.status}: ${body.slice(0, 200)}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith(mediaType)) throw new TrustError('broken-chain', `${url} answered ${type || 'no content type'}, not ${mediaType}`);
  return body.trim();
}

function decodeClaims(jwt: string, about: string): EntityStatement {
  const part = jwt.split('.')[1];
  try {
    return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as EntityStatement;
  } catch {
    throw new TrustError('broken-chain', `The entity configuration of ${about} is not a JWT`);
  }
}
