import { readSettings, setting, type Settings } from '../config/settings.ts';

/** Settings of the trust module, read beside the service's own table. */
export const trustSettingsTable = {
  anchor: setting<string | undefined>({
    env: 'FEDERATION_ANCHOR',
    type: 'url',
    doc: 'Entity id of the trust anchor (the federation service), e.g. http://127.0.0.1:8080. Required by every service with a trust policy.',
  }),
  anchorJwks: setting<string | undefined>({
    env: 'FEDERATION_ANCHOR_JWKS',
    type: 'string',
    doc: "The anchor's public keys, obtained out of band: a path to a JWKS file, or the JWKS JSON itself.",
  }),
  accessTokenTtl: setting<number>({
    env: 'ACCESS_TOKEN_TTL',
    type: 'integer',
    default: 300,
    min: 5,
    max: 3600,
    doc: 'Lifetime of the access tokens /auth/token issues, in seconds.',
  }),
  trustMarkStatusTtl: setting<number>({
    env: 'TRUST_MARK_STATUS_TTL',
    type: 'integer',
    default: 60,
    min: 0,
    max: 3600,
    doc: 'How long a trust mark status answer is cached; a revocation takes effect for new tokens within this time.',
  }),
  statementTtl: setting<number>({
    env: 'ENTITY_STATEMENT_TTL',
    type: 'integer',
    default: 86_400,
    min: 5,
    doc: "Lifetime (exp - iat) of this entity's own entity configuration, in seconds.",
  }),
  chainCacheMax: setting<number>({
    env: 'TRUST_CHAIN_CACHE_MAX',
    type: 'integer',
    default: 300,
    min: 0,
    doc: 'Longest a resolved trust chain is cached, in seconds (never past its first expiry).',
  }),
  ownMarksRefresh: setting<number>({
    env: 'OWN_TRUST_MARKS_REFRESH',
    type: 'integer',
    default: 60,
    min: 0,
    doc: 'How often this entity re-fetches its own trust marks from their issuers, in seconds.',
  }),
  assertionMaxAge: setting<number>({
    env: 'CLIENT_ASSERTION_MAX_AGE',
    type: 'integer',
    default: 300,
    min: 10,
    max: 3600,
    doc: 'Longest lifetime (exp - iat) accepted on a client assertion, in seconds.',
  }),
};

export type TrustSettings = Settings<typeof trustSettingsTable>;

export function readTrustSettings(env: NodeJS.ProcessEnv = process.env): TrustSettings {
  return readSettings(trustSettingsTable, env);
}
