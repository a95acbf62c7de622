import { PERSONNUMMER_SYSTEM, seededRng, syntheticHsaId, syntheticPersonnummer } from '@ndi-mesh/kernel';
import { countryPolicyFrom } from '../../src/domain/country-policy.ts';
import type { Block, DecisionPolicy, DecisionRequest, PersonRef, Revoke } from '../../src/domain/model.ts';
import { DAY_MS, HOUR_MS } from '../../src/domain/time.ts';

// Seeded, so the synthetic identities are the same in every run and every failure replays.
const rng = seededRng(5_3_2);

const person = (): PersonRef => ({ system: PERSONNUMMER_SYSTEM, value: syntheticPersonnummer(rng) });
export const PATIENT = person();
export const OTHER_PATIENT = person();
export const GUARDIAN = person();
export const OTHER_GUARDIAN = person();

export const PROVIDER_A = syntheticHsaId('organisation', rng);
export const UNIT_A1 = syntheticHsaId('unit', rng, PROVIDER_A);
export const UNIT_A2 = syntheticHsaId('unit', rng, PROVIDER_A);
export const DOCTOR_A1 = syntheticHsaId('person', rng, PROVIDER_A);
export const DOCTOR_A2 = syntheticHsaId('person', rng, PROVIDER_A);
export const PROVIDER_B = syntheticHsaId('organisation', rng);
export const UNIT_B1 = syntheticHsaId('unit', rng, PROVIDER_B);
export const UNIT_B2 = syntheticHsaId('unit', rng, PROVIDER_B);
export const DOCTOR_B1 = syntheticHsaId('person', rng, PROVIDER_B);
export const DOCTOR_B2 = syntheticHsaId('person', rng, PROVIDER_B);
/** A provider the patient has never met: NSR's general blocks must bind it too. */
export const PROVIDER_C = syntheticHsaId('organisation', rng);
export const UNIT_C1 = syntheticHsaId('unit', rng, PROVIDER_C);
export const DOCTOR_C1 = syntheticHsaId('person', rng, PROVIDER_C);
export const ACCESS_SERVICE = syntheticHsaId('organisation', rng);

export const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
export { DAY_MS, HOUR_MS };

export const POLICY: DecisionPolicy = {
  emergencyLiftsOptOut: false,
  countries: countryPolicyFrom({ FI: ['patient-summary', 'eprescription', 'edispensation'], DK: ['eprescription', 'edispensation'] }),
};

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}`;

/** A block registered by the patient yesterday, in force until cancelled, on all of provider A's data. */
export function block(fields: Partial<Block> & Pick<Block, 'kind'>): Block {
  return {
    id: nextId('block'),
    patient: PATIENT,
    owner: PROVIDER_A,
    scope: { level: 'outer' },
    category: 'all',
    period: { start: NOW - DAY_MS },
    status: 'active',
    createdBy: { type: 'patient', patient: PATIENT },
    ...fields,
  };
}

export const optOut = (fields: Partial<Block> = {}): Block => block({ kind: 'opt-out', owner: 'all-providers', ...fields });
export const outer = (fields: Partial<Block> = {}): Block => block({ kind: 'care-provider', ...fields });
export const inner = (fields: Partial<Block> = {}): Block => block({ kind: 'care-provider', scope: { level: 'inner', careUnits: [UNIT_A1] }, ...fields });
export const general = (fields: Partial<Block> = {}): Block => block({ kind: 'all-providers', owner: 'all-providers', category: 'patient-summary', ...fields });
export const seal = (fields: Partial<Block> = {}): Block => block({ kind: 'seal', ...fields });
const byClinician = { type: 'care-provider', organisation: PROVIDER_A, careUnit: UNIT_A1, professional: DOCTOR_A1 } as const;
export const patientAccessBlock = (fields: Partial<Block> = {}): Block =>
  block({ kind: 'patient-access', createdBy: byClinician, reason: 'OSL 25:6 secrecy against the patient', ...fields });
export const guardianBlock = (fields: Partial<Block> = {}): Block =>
  block({ kind: 'guardian-access', createdBy: byClinician, reason: 'protecting the child', ...fields });

/** The patient's consent, given in the access service, for provider B for a week from an hour ago. */
export function consent(fields: Partial<Revoke> = {}): Revoke {
  return {
    id: nextId('revoke'),
    patient: PATIENT,
    kind: 'consent',
    grantee: { organisation: PROVIDER_B },
    period: { start: NOW - HOUR_MS, end: NOW + 7 * DAY_MS },
    reason: 'the patient agreed during the visit',
    status: 'active',
    recordedBy: { type: 'patient', patient: PATIENT },
    ...fields,
  };
}

/** Break-glass by doctor B1 at unit B1, started ten minutes ago, for four hours. */
export function emergency(fields: Partial<Revoke> = {}): Revoke {
  return {
    id: nextId('revoke'),
    patient: PATIENT,
    kind: 'emergency',
    grantee: { organisation: PROVIDER_B, careUnit: UNIT_B1, professional: DOCTOR_B1 },
    period: { start: NOW - 10 * 60_000, end: NOW + 4 * HOUR_MS },
    reason: 'unconscious patient, anticoagulants suspected',
    status: 'active',
    recordedBy: { type: 'care-provider', organisation: PROVIDER_B, careUnit: UNIT_B1, professional: DOCTOR_B1 },
    ...fields,
  };
}

/** Doctor B1 at provider B treats the patient and asks for provider A's patient summary from unit A1. */
export function treatment(fields: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    patient: PATIENT,
    requester: { organisation: PROVIDER_B, careUnit: UNIT_B1, professional: DOCTOR_B1, role: 'physician' },
    purpose: { type: 'treatment' },
    record: { owner: PROVIDER_A, careUnit: UNIT_A1, category: 'patient-summary', dataPeriod: { from: NOW - 30 * DAY_MS, to: NOW - 30 * DAY_MS } },
    ...fields,
  };
}

export const emergencyRequest = (fields: Partial<DecisionRequest> = {}): DecisionRequest => treatment({ purpose: { type: 'emergency' }, ...fields });

/** The patient (or someone on the patient's behalf) reading the patient's own data in the access service. */
export function ownView(
  accessor: 'patient' | 'guardian' | 'representative' = 'patient',
  who: PersonRef = PATIENT,
  fields: Partial<DecisionRequest> = {},
): DecisionRequest {
  return treatment({ requester: { organisation: ACCESS_SERVICE }, purpose: { type: 'patient-access', accessor, person: who }, ...fields });
}
