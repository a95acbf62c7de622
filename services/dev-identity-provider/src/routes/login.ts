import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Directory } from '../directory.ts';
import { errorPage, homePage, loginPage, STYLESHEET, STYLESHEET_PATH } from '../pages.ts';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'";

function htmlReply(reply: FastifyReply, status: number, body: { value: string }): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(body.value);
}

/**
 * The login interaction: a page listing the synthetic people, and the two answers to it (sign
 * in as one of them, or cancel). The interaction itself is bound to the browser by
 * oidc-provider's SameSite cookie, so a cross-site form cannot complete it.
 */
export function registerLogin(app: FastifyInstance, provider: () => Provider, directory: Directory, clientName: string): void {
  const people = new Map(directory.people.map((p) => [p.sub, p]));

  app.get(STYLESHEET_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(STYLESHEET));

  app.get('/', async (_request, reply) => htmlReply(reply, 200, homePage(provider().issuer, directory.people)));

  app.get('/directory', async () => directory);

  app.get<{ Params: { uid: string } }>('/interaction/:uid', async (request, reply) => {
    const details = await interaction(provider(), request, reply);
    if (!details) return reply;
    return htmlReply(reply, 200, loginPage(details.uid, clientName, directory.people));
  });

  app.post<{ Params: { uid: string } }>('/interaction/:uid/login', async (request, reply) => {
    const details = await interaction(provider(), request, reply);
    if (!details) return reply;
    const account = request.body instanceof URLSearchParams ? request.body.get('account') : null;
    if (!account || !people.has(account)) return htmlReply(reply, 400, errorPage('Unknown person', 'Choose one of the people listed on the sign-in page.'));
    const to = await provider().interactionResult(request.raw, reply.raw, { login: { accountId: account } }, { mergeWithLastSubmission: false });
    return reply.redirect(to, 303);
  });

  app.post<{ Params: { uid: string } }>('/interaction/:uid/abort', async (request, reply) => {
    const details = await interaction(provider(), request, reply);
    if (!details) return reply;
    const to = await provider().interactionResult(
      request.raw,
      reply.raw,
      { error: 'access_denied', error_description: 'The person cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
    return reply.redirect(to, 303);
  });
}

/** The pending interaction of this browser, or an error page when there is none (expired, or another browser's). */
async function interaction(provider: Provider, request: FastifyRequest<{ Params: { uid: string } }>, reply: FastifyReply) {
  try {
    const details = await provider.interactionDetails(request.raw, reply.raw);
    if (details.uid !== request.params.uid) throw new Error('interaction mismatch');
    return details;
  } catch {
    htmlReply(
      reply,
      400,
      errorPage('Sign-in expired', 'This sign-in has expired or belongs to another browser. Go back to the application and sign in again.'),
    );
    return undefined;
  }
}
