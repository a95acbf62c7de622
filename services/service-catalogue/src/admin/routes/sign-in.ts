import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { refusalPage, signInPage } from '../views/errors.ts';
import { LOGIN_COOKIE, safeReturnTo, SESSION_COOKIE, type AdminWeb } from '../web.ts';

const LOGIN_TTL = 600;

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Sign-in (OpenID Connect authorization code flow with PKCE), its callback, and sign-out. */
export function registerSignIn(app: FastifyInstance, web: AdminWeb): void {
  app.get<{ Querystring: { 'signed-out'?: string } }>('/admin', async (request, reply) => {
    const session = await web.session(request);
    if (!session) return web.send(reply, 200, signInPage(request.query['signed-out'] !== undefined ? 'You have signed out.' : undefined));
    const areas = web.roles(session.person);
    if (areas.includes('admin')) return reply.redirect('/admin/endpoints', 303);
    if (areas.includes('support')) return reply.redirect('/admin/support', 303);
    return web.send(reply, 403, refusalPage(web.chrome(session), 'No access', 'Your account has no role in the catalogue administration.'));
  });

  app.get<{ Querystring: { returnTo?: string } }>('/admin/login', async (request, reply) => {
    const redirectUri = web.settings.redirectUri ?? `${web.base(request)}/admin/callback`;
    const start = await web.oidc.start(redirectUri);
    const sealed = await web.sealer.seal(
      'login',
      { state: start.state, nonce: start.nonce, verifier: start.verifier, redirectUri, returnTo: safeReturnTo(request.query.returnTo) },
      LOGIN_TTL,
    );
    void reply.setCookie(LOGIN_COOKIE, sealed, web.cookieOptions('/admin/callback', LOGIN_TTL));
    return reply.redirect(start.url, 303);
  });

  app.get<{ Querystring: { code?: string; state?: string; iss?: string; error?: string; error_description?: string } }>(
    '/admin/callback',
    async (request, reply) => {
      const pending = await web.sealer.open('login', request.cookies[LOGIN_COOKIE]);
      void reply.clearCookie(LOGIN_COOKIE, { path: '/admin/callback' });
      const q = request.query;
      if (!pending || !q.state || !same(q.state, pending.state))
        return web.send(reply, 400, signInPage('The sign-in took too long or was started in another window. Please sign in again.'));
      if (q.error)
        return web.send(
          reply,
          401,
          signInPage(q.error === 'access_denied' ? 'The sign-in was cancelled.' : 'The sign-in service could not sign you in. Please try again.'),
        );
      // RFC 9207: the issuer the answer claims to come from must be the one asked.
      if (q.iss !== undefined && q.iss !== web.settings.issuer)
        return web.send(reply, 400, signInPage('The sign-in answer came from an unexpected service. Please sign in again.'));
      if (!q.code) return web.send(reply, 400, signInPage('The sign-in answer was incomplete. Please sign in again.'));
      const person = await web.oidc.finish({ code: q.code, verifier: pending.verifier, nonce: pending.nonce, redirectUri: pending.redirectUri });
      if (web.roles(person).length === 0) {
        request.log.info({ hsaId: person.hsaId, roles: person.roles }, 'admin sign-in refused: no catalogue role');
        return web.send(
          reply,
          403,
          signInPage(
            `You signed in as ${person.name} (${person.hsaId}), but your account has neither the role of catalogue administrator (${web.settings.adminRole}) nor of agency support (${web.settings.supportRole}). Ask whoever manages your organisation's roles to grant one.`,
          ),
        );
      }
      const sealed = await web.sealer.seal('session', { person, csrf: randomBytes(24).toString('base64url') }, web.settings.sessionTtl);
      void reply.setCookie(SESSION_COOKIE, sealed, web.cookieOptions('/admin', web.settings.sessionTtl));
      request.log.info({ hsaId: person.hsaId, organisation: person.organisationHsaId, roles: person.roles }, 'admin signed in');
      return reply.redirect(pending.returnTo, 303);
    },
  );

  app.post('/admin/logout', async (request, reply) => {
    const session = await web.session(request);
    if (session && !web.csrfOk(request, session)) return web.refuseCsrf(reply, web.chrome(session));
    void reply.clearCookie(SESSION_COOKIE, { path: '/admin' });
    return reply.redirect('/admin?signed-out', 303);
  });
}
