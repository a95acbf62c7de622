import { readSettings, setting, type Settings } from '@ndi-mesh/kernel';

/**
 * The admin UI's settings, beside the kernel's. The defaults point at the mesh's development
 * identity provider (services/dev-identity-provider) so `npm start` signs in with no
 * configuration; for a real IdP set the issuer, client id and secret, and the claim names and
 * role values it uses.
 */
export const adminSettingsTable = {
  issuer: setting<string>({
    env: 'ADMIN_OIDC_ISSUER',
    type: 'url',
    default: 'http://127.0.0.1:8079/oidc',
    doc: 'OpenID Connect issuer that signs people in (its discovery document is `<issuer>/.well-known/openid-configuration`). Default: the development identity provider.',
  }),
  clientId: setting<string>({
    env: 'ADMIN_OIDC_CLIENT_ID',
    type: 'string',
    default: 'service-catalogue-admin',
    doc: 'Client id of the admin UI at the issuer.',
  }),
  clientSecret: setting<string>({
    env: 'ADMIN_OIDC_CLIENT_SECRET',
    type: 'string',
    default: 'dev-only-client-secret',
    doc: 'Client secret (client_secret_basic) of the admin UI at the issuer. The default matches the development identity provider and is public: set a real one for anything but a laptop.',
  }),
  redirectUri: setting<string | undefined>({
    env: 'ADMIN_OIDC_REDIRECT_URI',
    type: 'url',
    doc: 'Redirect URI registered at the issuer. Unset: `<BASE_URL>/admin/callback`, or the URL the browser used when BASE_URL is unset.',
  }),
  scope: setting<string>({
    env: 'ADMIN_OIDC_SCOPE',
    type: 'string',
    default: 'openid profile hsa',
    doc: 'Scopes asked for; they must release the HSA-id, organisation and role claims below.',
  }),
  prompt: setting<string>({
    env: 'ADMIN_OIDC_PROMPT',
    type: 'string',
    default: 'login',
    doc: 'OpenID Connect `prompt` sent with every sign-in; `login` makes the identity provider ask who is signing in each time (an empty value sends none).',
  }),
  hsaIdClaim: setting<string>({ env: 'ADMIN_OIDC_HSA_ID_CLAIM', type: 'string', default: 'hsa_id', doc: "Claim holding the person's HSA-id." }),
  organisationClaim: setting<string>({
    env: 'ADMIN_OIDC_ORGANISATION_CLAIM',
    type: 'string',
    default: 'organization_hsa_id',
    doc: 'Claim holding the HSA-id of the organisation the person acts for.',
  }),
  rolesClaim: setting<string>({
    env: 'ADMIN_OIDC_ROLES_CLAIM',
    type: 'string',
    default: 'roles',
    doc: "Claim holding the person's roles (a list, or a space-separated string).",
  }),
  adminRole: setting<string>({
    env: 'ADMIN_ROLE_ORGANISATION_ADMIN',
    type: 'string',
    default: 'ntk-admin',
    doc: "Role value of an organisation's catalogue administrator: edits its own organisation's endpoints.",
  }),
  supportRole: setting<string>({
    env: 'ADMIN_ROLE_SUPPORT',
    type: 'string',
    default: 'agency-support',
    doc: "Role value of the agency's support staff: sees every organisation and the change history.",
  }),
  sessionTtl: setting<number>({
    env: 'ADMIN_SESSION_TTL',
    type: 'integer',
    default: 8 * 3600,
    min: 60,
    max: 7 * 86_400,
    doc: 'Lifetime of a sign-in to the admin UI, in seconds.',
  }),
  sessionKey: setting<string | undefined>({
    env: 'ADMIN_SESSION_KEY',
    type: 'string',
    doc: 'Key that encrypts the session cookie: 32 bytes, base64url. Unset: generated on first start into DATA_DIR/admin-session-key (give every replica the same key).',
  }),
  secureCookies: setting<boolean | undefined>({
    env: 'ADMIN_COOKIE_SECURE',
    type: 'boolean',
    doc: 'Mark cookies Secure (HTTPS only). Unset: when BASE_URL is https.',
  }),
};

export type AdminSettings = Settings<typeof adminSettingsTable>;

export function readAdminSettings(env: NodeJS.ProcessEnv = process.env): AdminSettings {
  return readSettings(adminSettingsTable, env);
}
