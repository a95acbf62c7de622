import { CARE_BLOCK_KINDS, type Block, type DecisionPolicy, type DecisionRequest, type Grantee, type Requester, type Revoke } from './model.ts';

/** A grantee names an organisation and optionally narrows it; a revoke for the organisation covers all its units and staff. */
export function grants(grantee: Grantee, requester: Requester): boolean {
  return (
    grantee.organisation === requester.organisation &&
    (grantee.careUnit === undefined || grantee.careUnit === requester.careUnit) &&
    (grantee.professional === undefined || grantee.professional === requester.professional)
  );
}

/**
 * NSF-R12 / NSF-R13: the rule under which `revoke` lifts `block` for this request, if it does.
 * Neither kind ever lifts a view block: a seal is the patient's own choice about their own view,
 * and the other two protect the patient or a child from the very person asking.
 */
export function liftRule(revoke: Revoke, block: Block, request: DecisionRequest, policy: DecisionPolicy): 'NSF-R12' | 'NSF-R13' | undefined {
  if (!CARE_BLOCK_KINDS.has(block.kind) || !grants(revoke.grantee, request.requester)) return undefined;
  if (revoke.kind === 'consent') {
    const named = revoke.blockIds;
    if (named !== undefined && named.length > 0) return named.includes(block.id) ? 'NSF-R12' : undefined;
    // Reversing an opt-out takes the patient naming it (or cancelling it), not a general consent.
    return block.kind === 'opt-out' ? undefined : 'NSF-R12';
  }
  if (request.purpose.type !== 'emergency') return undefined;
  if (block.kind === 'opt-out') return policy.emergencyLiftsOptOut ? 'NSF-R13' : undefined;
  return 'NSF-R13';
}
