import { readSettings, setting, type Settings } from '@ndi-mesh/kernel';

/**
 * The patient data index's own settings, beside the kernel's (PORT, DATABASE_URL, …). The
 * implementation guide prints this table; `PDI_PSEUDONYM_KEY` is read by domain/pseudonym-key.ts.
 */
export const pdiSettingsTable = {
  catalogueUrl: setting<string>({
    env: 'CATALOGUE_URL',
    type: 'url',
    default: 'http://127.0.0.1:8081',
    doc: 'Base URL of the service catalogue (C1 `Endpoint/$lookup`), without `/fhir`.',
  }),
  consentUrl: setting<string>({
    env: 'CONSENT_URL',
    type: 'url',
    default: 'http://127.0.0.1:8083',
    doc: 'Base URL of the consent registry (its change feed and pushes keep the block copy current; `$decide` for break-glass), without `/fhir`.',
  }),
  catalogueTtl: setting<number>({
    env: 'CATALOGUE_CACHE_SECONDS',
    type: 'integer',
    default: 30,
    min: 0,
    max: 3600,
    doc: "How long a care provider's endpoints from the catalogue are reused before they are looked up again (0: every time).",
  }),
  peerTimeoutMs: setting<number>({
    env: 'PEER_TIMEOUT_MS',
    type: 'integer',
    default: 2000,
    min: 50,
    max: 60_000,
    doc: 'Longest wait for the catalogue or the consent registry; past it `$locate` answers 503 (fail closed).',
  }),
  consentCatchUpSeconds: setting<number>({
    env: 'CONSENT_CATCHUP_SECONDS',
    type: 'integer',
    default: 60,
    min: 1,
    max: 3600,
    doc: "How often the index's copy of the block register reads the consent registry's change feed besides the registry's pushes (a lost push is made good within this time).",
  }),
  pseudonymKey: setting<string | undefined>({
    env: 'PDI_PSEUDONYM_KEY',
    type: 'string',
    doc: 'Base64 secret (≥ 32 bytes) for patient pseudonyms; when unset, `<DATA_DIR>/pseudonym-key` (generated on first start). Back it up apart from the database.',
  }),
};

export type PdiSettings = Settings<typeof pdiSettingsTable>;

export function readPdiSettings(env: NodeJS.ProcessEnv = process.env): PdiSettings {
  return readSettings(pdiSettingsTable, env);
}
