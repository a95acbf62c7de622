import { FhirError } from '@ndi-mesh/kernel';
import type { Actor, Block, Instant } from './model.ts';
import { describeActor, samePerson } from './people.ts';
import { PATIENT_BLOCK_KINDS } from './validate-block.ts';

/**
 * Who may cancel a block. The patient: their own blocks, whoever registered them, since a block
 * the patient asked for is lifted when the patient asks; never a clinician's restriction of the
 * patient's or a guardian's access. A care provider: only blocks it registered itself, so it
 * cannot undo a block the patient set through the access service. The operator: any, with a reason.
 */
export function assertMayCancel(block: Block, actor: Actor, reason?: string): void {
  if (block.status !== 'active') {
    throw new FhirError('MESH-NSF-007', { diagnostics: `the block is ${block.status}`, expression: 'status' });
  }
  switch (actor.type) {
    case 'patient':
      if (samePerson(actor.patient, block.patient) && PATIENT_BLOCK_KINDS.has(block.kind)) return;
      throw refused(block, actor);
    case 'care-provider':
      if (block.createdBy.type === 'care-provider' && block.createdBy.organisation === actor.organisation) return;
      throw refused(block, actor);
    case 'operator':
      if (reason === undefined || reason.trim() === '') {
        throw new FhirError('MESH-NSF-008', { diagnostics: 'the operator states why the block is cancelled', expression: 'reason' });
      }
      return;
  }
}

/** The block as it stands once cancelled; the caller stores it as a new version. */
export function cancelBlock(block: Block, actor: Actor, now: Instant, reason?: string): Block {
  assertMayCancel(block, actor, reason);
  const cancellation = reason === undefined ? { at: now, by: actor } : { at: now, by: actor, reason };
  return { ...block, status: 'cancelled', cancellation };
}

function refused(block: Block, actor: Actor): FhirError {
  return new FhirError('MESH-NSF-006', `${describeActor(actor)} may not cancel a ${block.kind} block registered by ${describeActor(block.createdBy)}`);
}
