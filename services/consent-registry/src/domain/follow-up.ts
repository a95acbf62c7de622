import { FhirError } from '@ndi-mesh/kernel';
import type { Actor, Decision, DecisionRequest, Instant, PersonRef } from './model.ts';

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

/** What the information owner found when it reviewed an emergency access (NSF-R13). */
export type ReviewOutcome = 'justified' | 'not-justified';

/** A follow-up item as its review needs it: whose it is, and whether it is still open. */
export interface FollowUpState {
  readonly owner: string;
  readonly open: boolean;
}

/**
 * NSF-R13, the owner's side: the information owner whose data was released under break-glass,
 * and only it, records once whether the access was justified; a finding of not justified says
 * why (the owner's follow-up, e.g. a report to its security officer, starts from it).
 */
export function assertMayReview(
  item: FollowUpState,
  by: Actor,
  outcome: ReviewOutcome,
  note: string | undefined,
): asserts by is Extract<Actor, { type: 'care-provider' }> {
  if (by.type !== 'care-provider' || by.organisation !== item.owner)
    throw new FhirError('MESH-AUTH-005', { diagnostics: 'a follow-up item is reviewed by the information owner whose data was released' });
  if (!item.open) throw new FhirError('MESH-NSF-011', { diagnostics: 'this emergency access has already been reviewed' });
  if (outcome === 'not-justified' && !note?.trim())
    throw new FhirError('MESH-NSF-012', { diagnostics: 'say why the access was not justified', expression: 'note' });
}
