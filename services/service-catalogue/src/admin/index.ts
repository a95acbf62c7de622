import { join } from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { isFhirError, type Kernel } from '@ndi-mesh/kernel';
import { OidcClient, SignInError } from './oidc-client.ts';
import { registerEndpointPages } from './routes/endpoints.ts';
import { registerSignIn } from './routes/sign-in.ts';
import { registerSupportPages } from './routes/support.ts';
import { CookieSealer, SESSION_KEY_FILE } from './session.ts';
import { readAdminSettings } from './settings.ts';
import { refusalPage, signInPage } from './views/errors.ts';
import { STYLESHEET, STYLESHEET_PATH } from './views/stylesheet.ts';
import { informationTypes } from './vocabulary.ts';
import { AdminWeb } from './web.ts';

/**
 * The catalogue's web UI for organisations at /admin (ServiceDefinition.extend): server-rendered
 * pages behind an OpenID Connect sign-in, in a Fastify scope of their own so that cookies, the
 * Content-Security-Policy and the HTML error pages apply here and not to the FHIR API.
 */
export async function registerAdmin(app: FastifyInstance, kernel: Kernel): Promise<void> {
  const settings = readAdminSettings(kernel.env);
  const web = new AdminWeb({
    kernel,
    settings,
    sealer: await CookieSealer.open(settings.sessionKey, join(kernel.settings.dataDir, SESSION_KEY_FILE)),
    oidc: new OidcClient(settings),
    informationTypes: informationTypes(),
  });
  await app.register(async (scope) => {
    await scope.register(cookie);
    await scope.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      // HSTS only where the UI is served over HTTPS; on http://127.0.0.1 it would be ignored anyway.
      strictTransportSecurity: web.secureCookies ? { maxAge: 31_536_000 } : false,
      referrerPolicy: { policy: 'same-origin' },
    });
    scope.setErrorHandler((err, request, reply) => {
      if (err instanceof SignInError) {
        request.log.warn({ detail: err.detail }, 'admin sign-in failed');
        return web.send(reply, 502, signInPage(err.message));
      }
      const status = isFhirError(err) ? err.status : 500;
      if (status >= 500) request.log.error({ err, url: request.url }, 'admin page failed');
      return web.send(
        reply,
        status,
        refusalPage(
          {},
          status >= 500 ? 'Something went wrong' : 'The request was refused',
          status >= 500 ? 'The page could not be shown. Try again; if it keeps happening, contact support.' : (err as Error).message,
          isFhirError(err) ? err.code : undefined,
        ),
      );
    });
    scope.get(STYLESHEET_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(STYLESHEET));
    registerSignIn(scope, web);
    registerEndpointPages(scope, web);
    registerSupportPages(scope, web);
  });
}
