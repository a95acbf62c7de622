import { FhirError } from '@ndi-mesh/kernel';
import type { Actor, Cancellation, Instant, Revoke } from './model.ts';
import { describeActor, samePerson } from './people.ts';

/**
 * Who may end a temporary revoke before its window closes. The patient: their own consent, since
 * a consent is withdrawn when the patient asks (never a break-glass, which was not theirs). A care
 * provider: one it recorded, or one granted to it (the grantee may give its access back). The
 * operator: any, with a reason. Ending early only ever narrows access, so nobody else needs asking.
 */
export function cancelRevoke(revoke: Revoke, actor: Actor, now: Instant, reason?: string): { revoke: Revoke; cancellation: Cancellation } {
  if (revoke.status !== 'active') throw new FhirError('MESH-NSF-007', { diagnostics: `the revoke is ${revoke.status}`, expression: 'status' });
  const allowed = (() => {
    switch (actor.type) {
      case 'patient':
        return revoke.kind === 'consent' && samePerson(actor.patient, revoke.patient);
      case 'care-provider':
        return (
          (revoke.recordedBy.type === 'care-provider' && revoke.recordedBy.organisation === actor.organisation) ||
          revoke.grantee.organisation === actor.organisation
        );
      case 'operator':
        if (reason === undefined || reason.trim() === '')
          throw new FhirError('MESH-NSF-008', { diagnostics: 'the operator states why the revoke is cancelled', expression: 'reason' });
        return true;
    }
  })();
  if (!allowed)
    throw new FhirError('MESH-NSF-006', `${describeActor(actor)} may not cancel a ${revoke.kind} revoke recorded by ${describeActor(revoke.recordedBy)}`);
  return { revoke: { ...revoke, status: 'cancelled' }, cancellation: reason === undefined ? { at: now, by: actor } : { at: now, by: actor, reason } };
}
