/**
 * Why a care provider stopped sharing a patient's documentation from one system (seed 001 §5.1.2:
 * "orsak till att delning avslutats"). The report names the data element but not its values; these
 * are ours, chosen so that the situations a provider actually meets each have one code and a
 * patient reading their own index history can understand what happened.
 */
export const END_REASON_SYSTEM = 'https://ndi-mesh.se/fhir/CodeSystem/pdi-end-reason';

export const END_REASONS = {
  'patient-deceased': 'The patient has died; the provider no longer makes the documentation available from this system.',
  'patient-moved': "The patient's care moved elsewhere and the documentation is no longer kept available from this system.",
  'patient-objected': 'The patient objected at the provider to having the documentation shared from this system (opt-out at the provider).',
  'record-closed': 'The record was closed, archived or migrated out of this system (for example the system was decommissioned).',
  'registered-in-error': 'The patient was registered in this system in error; there is no documentation to share.',
  other: 'Another reason, agreed with the operator.',
} as const satisfies Record<string, string>;

export type EndReason = keyof typeof END_REASONS;

export function isEndReason(code: unknown): code is EndReason {
  return typeof code === 'string' && Object.hasOwn(END_REASONS, code);
}
