import type { Decision, DecisionRequest, Instant, PersonRef } from './model.ts';

/**
 * An entry on the information owner's follow-up list after break-glass (NSF-R13): the owner
 * reviews whether the emergency access was justified, and the patient is told of it.
 */
export interface FollowUpItem {
  readonly at: Instant;
  readonly patient: PersonRef;
  readonly owner: string;
  readonly careUnit: string;
  readonly requester: DecisionRequest['requester'];
  readonly revokeIds: readonly string[];
  readonly blockIds: readonly string[];
}

/** The follow-up a decision calls for, or undefined when nothing was released under break-glass. */
export function emergencyFollowUp(request: DecisionRequest, decision: Decision, at: Instant): FollowUpItem | undefined {
  if (decision.effect !== 'permit' || !decision.obligations.includes('owner-follow-up')) return undefined;
  const used = decision.trace.filter((entry) => entry.rule === 'NSF-R13');
  return {
    at,
    patient: request.patient,
    owner: request.record.owner,
    careUnit: request.record.careUnit,
    requester: request.requester,
    revokeIds: unique(used.map((entry) => entry.revokeId)),
    blockIds: unique(used.map((entry) => entry.blockId)),
  };
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}
