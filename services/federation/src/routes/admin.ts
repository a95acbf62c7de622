import { TRUST_MARK_TYPES, isHsaId, trustMarkType, type AuditFacts, type Caller, type Jwks, type Kernel, type RequestContext } from '@ndi-mesh/kernel';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FederationRefusal, type Anchor } from '../domain/anchor.ts';
import type { OperatorAuth } from '../operator-auth.ts';
import { deleteEntity, getEntity, listEntities, upsertEntity } from '../store/entities.ts';
import { marksOf, revokeMarks } from '../store/trust-marks.ts';

const ENTITY_TYPES = ['federation_entity', 'oauth_client', 'oauth_authorization_server', 'oauth_resource', 'openid_relying_party', 'openid_provider'];

/**
 * Onboarding: register an entity (id, keys, entity types, organisation HSA-id), grant and revoke
 * trust marks, rotate the anchor's key. Operator token required; every change is audited in the
 * transaction that makes it.
 */
export function registerAdmin(app: FastifyInstance, kernel: Kernel, anchor: Anchor, auth: OperatorAuth): void {
  const operator = async (request: FastifyRequest): Promise<RequestContext> => {
    const caller: Caller = { ...(await auth.verify(request.headers.authorization)), clientAddress: request.ip };
    return { requestId: request.id, fhirBase: `${anchor.entityId}/fhir`, caller };
  };
  const audited = <T>(ctx: RequestContext, facts: AuditFacts, fn: (tx: import('@ndi-mesh/kernel').Tx) => Promise<T>) =>
    kernel.db.transaction(async (tx) => {
      const out = await fn(tx);
      await kernel.router.audit(tx, ctx, facts);
      return out;
    });
  const refuse = (reply: import('fastify').FastifyReply, err: unknown) => {
    if (err instanceof FederationRefusal) return reply.code(err.status).send({ error: err.error, error_description: err.message });
    throw err;
  };

  app.get('/admin/entities', async (request) => {
    await operator(request);
    const entities = await listEntities(kernel.db);
    return Promise.all(
      entities.map(async (e) => ({
        entity_id: e.entityId,
        entity_types: e.entityTypes,
        hsa_id: e.hsaId,
        jwks: e.jwks,
        registered_at: e.registeredAt,
        updated_at: e.updatedAt,
        trust_marks: (await marksOf(kernel.db, e.entityId)).map((m) => ({
          trust_mark_type: m.type,
          issued_at: m.issuedAt,
          expires_at: m.expiresAt,
          revoked_at: m.revokedAt,
          revoked_reason: m.revokedReason,
        })),
      })),
    );
  });

  app.put('/admin/entities', async (request, reply) => {
    const ctx = await operator(request);
    try {
      const b = body(request);
      const entityId = entityIdOf(b.entity_id);
      const jwks = publicJwks(b.jwks);
      const entityTypes = stringList(b.entity_types ?? ['federation_entity', 'oauth_client', 'oauth_resource'], 'entity_types');
      const unknown = entityTypes.filter((t) => !ENTITY_TYPES.includes(t));
      if (unknown.length) throw new FederationRefusal('invalid_request', `Unknown entity types ${unknown.join(', ')}`);
      if (b.hsa_id !== undefined && !isHsaId(b.hsa_id))
        throw new FederationRefusal('invalid_request', `hsa_id ${JSON.stringify(b.hsa_id)} is not a valid HSA-id`);
      const record = {
        entityId,
        jwks,
        entityTypes,
        hsaId: b.hsa_id as string | undefined,
        metadata: objectOr(b.metadata, 'metadata'),
        metadataPolicy: objectOr(b.metadata_policy, 'metadata_policy'),
      };
      const created = await audited(
        ctx,
        {
          interaction: 'create',
          action: 'C',
          outcome: 'success',
          description: `federation: registered ${entityId} (${entityTypes.join(', ')}${record.hsaId ? `, ${record.hsaId}` : ''})`,
        },
        (tx) => upsertEntity(tx, record as Parameters<typeof upsertEntity>[1]),
      );
      request.log.info({ entityId, created }, 'entity registered');
      return reply.code(created ? 201 : 200).send({ entity_id: entityId, created });
    } catch (err) {
      return refuse(reply, err);
    }
  });

  app.delete('/admin/entities', async (request, reply) => {
    const ctx = await operator(request);
    try {
      const entityId = entityIdOf(body(request).entity_id);
      const removed = await audited(
        ctx,
        { interaction: 'delete', action: 'D', outcome: 'success', description: `federation: removed ${entityId} and revoked its trust marks` },
        async (tx) => {
          await revokeMarks(tx, entityId, undefined, 'entity removed from the federation');
          return deleteEntity(tx, entityId);
        },
      );
      if (!removed) throw new FederationRefusal('not_found', `${entityId} is not registered`);
      return reply.send({ entity_id: entityId, removed });
    } catch (err) {
      return refuse(reply, err);
    }
  });

  app.post('/admin/trust-marks', async (request, reply) => {
    const ctx = await operator(request);
    try {
      const b = body(request);
      const entityId = entityIdOf(b.entity_id);
      const type = trustMarkType(String(b.trust_mark_type ?? ''));
      if (b.hsa_id !== undefined && !isHsaId(b.hsa_id))
        throw new FederationRefusal('invalid_request', `hsa_id ${JSON.stringify(b.hsa_id)} is not a valid HSA-id`);
      const ttl = b.ttl_seconds === undefined ? undefined : Number(b.ttl_seconds);
      if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0))
        throw new FederationRefusal('invalid_request', 'ttl_seconds must be a positive whole number');
      const jwt = await anchor.issueMark(type, entityId, { hsaId: b.hsa_id as string | undefined, ttlSeconds: ttl });
      await audited(
        ctx,
        { interaction: 'create', action: 'C', outcome: 'success', description: `federation: granted ${type} to ${entityId}` },
        async () => undefined,
      );
      return reply.code(201).send({ entity_id: entityId, trust_mark_type: type, trust_mark: jwt });
    } catch (err) {
      return refuse(reply, err);
    }
  });

  app.post('/admin/trust-marks/revoke', async (request, reply) => {
    const ctx = await operator(request);
    try {
      const b = body(request);
      const entityId = entityIdOf(b.entity_id);
      const type = b.trust_mark_type === undefined ? undefined : trustMarkType(String(b.trust_mark_type));
      if (type && !TRUST_MARK_TYPES.includes(type)) throw new FederationRefusal('invalid_request', `Unknown trust mark type ${type}`);
      const reason = typeof b.reason === 'string' && b.reason ? b.reason : 'revoked by the operator';
      const revoked = await audited(
        ctx,
        { interaction: 'update', action: 'U', outcome: 'success', description: `federation: revoked ${type ?? 'every trust mark'} of ${entityId}: ${reason}` },
        (tx) => revokeMarks(tx, entityId, type, reason),
      );
      if (revoked === 0 && !(await getEntity(kernel.db, entityId))) throw new FederationRefusal('not_found', `${entityId} is not registered`);
      return reply.send({ entity_id: entityId, revoked });
    } catch (err) {
      return refuse(reply, err);
    }
  });

  app.post('/admin/keys/rotate', async (request, reply) => {
    const ctx = await operator(request);
    const kid = await anchor.rotate();
    await audited(
      ctx,
      { interaction: 'update', action: 'U', outcome: 'success', description: `federation: anchor key rolled over to ${kid}` },
      async () => undefined,
    );
    return reply.send({ kid, jwks: anchor.keys.publicJwks() });
  });
}

