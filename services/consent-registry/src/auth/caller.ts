import { FhirError, TRUST_MARK, type Caller } from '@ndi-mesh/kernel';
import type { Actor, PersonRef } from '../domain/index.ts';

/**
 * The role an operator's support system (manual handling, seed 001 §5.3.3) states in its
 * authorisation basis. Only a caller with the national-service trust mark can be the operator:
 * the trust mark is what the federation vouches for; the role says which hat it wears.
 */
export const OPERATOR_ROLE = 'operator';

const has = (caller: Caller, mark: string) => caller.trustMarks.includes(mark);

export function isOperator(caller: Caller): boolean {
  return has(caller, TRUST_MARK.nationalService) && caller.person?.role === OPERATOR_ROLE;
}

/**
 * Who is registering or cancelling, as the domain's rules name actors:
 * - the access service acting for the authenticated patient in its token's `patient` (a
 *   representative's authority is checked by the representatives service, a later issue: until
 *   then the access service is trusted to act only for the patient it authenticated);
 * - a care provider's system, for its own organisation (the trust mark binds its HSA-id), with
 *   the professional who decided it;
 * - the operator.
 * Anyone else is refused before any rule runs.
 */
export function actorOf(caller: Caller): Actor {
  if (isOperator(caller)) return { type: 'operator', id: caller.entityId ?? 'operator' };
  if (has(caller, TRUST_MARK.careProviderSystem)) {
    if (!caller.organisation) throw new FhirError('MESH-AUTH-004', 'a care provider system states the organisation (HSA-id) it acts for');
    return {
      type: 'care-provider',
      organisation: caller.organisation.hsaId,
      ...(caller.careUnit ? { careUnit: caller.careUnit.hsaId } : {}),
      ...(caller.person?.hsaId ? { professional: caller.person.hsaId } : {}),
    };
  }
  if (has(caller, TRUST_MARK.accessService)) return { type: 'patient', patient: callerPatient(caller) };
  throw new FhirError('MESH-AUTH-003', 'blocks are registered and cancelled by the access service for a patient, a care provider system, or the operator');
}

/** The patient an access service's token acts for; refused when it names none. */
export function callerPatient(caller: Caller): PersonRef {
  const p = caller.patient;
  if (!p?.system || !p.value) throw new FhirError('MESH-AUTH-004', 'the access service acts for the authenticated patient: the token names none');
  return { system: p.system, value: p.value };
}
