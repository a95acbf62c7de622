import type { FastifyInstance } from 'fastify';
import type { Logger } from '../telemetry/logger.ts';
import type { TrustChainResolver } from './chain.ts';
import { JWT_TYPE, MEDIA_TYPE, TOKEN_PATH, WELL_KNOWN_FEDERATION } from './constants.ts';
import { federationEntity, type FederationEntityMetadata } from './entity-statement.ts';
import { nowSeconds, signJwt } from './jwt.ts';
import type { KeySet } from './keys.ts';

export interface LeafParts {
  readonly entityId: () => string;
  readonly title: string;
  readonly keys: KeySet;
  readonly resolver: TrustChainResolver;
  readonly logger: Logger;
  readonly statementTtl: number;
  readonly refreshSeconds: number;
}

/**
 * This service as a leaf entity: its self-signed entity configuration, naming the anchor in
 * `authority_hints` and carrying the trust marks issued to it. It learns its marks the standard
 * way: for each type the anchor lists in `trust_mark_issuers`, it asks that issuer's trust mark
 * endpoint (§8.6), and refreshes them every `refreshSeconds`.
 */
export class LeafEntity {
  private readonly p: LeafParts;
  private marks: { trust_mark_type: string; trust_mark: string }[] = [];
  private fetchedAt = 0;
  private inflight?: Promise<void>;

  constructor(parts: LeafParts) {
    this.p = parts;
  }

  register(app: FastifyInstance): void {
    app.get(WELL_KNOWN_FEDERATION, async (_request, reply) => reply.type(MEDIA_TYPE.entityStatement).send(await this.configuration()));
  }

  async configuration(): Promise<string> {
    await this.refreshMarks();
    const id = this.p.entityId();
    const iat = nowSeconds();
    return signJwt(this.p.keys, JWT_TYPE.entityStatement, {
      iss: id,
      sub: id,
      iat,
      exp: iat + this.p.statementTtl,
      jwks: this.p.keys.publicJwks(),
      authority_hints: [this.p.resolver.anchor.entityId],
      metadata: {
        federation_entity: { organization_name: this.p.title },
        oauth_authorization_server: {
          issuer: id,
          token_endpoint: `${id}${TOKEN_PATH}`,
          grant_types_supported: ['client_credentials'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
          token_endpoint_auth_signing_alg_values_supported: ['ES256'],
        },
        oauth_resource: { resource: id },
        oauth_client: { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256' },
      },
      ...(this.marks.length ? { trust_marks: this.marks } : {}),
    });
  }

  /** The trust marks currently published (the verifier checks each again on every use). */
  get trustMarks(): readonly { trust_mark_type: string; trust_mark: string }[] {
    return this.marks;
  }

  async refreshMarks(force = false): Promise<void> {
    if (!force && Date.now() - this.fetchedAt < this.p.refreshSeconds * 1000) return;
    this.inflight ??= this.fetchMarks().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetchMarks(): Promise<void> {
    try {
      const anchor = await this.p.resolver.anchorConfiguration();
      const id = this.p.entityId();
      const found: { trust_mark_type: string; trust_mark: string }[] = [];
      for (const [type, issuers] of Object.entries(anchor.trust_mark_issuers ?? {})) {
        for (const issuer of issuers) {
          const fe = issuer === this.p.resolver.anchor.entityId ? federationEntity(anchor) : federationEntity(await this.p.resolver.resolve(issuer));
          const endpoint = fe.federation_trust_mark_endpoint;
          if (!endpoint || !(await this.mayHold(fe, type, id))) continue;
          const url = new URL(endpoint);
          url.searchParams.set('trust_mark_type', type);
          url.searchParams.set('sub', id);
          const res = await fetch(url, { headers: { accept: MEDIA_TYPE.trustMark }, signal: AbortSignal.timeout(5000) });
          if (res.ok) found.push({ trust_mark_type: type, trust_mark: (await res.text()).trim() });
          else await res.body?.cancel();
        }
      }
      this.marks = found;
      this.fetchedAt = Date.now();
    } catch (err) {
      // Keep publishing what we had: the verifiers check each mark's status anyway.
      this.p.logger.warn({ err: (err as Error).message }, 'could not refresh own trust marks');
      this.fetchedAt = Date.now() - Math.max(0, this.p.refreshSeconds - 5) * 1000;
    }
  }

  /**
   * Asks the issuer's trust-marked entities listing (OpenID Federation 1.0, `trust_mark_type` and
   * `sub`) whether this entity holds a mark of the type: it answers 200 either way, so the issuer
   * is not sent a request it must refuse (and log) for every type this entity does not hold, at
   * every refresh. Without a listing endpoint, or when it fails, the mark itself is asked for.
   */
  private async mayHold(fe: FederationEntityMetadata, type: string, id: string): Promise<boolean> {
    if (!fe.federation_trust_mark_list_endpoint) return true;
    const url = new URL(fe.federation_trust_mark_list_endpoint);
    url.searchParams.set('trust_mark_type', type);
    url.searchParams.set('sub', id);
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    if (!res.ok) {
      await res.body?.cancel();
      return true;
    }
    const listed = (await res.json()) as unknown;
    return !Array.isArray(listed) || listed.includes(id);
  }
}
