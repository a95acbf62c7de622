import Provider, { type ProviderContext } from 'oidc-provider';
import type { Db } from '@ndi-mesh/kernel';
import { claimsOf, type Directory } from './directory.ts';
import type { IdpKeys } from './keys.ts';
import { errorPage } from './pages.ts';
import { pgAdapter } from './pg-adapter.ts';
import { list, type DevIdpSettings } from './settings.ts';

/** The scope that releases the HSA claims; relying parties ask for `openid profile hsa`. */
export const HSA_SCOPE = 'hsa';
export const HSA_CLAIMS = ['hsa_id', 'organization_hsa_id', 'organization_name', 'roles'] as const;

export interface ProviderParts {
  readonly issuer: string;
  readonly db: Db;
  readonly keys: IdpKeys;
  readonly directory: Directory;
  readonly settings: DevIdpSettings;
}

/**
 * oidc-provider configured as the mesh's development identity provider: one confidential client
 * (the catalogue's admin UI, authorization code with PKCE required), the synthetic directory as
 * its accounts, our own sign-in page as the login interaction, and no consent prompt for that
 * first-party client.
 */
export function createProvider(p: ProviderParts): Provider {
  const people = new Map(p.directory.people.map((person) => [person.sub, person]));
  const provider = new Provider(p.issuer, {
    adapter: pgAdapter(p.db),
    clients: [
      {
        client_id: p.settings.clientId,
        client_secret: p.settings.clientSecret,
        redirect_uris: list(p.settings.redirectUris),
        post_logout_redirect_uris: list(p.settings.postLogoutRedirectUris),
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: p.keys.jwks,
    cookies: { keys: [...p.keys.cookieKeys] },
    claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name'], [HSA_SCOPE]: [...HSA_CLAIMS] },
    // Put the claims in the ID token too, so a relying party needs no userinfo call (it may still make one).
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, sub: string) => {
      const person = people.get(sub);
      if (!person) return undefined;
      return { accountId: sub, claims: async () => claimsOf(person) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    // The catalogue's admin UI is first-party: grant it the scopes it asked for without a consent screen.
    loadExistingGrant: async (ctx: ProviderContext) => {
      const clientId = ctx.oidc.client?.clientId;
      const accountId = ctx.oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const existing = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope(`openid profile ${HSA_SCOPE}`);
      await grant.save();
      return grant;
    },
    ttl: {
      Session: p.settings.sessionTtl,
      Grant: p.settings.sessionTtl,
      Interaction: 600,
      AuthorizationCode: 60,
      AccessToken: 600,
      IdToken: 600,
    },
    renderError: async (ctx: ProviderContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error ?? 'error', out.error_description ?? 'The sign-in could not be completed.').value;
    },
  });
  provider.proxy = p.settings.trustProxy;
  return provider;
}
