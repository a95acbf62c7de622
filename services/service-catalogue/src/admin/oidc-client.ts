import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { AdminSettings } from './settings.ts';
import type { Person } from './session.ts';

interface Discovery {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly userinfo_endpoint?: string;
  readonly end_session_endpoint?: string;
}

/** A sign-in that cannot complete; `message` is shown to the person, `detail` goes to the log. */
export class SignInError extends Error {
  override name = 'SignInError';
  readonly detail: string;

  constructor(message: string, detail: string) {
    super(message);
    this.detail = detail;
  }
}

const random = () => randomBytes(32).toString('base64url');
const DISCOVERY_TTL_MS = 3600_000;

/**
 * The relying-party side of OpenID Connect for the admin UI: authorization code flow with PKCE
 * (S256), state and nonce, client_secret_basic at the token endpoint, and the ID token verified
 * with jose against the issuer's published keys (issuer, audience, expiry, nonce). Claims missing
 * from the ID token are taken from the userinfo endpoint.
 */
export class OidcClient {
  private readonly s: AdminSettings;
  private discovery?: { value: Discovery; at: number };
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(settings: AdminSettings) {
    this.s = settings;
  }

  async metadata(): Promise<Discovery> {
    if (this.discovery && Date.now() - this.discovery.at < DISCOVERY_TTL_MS) return this.discovery.value;
    const url = `${this.s.issuer}/.well-known/openid-configuration`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    } catch (err) {
      throw new SignInError('The sign-in service cannot be reached right now. Try again in a moment.', `${url}: ${(err as Error).message}`);
    }
    if (!res.ok) throw new SignInError('The sign-in service cannot be reached right now. Try again in a moment.', `${url} answered ${res.status}`);
    const value = (await res.json()) as Discovery;
    // OpenID Connect Discovery §4.3: the document must name exactly the issuer it was fetched for.
    if (value.issuer !== this.s.issuer)
      throw new SignInError('The sign-in service is misconfigured.', `discovery names issuer ${value.issuer}, expected ${this.s.issuer}`);
    this.discovery = { value, at: Date.now() };
    this.jwks = createRemoteJWKSet(new URL(value.jwks_uri));
    return value;
  }

  /** Starts a sign-in: where to send the browser, and what to remember until it comes back. */
  async start(redirectUri: string): Promise<{ url: string; state: string; nonce: string; verifier: string }> {
    const meta = await this.metadata();
    const state = random();
    const nonce = random();
    const verifier = random();
    const url = new URL(meta.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.s.clientId,
      redirect_uri: redirectUri,
      scope: this.s.scope,
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...(this.s.prompt ? { prompt: this.s.prompt } : {}),
    }).toString();
    return { url: url.href, state, nonce, verifier };
  }

  /** Exchanges the code and returns the verified person. */
  async finish(params: { code: string; verifier: string; nonce: string; redirectUri: string }): Promise<Person> {
    const meta = await this.metadata();
    const res = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(this.s.clientId)}:${encodeURIComponent(this.s.clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.code,
        redirect_uri: params.redirectUri,
        code_verifier: params.verifier,
      }).toString(),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json().catch(() => ({}))) as { id_token?: string; access_token?: string; error?: string; error_description?: string };
    if (!res.ok || !body.id_token)
      throw new SignInError(
        'The sign-in could not be completed. Please sign in again.',
        `token endpoint: ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`,
      );
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(body.id_token, this.jwks!, {
        issuer: meta.issuer,
        audience: this.s.clientId,
        algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      }));
    } catch (err) {
      throw new SignInError('The sign-in could not be verified. Please sign in again.', `ID token: ${(err as Error).message}`);
    }
    if (claims.nonce !== params.nonce) throw new SignInError('The sign-in could not be verified. Please sign in again.', 'ID token nonce does not match');
    if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp !== this.s.clientId)
      throw new SignInError('The sign-in could not be verified. Please sign in again.', 'ID token azp is not this client');
    const merged = { ...(await this.userinfo(meta, body.access_token, claims)), ...claims };
    return this.person(merged);
  }

  /** Claims the ID token lacks, from userinfo (whose `sub` must be the ID token's). */
  private async userinfo(meta: Discovery, accessToken: string | undefined, claims: JWTPayload): Promise<Record<string, unknown>> {
    const wanted = [this.s.hsaIdClaim, this.s.organisationClaim, this.s.rolesClaim];
    if (wanted.every((c) => c in claims) || !meta.userinfo_endpoint || !accessToken) return {};
    const res = await fetch(meta.userinfo_endpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) return {};
    const info = (await res.json()) as Record<string, unknown>;
    return info.sub === claims.sub ? info : {};
  }

  private person(c: Record<string, unknown>): Person {
    const str = (name: string) => (typeof c[name] === 'string' ? (c[name] as string) : undefined);
    const hsaId = str(this.s.hsaIdClaim);
    const organisationHsaId = str(this.s.organisationClaim);
    if (!hsaId || !organisationHsaId)
      throw new SignInError(
        'Your sign-in did not say which HSA-id and organisation you have, so you cannot use the catalogue administration.',
        `claims ${this.s.hsaIdClaim} or ${this.s.organisationClaim} missing`,
      );
    const raw = c[this.s.rolesClaim];
    const roles = Array.isArray(raw) ? raw.filter((r): r is string => typeof r === 'string') : typeof raw === 'string' ? raw.split(/\s+/).filter(Boolean) : [];
    const name = str('name') ?? ([str('given_name'), str('family_name')].filter(Boolean).join(' ') || hsaId);
    return { sub: String(c.sub), name, hsaId, organisationHsaId, organisationName: str('organization_name'), roles };
  }
}
