import { readSettings, setting } from '@ndi-mesh/kernel';
import { countryPolicyFrom, type DecisionPolicy } from './domain/index.ts';

/** The consent registry's own settings: the choices the law leaves to the member state (rules.md, "Legal rules not settled"). */
export const consentSettingsTable = {
  countryPolicy: setting<string>({
    env: 'NSF_COUNTRY_POLICY',
    type: 'string',
    default: '{}',
    doc: 'Cross-border policy (NSF-R11), JSON: member state (ISO 3166-1 alpha-2) → information types it may receive, e.g. {"FI":["patient-summary","eprescription"]}. A country not listed receives nothing.',
  }),
  emergencyLiftsOptOut: setting<boolean>({
    env: 'NSF_EMERGENCY_LIFTS_OPT_OUT',
    type: 'boolean',
    default: false,
    doc: 'Whether break-glass (NSF-R13) also lifts an opt-out (EHDS art. 10(2) leaves it to the member state).',
  }),
  deliveryPollMs: setting<number>({ env: 'NSF_DELIVERY_POLL_MS', type: 'integer', default: 500, min: 10, doc: 'How often the outbox of block changes is polled for delivery to subscribers.' }),
};

export function decisionPolicyFrom(env: NodeJS.ProcessEnv): DecisionPolicy {
  const s = readSettings(consentSettingsTable, env);
  let parsed: unknown;
  try {
    parsed = JSON.parse(s.countryPolicy);
  } catch {
    throw new Error('NSF_COUNTRY_POLICY is not JSON');
  }
  return { emergencyLiftsOptOut: s.emergencyLiftsOptOut, countries: countryPolicyFrom(parsed) };
}
