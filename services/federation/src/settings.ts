import { readSettings, setting, type Settings } from '@ndi-mesh/kernel';

/** The federation's own settings, beside the kernel's service settings. */
export const federationSettingsTable = {
  statementTtl: setting<number>({
    env: 'FEDERATION_STATEMENT_TTL',
    type: 'integer',
    default: 86_400,
    min: 1,
    doc: "Lifetime of the anchor's entity configuration and of each subordinate statement, in seconds.",
  }),
  trustMarkTtl: setting<number>({
    env: 'TRUST_MARK_TTL',
    type: 'integer',
    default: 30 * 86_400,
    min: 5,
    doc: 'Default lifetime of an issued trust mark, in seconds.',
  }),
  keyOverlap: setting<number>({
    env: 'KEY_ROLLOVER_OVERLAP',
    type: 'integer',
    default: 7 * 86_400,
    min: 0,
    doc: 'After a key rollover, how long the old key keeps verifying, in seconds.',
  }),
  organizationName: setting<string>({
    env: 'FEDERATION_NAME',
    type: 'string',
    default: 'ndi-mesh federation',
    doc: "The federation operator's name, published as organization_name.",
  }),
};

export type FederationSettings = Settings<typeof federationSettingsTable>;

export function readFederationSettings(env: NodeJS.ProcessEnv = process.env): FederationSettings {
  return readSettings(federationSettingsTable, env);
}
