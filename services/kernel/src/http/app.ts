import { randomUUID } from 'node:crypto';
import { context } from '@opentelemetry/api';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FhirError } from '../errors/index.ts';
import type { Db } from '../storage/db.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { endSpan, startServerSpan, traceIdOf } from '../telemetry/tracing.ts';
import { ANONYMOUS, type Caller, type RequestContext } from './context.ts';
import { toFhirError } from './errors-to-outcome.ts';
import type { FhirRequest } from './fhir-request.ts';
import type { FhirRouter } from './fhir-router.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const FORMATS = new Set(['json', 'application/json', 'application/fhir+json']);

export interface AppOptions {
  readonly service: string;
  readonly router: FhirRouter;
  readonly db: Db;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly bodyLimit: number;
  /** Public base URL of the service; when absent, links are built from the request's Host. */
  readonly baseUrl?: string;
  /** Establishes the caller; the federation's token verification plugs in here. */
  readonly authenticate?: (request: FastifyRequest) => Promise<Caller>;
  /** Extra readiness checks (dependencies), each resolving or throwing. */
  readonly readiness?: readonly (() => Promise<void>)[];
}

declare module 'fastify' {
  interface FastifyRequest {
    fhirContext?: RequestContext;
  }
}

/**
 * The HTTP face of a service: FHIR JSON in and out, every error as an OperationOutcome, trace
 * context in, metrics out, and the FHIR router behind `/fhir`. Non-FHIR routes (admin UIs,
 * federation endpoints) are added by the service on the returned instance.
 */
export function createApp(o: AppOptions): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: o.logger as FastifyBaseLogger,
    // Request lines are logged by our onResponse hook (refusals only), not per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.bodyLimit,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/fhir+json'], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      done(new FhirError('MESH-HTTP-001', `The body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, new URLSearchParams(body as string)));

  app.addHook('onRequest', async (request, reply) => {
    const { span, ctx } = startServerSpan(`${request.method} ${request.url.split('?')[0]}`, request.headers);
    (request as unknown as { span: typeof span }).span = span;
    (request as unknown as { otelCtx: typeof ctx }).otelCtx = ctx;
    reply.header('x-request-id', request.id);
    const traceId = traceIdOf(span);
    if (traceId) reply.header('x-trace-id', traceId);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = (request as unknown as { span?: Parameters<typeof endSpan>[0] }).span;
    if (span) endSpan(span, reply.statusCode);
    const route = request.routeOptions.url ?? 'unmatched';
    o.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (loggedAsRefusal(route, reply.statusCode))
      request.log.info({ status: reply.statusCode, method: request.method, url: request.url, ms: Math.round(reply.elapsedTime) }, 'request refused');
  });

  app.setErrorHandler((err, request, reply) => {
    const fe = toFhirError(err);
    if (fe.status >= 500) request.log.error({ err, url: request.url }, 'unhandled error');
    void reply.code(fe.status).headers(fe.headers).type(FHIR_JSON).send(fe.toOperationOutcome());
  });
  app.setNotFoundHandler((request, reply) => {
    const fe = new FhirError('MESH-HTTP-004', `Nothing is served at ${request.method} ${request.url.split('?')[0]}`);
    void reply.code(fe.status).type(FHIR_JSON).send(fe.toOperationOutcome());
  });

  app.get('/health', async () => ({ status: 'pass', service: o.service }));
  app.get('/ready', async (request, reply) => {
    try {
      await o.db.query('SELECT 1');
      for (const check of o.readiness ?? []) await check();
      return { status: 'pass', service: o.service };
    } catch (err) {
      const fe = new FhirError('MESH-SRV-001', `Not ready: ${(err as Error).message}`);
      request.log.debug({ reason: (err as Error).message }, 'not ready');
      return reply.code(503).type(FHIR_JSON).send(fe.toOperationOutcome());
    }
  });
  app.get('/metrics', async (_request, reply) => reply.type(o.metrics.registry.contentType).send(await o.metrics.registry.metrics()));

  const fhirHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const [path = '', rawQuery = ''] = request.url.split('?', 2) as [string, string?];
    const query = new URLSearchParams(rawQuery);
    negotiate(request, query);
    const fhirBase = o.baseUrl ? `${o.baseUrl}/fhir` : `${request.protocol}://${request.host}/fhir`;
    const caller = o.authenticate ? await o.authenticate(request) : { ...ANONYMOUS, clientAddress: request.ip };
    const span = (request as unknown as { span?: Parameters<typeof traceIdOf>[0] }).span;
    const ctx: RequestContext = { requestId: request.id, fhirBase, caller, traceId: span ? traceIdOf(span) : undefined };
    request.fhirContext = ctx;
    const fhirRequest: FhirRequest = {
      method: request.method as FhirRequest['method'],
      segments: segmentsOf(path),
      query,
      body: request.body,
      ifMatch: header(request, 'if-match'),
      ifNoneExist: header(request, 'if-none-exist'),
      prefer: header(request, 'prefer'),
    };
    const otelCtx = (request as unknown as { otelCtx?: Parameters<typeof context.with>[0] }).otelCtx;
    const run = () => o.router.handle(ctx, fhirRequest);
    const response = otelCtx ? await context.with(otelCtx, run) : await run();
    reply.code(response.status);
    if (response.headers) reply.headers(response.headers);
    if (response.raw) return reply.type(response.raw.contentType).send(response.raw.body);
    if (response.body === undefined) return reply.send();
    return reply.type(FHIR_JSON).send(response.body);
  };
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
  app.route({ method: [...methods], url: '/fhir', handler: fhirHandler });
  app.route({ method: [...methods], url: '/fhir/*', handler: fhirHandler });
  return app;
}

/** The probes answer the platform (the launcher, Kubernetes): a 503 from `/ready` while a service starts is an answer, not a refused request. */
const PROBE_ROUTES = new Set(['/health', '/ready']);

/** Whether a finished request is logged as refused: every 4xx and 5xx, except a probe's answer. */
export function loggedAsRefusal(route: string, status: number): boolean {
  return status >= 400 && !PROBE_ROUTES.has(route);
}

function segmentsOf(path: string): string[] {
  const below = path.replace(/^\/fhir\/?/, '');
  try {
    return below.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new FhirError('MESH-HTTP-004', 'The path is not valid percent-encoding');
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** JSON is the only format served: `_format` and `Accept` asking for anything else get 406. */
function negotiate(request: FastifyRequest, query: URLSearchParams): void {
  const format = query.get('_format');
  if (format !== null && !FORMATS.has(format)) throw new FhirError('MESH-HTTP-006', `_format=${format}: this server speaks FHIR JSON only`);
  const accept = header(request, 'accept');
  if (accept && !/json|application\/jwt|\*\/\*|application\/\*/.test(accept))
    throw new FhirError('MESH-HTTP-006', `Accept: ${accept}: this server speaks application/fhir+json only`);
}
