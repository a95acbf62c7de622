import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditFacts } from '../audit/audit-event.ts';
import { FhirError } from '../errors/index.ts';
import { ANONYMOUS, type Caller, type RequestContext } from '../http/context.ts';
import type { FhirRequest } from '../http/fhir-request.ts';
import type { Db } from '../storage/db.ts';
import type { Logger } from '../telemetry/logger.ts';
import { AccessTokens } from './access-token.ts';
import { TrustChainResolver } from './chain.ts';
import { FederatedClient } from './client.ts';
import { TRUST_MARK_TYPES } from './constants.ts';
import { KeySet, type Jwks } from './keys.ts';
import { LeafEntity } from './leaf-configuration.ts';
import { enforce, policyFor, type AccessPolicy } from './policy.ts';
import { JtiStore } from './replay.ts';
import { routeTarget, type RouteTarget } from './route-target.ts';
import { registerTokenEndpoint } from './token-endpoint.ts';
import { TrustMarkVerifier } from './trust-marks.ts';
import type { TrustSettings } from './trust-settings.ts';

/** What a service declares about trust: its route policy, and which marks may get a token at all. */
export interface TrustDefinition {
  readonly policy: AccessPolicy;
  /** Default: every mesh trust mark type. */
  readonly acceptedTrustMarks?: readonly string[];
}

export interface TrustParts {
  readonly service: string;
  readonly title: string;
  readonly dataDir: string;
  readonly baseUrl?: string;
  readonly db: Db;
  readonly logger: Logger;
  readonly settings: TrustSettings;
  readonly definition: TrustDefinition;
}

/** File name of an entity's federation keys in its data directory. */
export const FEDERATION_KEYS_FILE = 'federation-keys.json';

/**
 * The kernel's trust module for one service: its keys and leaf entity configuration, the token
 * endpoint, bearer-token authentication, per-route policy with audited refusals, and a client
 * for calls to other services.
 */
export class Trust {
  readonly keys: KeySet;
  readonly resolver: TrustChainResolver;
  readonly marks: TrustMarkVerifier;
  readonly tokens: AccessTokens;
  readonly client: FederatedClient;
  readonly leaf: LeafEntity;
  private readonly p: TrustParts;
  private readonly jti: JtiStore;
  private app?: FastifyInstance;

  private constructor(p: TrustParts, keys: KeySet, anchor: { entityId: string; jwks: Jwks }) {
    this.p = p;
    this.keys = keys;
    const entityId = () => this.entityId();
    this.resolver = new TrustChainResolver({ anchor, maxCacheSeconds: p.settings.chainCacheMax });
    this.marks = new TrustMarkVerifier({ resolver: this.resolver, statusTtlSeconds: p.settings.trustMarkStatusTtl });
    this.tokens = new AccessTokens({ keys, entityId, ttlSeconds: p.settings.accessTokenTtl });
    this.client = new FederatedClient({ keys, entityId });
    this.jti = new JtiStore(p.db);
    this.leaf = new LeafEntity({
      entityId,
      title: p.title,
      keys,
      resolver: this.resolver,
      logger: p.logger,
      statementTtl: p.settings.statementTtl,
      refreshSeconds: p.settings.ownMarksRefresh,
    });
  }

  static async create(p: TrustParts): Promise<Trust> {
    if (!p.settings.anchor)
      throw new Error(
        `${p.service}: FEDERATION_ANCHOR is not set; every service with a trust policy needs its trust anchor (see implementation-guides/federation)`,
      );
    if (!p.settings.anchorJwks)
      throw new Error(`${p.service}: FEDERATION_ANCHOR_JWKS is not set; give the anchor's public keys (a JWKS file or JSON), obtained out of band`);
    const keys = await KeySet.open(join(p.dataDir, FEDERATION_KEYS_FILE));
    return new Trust(p, keys, { entityId: p.settings.anchor, jwks: loadJwks(p.settings.anchorJwks) });
  }

