import { assertHsaId, FhirError, validatePatientIdentifier } from '@ndi-mesh/kernel';
import { CARE_BLOCK_KINDS, type Block, type Instant, type Revoke } from './model.ts';
import { samePerson } from './people.ts';
import { DAY_MS, HOUR_MS } from './time.ts';

/** Upper bounds on a temporary revoke; the service's settings may tighten them. */
export interface RevokeLimits {
  readonly consentMaxMs: number;
  /** Break-glass covers the emergency at hand, not the rest of the stay. */
  readonly emergencyMaxMs: number;
  /** How far the start may lie from the clock before it counts as backdated (or, for break-glass, as scheduled). */
  readonly clockSkewMs: number;
}

export const DEFAULT_REVOKE_LIMITS: RevokeLimits = { consentMaxMs: 30 * DAY_MS, emergencyMaxMs: 8 * HOUR_MS, clockSkewMs: 5 * 60_000 };

/**
 * Checks a temporary revoke before it is recorded and returns it unchanged. `patientBlocks` are
 * the patient's blocks as the recording service knows them, to check what a consent names.
 */
export function validateRevoke(revoke: Revoke, patientBlocks: readonly Block[], now: Instant, limits: RevokeLimits = DEFAULT_REVOKE_LIMITS): Revoke {
  if (typeof revoke.reason !== 'string' || revoke.reason.trim() === '') {
    throw new FhirError('MESH-NSF-003', { diagnostics: 'state why the block is lifted', expression: 'reason' });
  }
  if (typeof revoke.id !== 'string' || revoke.id.trim() === '') refuse('a revoke has an id', 'id');
  if (revoke.kind !== 'consent' && revoke.kind !== 'emergency') refuse('the kind is consent or emergency', 'kind');
  if (revoke.status !== 'active') refuse('a new revoke is active', 'status');
  validatePatientIdentifier(revoke.patient, { expression: 'patient' });
  checkWindow(revoke, now, limits);
  assertHsaId(revoke.grantee.organisation, 'grantee.organisation');
  if (revoke.grantee.careUnit !== undefined) assertHsaId(revoke.grantee.careUnit, 'grantee.careUnit');
  if (revoke.grantee.professional !== undefined) assertHsaId(revoke.grantee.professional, 'grantee.professional');
  if (revoke.kind === 'emergency') checkEmergency(revoke);
  else checkConsent(revoke, patientBlocks);
  return revoke;
}

function checkWindow(revoke: Revoke, now: Instant, limits: RevokeLimits): void {
  const { start, end } = revoke.period;
  if (!Number.isFinite(start) || !Number.isFinite(end)) window('a temporary revoke has a start and an end');
  if (!(end > start)) {
    throw new FhirError('MESH-NSF-001', { diagnostics: 'the revoke ends before (or when) it starts', expression: 'period.end' });
  }
  if (start < now - limits.clockSkewMs) window('a revoke cannot start in the past: it would permit what was already refused');
  const max = revoke.kind === 'emergency' ? limits.emergencyMaxMs : limits.consentMaxMs;
  if (end - start > max) window(`a ${revoke.kind} revoke lasts at most ${Math.round(max / 60_000)} minutes`);
  if (revoke.kind === 'emergency' && start > now + limits.clockSkewMs) window('break-glass starts now; it cannot be scheduled');
}

/**
 * Break-glass is one professional's act, recorded by that professional's own organisation. It
 * names no blocks because the requester does not know which exist (seed 001 §5.3.2, assumption 2).
 */
function checkEmergency(revoke: Revoke): void {
  const { grantee, recordedBy } = revoke;
  if (grantee.professional === undefined) refuse('an emergency revoke is for one named professional', 'grantee.professional');
  if (revoke.blockIds !== undefined) refuse('an emergency revoke names no blocks: the requester cannot know them', 'blockIds');
  if (recordedBy.type !== 'care-provider' || recordedBy.organisation !== grantee.organisation || recordedBy.professional !== grantee.professional) {
    throw new FhirError('MESH-NSF-010', { diagnostics: 'break-glass is recorded by the professional who needs the data', expression: 'recordedBy' });
  }
}

/** The patient gives consent: through the access service, or in person to a care provider who records it. */
function checkConsent(revoke: Revoke, patientBlocks: readonly Block[]): void {
  const by = revoke.recordedBy;
  const patientsOwn = by.type === 'patient' && samePerson(by.patient, revoke.patient);
  if (!patientsOwn && by.type !== 'care-provider') {
    throw new FhirError('MESH-NSF-010', { diagnostics: "a consent is the patient's, given by them or recorded by a care provider", expression: 'recordedBy' });
  }
  revoke.blockIds?.forEach((id, i) => {
    const block = patientBlocks.find((b) => b.id === id && samePerson(b.patient, revoke.patient));
    if (block === undefined || block.status !== 'active') {
      throw new FhirError('MESH-NSF-005', { diagnostics: "no active block of the patient's has that id", expression: `blockIds[${i}]` });
    }
    if (!CARE_BLOCK_KINDS.has(block.kind)) {
      throw new FhirError('MESH-NSF-005', { diagnostics: `a ${block.kind} block is never lifted by consent`, expression: `blockIds[${i}]` });
    }
  });
}

function refuse(diagnostics: string, expression: string): never {
  throw new FhirError('MESH-NSF-002', { diagnostics, expression });
}

function window(diagnostics: string): never {
  throw new FhirError('MESH-NSF-004', { diagnostics, expression: 'period' });
}
