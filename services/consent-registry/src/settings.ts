import { readSettings, setting } from '@ndi-mesh/kernel';
import { countryPolicyFrom, DEFAULT_REVOKE_LIMITS, type DecisionPolicy, type RevokeLimits } from './domain/index.ts';

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
  breakGlassDefaultMinutes: setting<number>({
    env: 'NSF_BREAK_GLASS_DEFAULT_MINUTES',
    type: 'integer',
    default: 60,
    min: 1,
    doc: 'The window of a break-glass (NSF-R13) that names no end; never longer than NSF_BREAK_GLASS_MAX_MINUTES.',
  }),
  breakGlassMaxMinutes: setting<number>({
    env: 'NSF_BREAK_GLASS_MAX_MINUTES',
    type: 'integer',
    default: 480,
    min: 1,
    max: 480,
    doc: 'The longest break-glass window, in minutes (at most the 8 hours of rules.md).',
  }),
  consentRevokeMaxDays: setting<number>({
    env: 'NSF_CONSENT_REVOKE_MAX_DAYS',
    type: 'integer',
    default: 30,
    min: 1,
    max: 30,
    doc: "The longest window of a temporary revoke by the patient's consent (NSF-R12), in days.",
  }),
  deliveryPollMs: setting<number>({
    env: 'NSF_DELIVERY_POLL_MS',
    type: 'integer',
    default: 500,
    min: 10,
    doc: 'How often the outbox of block changes is polled for delivery to subscribers.',
  }),
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

/** The revoke limits of rules.md, tightened by the settings. */
export function revokeLimitsFrom(env: NodeJS.ProcessEnv): RevokeLimits {
  const s = readSettings(consentSettingsTable, env);
  return { ...DEFAULT_REVOKE_LIMITS, consentMaxMs: s.consentRevokeMaxDays * 86_400_000, emergencyMaxMs: s.breakGlassMaxMinutes * 60_000 };
}