function body(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  if (!b || typeof b !== 'object' || Array.isArray(b) || b instanceof URLSearchParams) throw new FederationRefusal('invalid_request', 'Send a JSON object');
  return b as Record<string, unknown>;
}

function entityIdOf(v: unknown): string {
  if (typeof v !== 'string') throw new FederationRefusal('invalid_request', 'entity_id is required');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new FederationRefusal('invalid_request', `entity_id ${v} is not a URL`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash)
    throw new FederationRefusal('invalid_request', `entity_id ${v} must be an http(s) URL without query or fragment`);
  return v.replace(/\/$/, '');
}

function publicJwks(v: unknown): Jwks {
  const keys = (v as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new FederationRefusal('invalid_request', 'jwks must be a JWK Set with at least one key');
  for (const k of keys as Record<string, unknown>[]) {
    if (typeof k?.kty !== 'string' || typeof k.kid !== 'string') throw new FederationRefusal('invalid_request', 'every key in jwks needs kty and kid');
    if ('d' in k || 'p' in k || 'k' in k)
      throw new FederationRefusal('invalid_request', `key ${String(k.kid)} holds private or symmetric key material; register public keys only`);
  }
  return { keys } as Jwks;
}

function stringList(v: unknown, name: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new FederationRefusal('invalid_request', `${name} must be a list of strings`);
  return v as string[];
}

function objectOr(v: unknown, name: string): Record<string, Record<string, never>> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new FederationRefusal('invalid_request', `${name} must be a JSON object`);
  return v as Record<string, Record<string, never>>;
}
