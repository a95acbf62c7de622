import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';

/** Where oidc-provider's own endpoints live, below the service's base URL; the issuer ends with it. */
export const OIDC_PREFIX = '/oidc';

/**
 * Hands every request under /oidc to oidc-provider (a Koa application) untouched. The kernel's
 * body parsers would consume form posts to the token endpoint before oidc-provider reads them,
 * so this scope parses nothing and leaves the request stream to oidc-provider; the prefix is
 * moved to `originalUrl`, as Express does when mounting, from which oidc-provider builds its URLs.
 */
export async function mountProvider(app: FastifyInstance, provider: () => Provider): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const handler = (request: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      const url = raw.url ?? '/';
      raw.originalUrl = url;
      raw.url = url.slice(OIDC_PREFIX.length) || '/';
      provider().callback()(raw, reply.raw);
    };
    scope.route({ method: ['GET', 'POST', 'OPTIONS'], url: OIDC_PREFIX, handler });
    scope.route({ method: ['GET', 'POST', 'OPTIONS'], url: `${OIDC_PREFIX}/*`, handler });
  });
}
