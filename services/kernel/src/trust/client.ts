import { randomUUID } from 'node:crypto';
import { traceHeaders } from '../telemetry/tracing.ts';
import { basisExtensions, type BasisInput } from './basis.ts';
import { JWT_BEARER_ASSERTION, TOKEN_PATH } from './constants.ts';
import { nowSeconds, signJwt } from './jwt.ts';
import type { KeySet } from './keys.ts';

/** A client assertion (RFC 7523, SMART Backend Services) carrying the authorisation basis. */
export async function signClientAssertion(keys: KeySet, entityId: string, tokenEndpoint: string, basis?: BasisInput, lifetimeSeconds = 60): Promise<string> {
  const iat = nowSeconds();
  return signJwt(keys, 'JWT', {
    iss: entityId,
    sub: entityId,
    aud: tokenEndpoint,
    iat,
    exp: iat + lifetimeSeconds,
    jti: randomUUID(),
    ...(basis ? { extensions: basisExtensions(basis) } : {}),
  });
}

export class TokenRequestError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(`token request refused (${status}): ${JSON.stringify(body)}`);
    this.name = 'TokenRequestError';
    this.status = status;
    this.body = body;
  }
}

export interface CallOptions extends RequestInit {
  /** The authorisation basis for this call; calls with different bases get different tokens. */
  readonly basis?: BasisInput;
  readonly scope?: string;
}

/**
 * Outgoing calls to other mesh services: obtains an access token from the target's
 * `/auth/token` with a fresh client assertion, caches it per audience and basis until shortly
 * before it expires, sends it with W3C trace context, and retries once with a new token on 401.
 */
export class FederatedClient {
  private readonly keys: KeySet;
  private readonly entityId: () => string;
  private readonly tokens = new Map<string, { token: Promise<{ token: string; exp: number }> }>();

  constructor(options: { keys: KeySet; entityId: () => string }) {
    this.keys = options.keys;
    this.entityId = options.entityId;
  }

  async token(audience: string, basis?: BasisInput, scope = 'system/*.*'): Promise<string> {
    const aud = new URL(audience).origin;
    const key = `${aud} ${scope} ${JSON.stringify(basis ?? null)}`;
    const hit = this.tokens.get(key);
    if (hit) {
      const t = await hit.token.catch(() => undefined);
      if (t && t.exp - 10 > nowSeconds()) return t.token;
    }
    const token = this.requestToken(aud, basis, scope);
    this.tokens.set(key, { token });
    token.catch(() => this.tokens.delete(key));
    return (await token).token;
  }

  async fetch(url: string, init: CallOptions = {}): Promise<Response> {
    const { basis, scope, ...rest } = init;
    const send = async (token: string) => {
      const headers = new Headers(rest.headers);
      headers.set('authorization', `Bearer ${token}`);
      for (const [k, v] of Object.entries(traceHeaders())) headers.set(k, v);
      return fetch(url, { ...rest, headers });
    };
    const res = await send(await this.token(url, basis, scope));
    if (res.status !== 401) return res;
    await res.body?.cancel();
    this.forget(url);
    return send(await this.token(url, basis, scope));
  }

  forget(audience: string): void {
    const aud = new URL(audience).origin;
    for (const k of this.tokens.keys()) if (k.startsWith(`${aud} `)) this.tokens.delete(k);
  }

  private async requestToken(aud: string, basis: BasisInput | undefined, scope: string): Promise<{ token: string; exp: number }> {
    const endpoint = `${aud}${TOKEN_PATH}`;
    const assertion = await signClientAssertion(this.keys, this.entityId(), endpoint, basis);
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...traceHeaders() },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: JWT_BEARER_ASSERTION,
        client_assertion: assertion,
        client_id: this.entityId(),
        scope,
      }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!res.ok || !body.access_token) throw new TokenRequestError(res.status, body);
    return { token: body.access_token, exp: nowSeconds() + (body.expires_in ?? 60) };
  }
}
