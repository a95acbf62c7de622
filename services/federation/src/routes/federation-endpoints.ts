import { JWT_TYPE, MEDIA_TYPE, nowSeconds, signJwt, TrustError, WELL_KNOWN_FEDERATION, type Db } from '@ndi-mesh/kernel';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FederationRefusal, PATHS, type Anchor } from '../domain/anchor.ts';
import { listEntities } from '../store/entities.ts';
import { markedEntities, marksOf } from '../store/trust-marks.ts';

/** The OpenID Federation 1.0 endpoints of the trust anchor (§8); errors are §8.9 JSON bodies. */
export function registerFederationEndpoints(app: FastifyInstance, anchor: Anchor, db: Db): void {
  const jwt = (reply: FastifyReply, type: string, body: string) => reply.header('cache-control', 'no-store').type(type).send(body);
  const q = (request: FastifyRequest) => request.query as Record<string, string | string[] | undefined>;

  app.get(WELL_KNOWN_FEDERATION, async (_request, reply) => jwt(reply, MEDIA_TYPE.entityStatement, await anchor.entityConfiguration()));

  app.get(
    PATHS.fetch,
    guarded(async (request, reply) => {
      const sub = single(q(request), 'sub', true)!;
      if (sub === anchor.entityId)
        throw new FederationRefusal('invalid_request', 'The anchor issues no subordinate statement about itself; fetch its entity configuration');
      return jwt(reply, MEDIA_TYPE.entityStatement, await anchor.subordinateStatement(sub));
    }),
  );

  app.get(
    PATHS.list,
    guarded(async (request, reply) => {
      const query = q(request);
      const intermediate = single(query, 'intermediate');
      // The anchor has leaf subordinates only; asking for intermediates gives none (§8.2.1).
      if (intermediate === 'true') return reply.send([]);
      const entities = await listEntities(db, { entityType: single(query, 'entity_type'), trustMarkType: single(query, 'trust_mark_type') });
      const trustMarked = single(query, 'trust_marked') === 'true';
      const ids: string[] = [];
      for (const e of entities)
        if (!trustMarked || (await marksOf(db, e.entityId)).some((m) => !m.revokedAt && Date.parse(m.expiresAt) > Date.now())) ids.push(e.entityId);
      return reply.send(ids);
    }),
  );

  app.get(
    PATHS.resolve,
    guarded(async (request, reply) => {
      const query = q(request);
      const sub = single(query, 'sub', true)!.replace(/\/$/, '');
      const trustAnchor = single(query, 'trust_anchor', true)!.replace(/\/$/, '');
      const entityTypes = many(query, 'entity_type');
      if (trustAnchor !== anchor.entityId) throw new FederationRefusal('invalid_trust_anchor', `This resolver serves the trust anchor ${anchor.entityId} only`);
      const { resolver, marks } = anchor.verifier();
      const resolved = await resolver.resolve(sub).catch((err: unknown) => {
        if (err instanceof TrustError)
          throw err.kind === 'unknown-entity' ? new FederationRefusal('not_found', err.message) : new FederationRefusal('invalid_trust_chain', err.message);
        throw err;
      });
      const { valid } = await marks.verifyAll(sub, resolved.configuration.trust_marks);
      const metadata = entityTypes.length ? Object.fromEntries(Object.entries(resolved.metadata).filter(([t]) => entityTypes.includes(t))) : resolved.metadata;
      const presented = resolved.configuration.trust_marks ?? [];
      const body = await signJwt(anchor.keys, JWT_TYPE.resolveResponse, {
        iss: anchor.entityId,
        sub,
        iat: nowSeconds(),
        exp: resolved.exp,
        metadata,
        trust_marks: presented.filter((m) => valid.some((v) => v.type === m.trust_mark_type)),
        trust_chain: resolved.trustChain,
      });
      return jwt(reply, MEDIA_TYPE.resolveResponse, body);
    }),
  );

  app.get(
    PATHS.trustMark,
    guarded(async (request, reply) => {
      const query = q(request);
      const type = single(query, 'trust_mark_type', true)!;
      const sub = single(query, 'sub', true)!;
      const mark = await anchor.currentMark(type, sub);
      if (!mark) throw new FederationRefusal('not_found', `${sub} holds no valid ${type} trust mark`);
      return jwt(reply, MEDIA_TYPE.trustMark, mark);
    }),
  );

  app.post(
    PATHS.trustMarkStatus,
    guarded(async (request, reply) => {
      const form = request.body;
      if (!(form instanceof URLSearchParams)) throw new FederationRefusal('invalid_request', 'Send trust_mark as application/x-www-form-urlencoded');
      const mark = form.get('trust_mark');
      if (!mark) throw new FederationRefusal('invalid_request', 'trust_mark is required');
      return jwt(reply, MEDIA_TYPE.trustMarkStatus, await anchor.statusResponse(mark));
    }),
  );

  app.get(
    PATHS.trustMarkList,
    guarded(async (request, reply) => {
      const query = q(request);
      const type = single(query, 'trust_mark_type', true)!;
      return reply.send(await markedEntities(db, type, single(query, 'sub')));
    }),
  );
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Maps refusals to the §8.9 error response: `{ error, error_description }` as application/json. */
function guarded(handler: Handler): Handler {
  return async (request, reply) => {
    try {
      return await handler(request, reply);
    } catch (err) {
      if (!(err instanceof FederationRefusal)) throw err;
      request.log.info({ error: err.error, reason: err.message, url: request.url }, 'federation request refused');
      return reply.code(err.status).type('application/json').send({ error: err.error, error_description: err.message });
    }
  };
}

function single(query: Record<string, string | string[] | undefined>, name: string, required = false): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw new FederationRefusal('invalid_request', `${name} may be given once`);
  if (required && !v) throw new FederationRefusal('invalid_request', `${name} is required`);
  return v || undefined;
}

function many(query: Record<string, string | string[] | undefined>, name: string): string[] {
  const v = query[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
