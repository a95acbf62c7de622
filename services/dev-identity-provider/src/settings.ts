import { readSettings, setting, type Settings } from '@ndi-mesh/kernel';

/**
 * The development identity provider's own settings, beside the kernel's service settings. The
 * defaults make `npm start` work with no configuration: they match the service catalogue's
 * defaults for its admin UI (ADMIN_OIDC_*), so the two find each other on a laptop.
 */
export const devIdpSettingsTable = {
  issuer: setting<string | undefined>({
    env: 'DEV_IDP_ISSUER',
    type: 'url',
    doc: 'The OpenID Connect issuer identifier. Unset: `<BASE_URL or the address it listens on>/oidc`. Relying parties set their issuer setting to exactly this.',
  }),
  clientId: setting<string>({
    env: 'DEV_IDP_CLIENT_ID',
    type: 'string',
    default: 'service-catalogue-admin',
    doc: "The registered client's id: the service catalogue's admin UI (ADMIN_OIDC_CLIENT_ID there).",
  }),
  clientSecret: setting<string>({
    env: 'DEV_IDP_CLIENT_SECRET',
    type: 'string',
    default: 'dev-only-client-secret',
    doc: "The registered client's secret (client_secret_basic). The default is public and for a laptop only; set the same value as ADMIN_OIDC_CLIENT_SECRET in the catalogue.",
  }),
  redirectUris: setting<string>({
    env: 'DEV_IDP_CLIENT_REDIRECT_URIS',
    type: 'string',
    default: 'http://127.0.0.1:8081/admin/callback,http://localhost:8081/admin/callback',
    doc: "Comma-separated redirect URIs of the client; each must equal the catalogue's ADMIN_OIDC_REDIRECT_URI (or `<catalogue base>/admin/callback`).",
  }),
  postLogoutRedirectUris: setting<string>({
    env: 'DEV_IDP_CLIENT_POST_LOGOUT_REDIRECT_URIS',
    type: 'string',
    default: 'http://127.0.0.1:8081/admin,http://localhost:8081/admin',
    doc: 'Comma-separated URIs the client may return to after signing out at the identity provider.',
  }),
  seed: setting<number>({
    env: 'DEV_IDP_SEED',
    type: 'integer',
    default: 20_260_101,
    min: 1,
    max: 2_147_483_646,
    doc: 'Seed of the synthetic directory: the same seed gives the same people and HSA-ids at every start.',
  }),
  directoryFile: setting<string | undefined>({
    env: 'DEV_IDP_DIRECTORY',
    type: 'string',
    doc: 'A JSON file with the directory to serve instead of the generated one (same shape as GET /directory), e.g. to match seeded demo data.',
  }),
  sessionTtl: setting<number>({
    env: 'DEV_IDP_SESSION_TTL',
    type: 'integer',
    default: 8 * 3600,
    min: 60,
    doc: 'How long a sign-in at the identity provider lasts, in seconds.',
  }),
  trustProxy: setting<boolean>({
    env: 'DEV_IDP_TRUST_PROXY',
    type: 'boolean',
    default: false,
    doc: 'Trust X-Forwarded-Proto/Host (behind a TLS-terminating proxy or ingress).',
  }),
};

export type DevIdpSettings = Settings<typeof devIdpSettingsTable>;

export function readDevIdpSettings(env: NodeJS.ProcessEnv = process.env): DevIdpSettings {
  return readSettings(devIdpSettingsTable, env);
}

export function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}
