import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kernel, RequestContext, SafeHtml } from '@ndi-mesh/kernel';
import { CatalogueAccess } from './catalogue-access.ts';
import type { OidcClient } from './oidc-client.ts';
import type { CookieSealer, Person, Session } from './session.ts';
import type { AdminSettings } from './settings.ts';
import { refusalPage } from './views/errors.ts';
import type { Chrome } from './views/layout.ts';
import type { Choice } from './vocabulary.ts';

export const SESSION_COOKIE = 'ntk_admin_session';
export const LOGIN_COOKIE = 'ntk_admin_login';

export type Area = 'admin' | 'support';

/** A signed-in request that passed the role check of its area. */
export interface Signed {
  readonly session: Session;
  readonly person: Person;
  readonly chrome: Chrome;
  readonly ctx: RequestContext;
}

/** What the admin routes share: settings, the session cookies, the OIDC client, the catalogue. */
export class AdminWeb {
  readonly kernel: Kernel;
  readonly settings: AdminSettings;
  readonly sealer: CookieSealer;
  readonly oidc: OidcClient;
  readonly access: CatalogueAccess;
  readonly secureCookies: boolean;
  readonly informationTypes: readonly Choice[];

  constructor(p: { kernel: Kernel; settings: AdminSettings; sealer: CookieSealer; oidc: OidcClient; informationTypes: readonly Choice[] }) {
    this.kernel = p.kernel;
    this.settings = p.settings;
    this.sealer = p.sealer;
    this.oidc = p.oidc;
    this.access = new CatalogueAccess(p.kernel);
    this.informationTypes = p.informationTypes;
    this.secureCookies = p.settings.secureCookies ?? p.kernel.settings.baseUrl?.startsWith('https:') ?? false;
  }

  /** The catalogue's public base, as configured or as the browser reached it. */
  base(request: FastifyRequest): string {
    return this.kernel.settings.baseUrl ?? `${request.protocol}://${request.host}`;
  }

  roles(person: Person): Area[] {
    const out: Area[] = [];
    if (person.roles.includes(this.settings.adminRole)) out.push('admin');
    if (person.roles.includes(this.settings.supportRole)) out.push('support');
    return out;
  }

  chrome(session: Session): Chrome {
    const areas = this.roles(session.person);
    const nav: [string, string][] = [];
    if (areas.includes('admin')) nav.push(['/admin/endpoints', 'Your endpoints']);
    if (areas.includes('support')) nav.push(['/admin/support', 'All organisations']);
    return { person: session.person, csrf: session.csrf, nav };
  }

  async session(request: FastifyRequest): Promise<Session | undefined> {
    return this.sealer.open('session', request.cookies[SESSION_COOKIE]);
  }

  cookieOptions(path: string, maxAge: number) {
    return { path, maxAge, httpOnly: true, sameSite: 'lax' as const, secure: this.secureCookies };
  }

  send(reply: FastifyReply, status: number, page: SafeHtml): FastifyReply {
    return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page.value);
  }

  /**
   * The signed-in person of a page in `area`, or the answer already sent: the sign-in page for
   * nobody, a 403 page for a person without the area's role.
   */
  async require(request: FastifyRequest, reply: FastifyReply, area: Area): Promise<Signed | undefined> {
    const session = await this.session(request);
    if (!session) {
      const back = request.method === 'GET' ? `?returnTo=${encodeURIComponent(request.url)}` : '';
      void reply.redirect(`/admin/login${back}`, 303);
      return undefined;
    }
    const chrome = this.chrome(session);
    if (!this.roles(session.person).includes(area)) {
      const role = area === 'admin' ? this.settings.adminRole : this.settings.supportRole;
      this.send(reply, 403, refusalPage(chrome, 'You do not have access to this page', `This page needs the role ${role}, which your account does not have.`));
      return undefined;
    }
    const role = area === 'admin' ? this.settings.adminRole : this.settings.supportRole;
    const caller = await this.access.caller(session.person, role, request.ip);
    const ctx: RequestContext = { requestId: request.id, fhirBase: `${this.base(request)}/fhir`, caller };
    return { session, person: session.person, chrome, ctx };
  }

  /**
   * CSRF: the form's synchroniser token must equal the session's, and a browser that names the
   * page's origin must name this one. SameSite=Lax cookies already keep most cross-site posts out.
   */
  csrfOk(request: FastifyRequest, session: Session): boolean {
    const origin = request.headers.origin;
    if (origin && origin !== 'null' && origin !== this.base(request)) return false;
    const sent = request.body instanceof URLSearchParams ? (request.body.get('_csrf') ?? '') : '';
    const a = Buffer.from(sent);
    const b = Buffer.from(session.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  refuseCsrf(reply: FastifyReply, chrome: Chrome): FastifyReply {
    return this.send(
      reply,
      403,
      refusalPage(
        chrome,
        'The form has expired',
        'The form was sent from another page or an earlier sign-in, so nothing was changed. Open the page again and repeat the change.',
      ),
    );
  }
}

/** Only paths inside the admin UI are returned to after sign-in (no open redirect). */
export function safeReturnTo(value: string | undefined): string {
  return value && /^\/admin(\/[A-Za-z0-9\-._~/?=&%]*)?$/.test(value) && !value.startsWith('//') && !value.includes('//') ? value : '/admin';
}
