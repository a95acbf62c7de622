import {
  combinePolicies,
  JWT_TYPE,
  KeySet,
  nowSeconds,
  signJwt,
  TRUST_MARK,
  TRUST_MARK_TYPES,
  TrustChainResolver,
  TrustMarkVerifier,
  type Db,
  type FederationEntityMetadata,
  type TrustMarkStatus,
} from '@ndi-mesh/kernel';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { getEntity } from '../store/entities.ts';
import { activeMark, insertMark, markByJwt } from '../store/trust-marks.ts';
import type { FederationSettings } from '../settings.ts';
import { FEDERATION_POLICY } from './federation-policy.ts';

export class FederationRefusal extends Error {
  readonly error: string;
  readonly status: number;
  constructor(
    error: 'invalid_request' | 'not_found' | 'invalid_trust_anchor' | 'invalid_trust_chain' | 'invalid_issuer' | 'invalid_subject',
    description: string,
  ) {
    super(description);
    this.name = 'FederationRefusal';
    this.error = error;
    this.status = error === 'not_found' || error === 'invalid_trust_anchor' ? 404 : 400;
  }
}

export const PATHS = {
  fetch: '/fetch',
  list: '/list',
  resolve: '/resolve',
  trustMark: '/trust-mark',
  trustMarkStatus: '/trust-mark-status',
  trustMarkList: '/trust-mark-list',
} as const;

/**
 * The trust anchor and trust-mark issuer: signs its own entity configuration, subordinate
 * statements about registered entities, and trust marks; answers status questions about marks.
 */
export class Anchor {
  readonly keys: KeySet;
  private readonly db: Db;
  private readonly id: () => string;
  private readonly s: FederationSettings;
  private verifierCache?: { kid: string; resolver: TrustChainResolver; marks: TrustMarkVerifier };
  private readonly onKeysChanged?: () => Promise<void>;

  constructor(o: { keys: KeySet; db: Db; entityId: () => string; settings: FederationSettings; onKeysChanged?: () => Promise<void> }) {
    this.keys = o.keys;
    this.onKeysChanged = o.onKeysChanged;
    this.db = o.db;
    this.id = o.entityId;
    this.s = o.settings;
  }

  get entityId(): string {
    return this.id();
  }

  endpoints(): FederationEntityMetadata & { organization_name: string } {
    const base = this.entityId;
    return {
      organization_name: this.s.organizationName,
      federation_fetch_endpoint: `${base}${PATHS.fetch}`,
      federation_list_endpoint: `${base}${PATHS.list}`,
      federation_resolve_endpoint: `${base}${PATHS.resolve}`,
      federation_trust_mark_endpoint: `${base}${PATHS.trustMark}`,
      federation_trust_mark_status_endpoint: `${base}${PATHS.trustMarkStatus}`,
      federation_trust_mark_list_endpoint: `${base}${PATHS.trustMarkList}`,
    };
  }

  /** Rule FED-R1: the anchor lists itself as the issuer of every mesh trust mark type. */
  async entityConfiguration(): Promise<string> {
    const iat = nowSeconds();
    const id = this.entityId;
    return signJwt(this.keys, JWT_TYPE.entityStatement, {
      iss: id,
      sub: id,
      iat,
      exp: iat + this.s.statementTtl,
      jwks: this.keys.publicJwks(),
      metadata: { federation_entity: this.endpoints() },
      trust_mark_issuers: Object.fromEntries(TRUST_MARK_TYPES.map((t) => [t, [id]])),
    });
  }

  /** Subordinate statement (§3.1): the registered keys, the federation's metadata policy, expiry. */
  async subordinateStatement(sub: string): Promise<string> {
    const e = await getEntity(this.db, sub);
    if (!e) throw new FederationRefusal('not_found', `${sub} is not registered with this trust anchor`);
    const iat = nowSeconds();
    return signJwt(this.keys, JWT_TYPE.entityStatement, {
      iss: this.entityId,
      sub,
      iat,
      exp: iat + this.s.statementTtl,
      jwks: e.jwks,
      metadata_policy: combinePolicies(FEDERATION_POLICY, e.metadataPolicy),
      ...(e.metadata ? { metadata: e.metadata } : {}),
      source_endpoint: `${this.entityId}${PATHS.fetch}`,
    });
  }

  /** Issues a trust mark (§7.1) and records it; `care-provider-system` carries the provider's HSA-id (FED-R2). */
  async issueMark(type: string, sub: string, opts: { hsaId?: string; ttlSeconds?: number } = {}): Promise<string> {
    if (!TRUST_MARK_TYPES.includes(type))
      throw new FederationRefusal('invalid_request', `Unknown trust mark type ${type}; known: ${TRUST_MARK_TYPES.join(', ')}`);
    const e = await getEntity(this.db, sub);
    if (!e) throw new FederationRefusal('not_found', `${sub} is not registered; register it before granting trust marks`);
    const hsaId = opts.hsaId ?? e.hsaId;
    if (type === TRUST_MARK.careProviderSystem && !hsaId)
      throw new FederationRefusal('invalid_request', 'A care-provider-system trust mark names the provider: give its HSA-id');
    const iat = nowSeconds();
    const exp = iat + (opts.ttlSeconds ?? this.s.trustMarkTtl);
    const jwt = await signJwt(this.keys, JWT_TYPE.trustMark, {
      iss: this.entityId,
      sub,
      trust_mark_type: type,
      iat,
      exp,
      ...(hsaId && type === TRUST_MARK.careProviderSystem ? { hsa_id: hsaId } : {}),
    });
    await insertMark(this.db, { type, sub, jwt, iat, exp });
    return jwt;
  }

  async currentMark(type: string, sub: string): Promise<string | undefined> {
    return (await activeMark(this.db, type, sub))?.jwt;
  }

  /** Status of a presented mark (§8.4): invalid unless our signature verifies and we issued it. */
  async markStatus(jwt: string): Promise<TrustMarkStatus> {
    try {
      await jwtVerify(jwt, createLocalJWKSet({ keys: [...this.keys.publicJwks().keys] }), {
        typ: JWT_TYPE.trustMark,
        issuer: this.entityId,
        algorithms: ['ES256'],
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_JWT_EXPIRED') return 'invalid';
    }
    const m = await markByJwt(this.db, jwt);
    if (!m) return 'invalid';
    if (m.revokedAt) return 'revoked';
    if (Date.parse(m.expiresAt) <= Date.now()) return 'expired';
    return 'active';
  }

  async statusResponse(jwt: string): Promise<string> {
    return signJwt(this.keys, JWT_TYPE.trustMarkStatus, { iss: this.entityId, iat: nowSeconds(), trust_mark: jwt, status: await this.markStatus(jwt) });
  }

  async rotate(): Promise<string> {
    const kid = await this.keys.rotate(this.s.keyOverlap);
    this.verifierCache = undefined;
    await this.onKeysChanged?.();
    return kid;
  }

  /** A resolver pinned to our own current keys, for the resolve endpoint. */
  verifier(): { resolver: TrustChainResolver; marks: TrustMarkVerifier } {
    if (this.verifierCache?.kid !== this.keys.kid) {
      const resolver = new TrustChainResolver({ anchor: { entityId: this.entityId, jwks: this.keys.publicJwks() }, maxCacheSeconds: 0 });
      this.verifierCache = { kid: this.keys.kid, resolver, marks: new TrustMarkVerifier({ resolver, statusTtlSeconds: 0 }) };
    }
    return this.verifierCache;
  }
}