  /** The entity id is the service's public base URL; without BASE_URL, the address it listens on. */
  entityId(): string {
    if (this.p.baseUrl) return this.p.baseUrl.replace(/\/$/, '');
    const address = this.app?.server.address() as AddressInfo | null | undefined;
    if (!address || typeof address !== 'object') throw new Error(`${this.p.service}: the entity id is known once the service listens (or set BASE_URL)`);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  }

  register(app: FastifyInstance): void {
    this.app = app;
    this.leaf.register(app);
    registerTokenEndpoint(app, {
      entityId: () => this.entityId(),
      resolver: this.resolver,
      marks: this.marks,
      jti: this.jti,
      tokens: this.tokens,
      logger: this.p.logger,
      assertionMaxAge: this.p.settings.assertionMaxAge,
      acceptedMarks: this.p.definition.acceptedTrustMarks ?? TRUST_MARK_TYPES,
    });
  }

  /** Establishes the caller from the bearer token; no token is an anonymous caller, a bad one is 401. */
  authenticate = async (request: FastifyRequest): Promise<Caller> => {
    const header = request.headers.authorization;
    if (!header) return { ...ANONYMOUS, clientAddress: request.ip };
    const m = /^Bearer +([A-Za-z0-9\-_.]+)$/i.exec(header);
    if (!m)
      throw new FhirError('MESH-AUTH-002', 'The Authorization header must be "Bearer <access token>"', {
        'www-authenticate': 'Bearer error="invalid_request"',
      });
    return this.tokens.verify(m[1]!, request.ip);
  };

  /**
   * Enforces the route's policy. A refusal of an authenticated caller (403) is audited in a
   * transaction of its own, so the record stays although the request fails.
   */
  authorize = async (
    ctx: RequestContext,
    req: FhirRequest,
    audit: (tx: Parameters<Parameters<Db['transaction']>[0]>[0], facts: AuditFacts) => Promise<void>,
  ): Promise<void> => {
    const target = routeTarget(req);
    if (!target) return;
    const what = describe(target);
    try {
      enforce(policyFor(this.p.definition.policy, target), ctx.caller, what);
    } catch (err) {
      if (err instanceof FhirError && err.status === 403) {
        this.p.logger.warn({ caller: ctx.caller.entityId, code: err.code, what }, 'request refused by route policy');
        await this.p.db.transaction((tx) =>
          audit(tx, {
            interaction: auditInteraction(target),
            action: auditAction(target),
            outcome: 'refused',
            what: target.resourceType && target.id ? `${target.resourceType}/${target.id}` : undefined,
            description: `${err.code}: ${err.issues[0]?.diagnostics ?? ''}`,
          }),
        );
      }
      throw err;
    }
  };
}

function loadJwks(value: string): Jwks {
  const text = value.trim().startsWith('{') ? value : readFileSync(value, 'utf8');
  const jwks = JSON.parse(text) as Jwks;
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new Error('FEDERATION_ANCHOR_JWKS holds no keys');
  return jwks;
}

function describe(t: RouteTarget): string {
  if (t.interaction === 'operation') return `$${t.operation}${t.resourceType ? ` on ${t.resourceType}` : ''}`;
  if (t.interaction === 'batch') return 'a batch or transaction';
  return `${t.interaction} of ${t.resourceType}${t.id ? `/${t.id}` : ''}`;
}

function auditInteraction(t: RouteTarget): string {
  return t.interaction === 'operation' ? 'operation' : t.interaction === 'batch' ? 'batch' : t.interaction;
}

function auditAction(t: RouteTarget): AuditFacts['action'] {
  switch (t.interaction) {
    case 'create':
      return 'C';
    case 'update':
    case 'conditional-update':
      return 'U';
    case 'delete':
      return 'D';
    case 'read':
    case 'vread':
      return 'R';
    default:
      return 'E';
  }
}
