import type { Parameters, Task } from '@medplum/fhirtypes';
import { defineResourceType, FhirError, ResourceStore, type AuditTrail, type OperationDef } from '@ndi-mesh/kernel';
import { actorOf } from '../auth/caller.ts';
import { assertMayReview, type ReviewOutcome } from '../domain/index.ts';
import { reviewedTask } from '../follow-up/resources.ts';
import { taskType } from '../follow-up/types.ts';

const store = new ResourceStore();
const type = defineResourceType(taskType);
const OUTCOMES: readonly ReviewOutcome[] = ['justified', 'not-justified'];

/**
 * `POST /fhir/Task/{id}/$review` (NSF-R13, the owner's side of break-glass): the information owner
 * records whether an emergency access to its data was justified. The Task becomes `completed`
 * with the finding, as a new version (the open one stays in its history), audited in the same
 * transaction. Once only, and only by the owner (assertMayReview).
 */
export function reviewOperation(trail: AuditTrail): OperationDef {
  return {
    name: 'review',
    level: 'instance',
    resourceType: 'Task',
    affectsState: true,
    documentation:
      "The information owner's review of an emergency access on its follow-up list: parameters outcome (valueCode justified | not-justified) and note (valueString; required when not justified).",
    async handler({ ctx, request, tx, id }) {
      const { outcome, note } = reviewParameters(request.body);
      const actor = actorOf(ctx.caller);
      const previous = await store.read(tx, type, id!, true);
      if (!previous || previous.deleted) throw new FhirError('MESH-FHIR-001', { diagnostics: `Task/${id} does not exist` });
      const task = previous.resource as Task;
      assertMayReview({ owner: task.owner?.identifier?.value ?? '', open: task.status === 'requested' }, actor, outcome, note);
      const written = await store.update(tx, type, previous, reviewedTask(task, outcome, note, actor, Date.now()));
      await trail.write(tx, ctx, {
        interaction: 'operation',
        action: 'U',
        outcome: 'success',
        what: `Task/${id}/_history/${written.meta!.versionId}`,
        patients: task.for?.identifier ? [task.for.identifier] : [],
        description: `$review: ${outcome}`,
      });
      return { status: 200, body: written };
    },
  };
}

function reviewParameters(body: unknown): { outcome: ReviewOutcome; note?: string } {
  const p = body as Parameters | undefined;
  if (p?.resourceType !== 'Parameters') throw new FhirError('MESH-OP-001', { diagnostics: 'the body is a Parameters resource', expression: 'Parameters' });
  const unknown = p.parameter?.find((x) => x.name !== 'outcome' && x.name !== 'note');
  if (unknown) throw new FhirError('MESH-OP-001', { diagnostics: `$review takes outcome and note, not ${unknown.name}`, expression: unknown.name });
  const outcome = p.parameter?.find((x) => x.name === 'outcome')?.valueCode;
  if (!OUTCOMES.includes(outcome as ReviewOutcome))
    throw new FhirError('MESH-OP-001', { diagnostics: `outcome is one of ${OUTCOMES.join(', ')}`, expression: 'outcome' });
  const note = p.parameter?.find((x) => x.name === 'note')?.valueString;
  return { outcome: outcome as ReviewOutcome, ...(note !== undefined ? { note } : {}) };
}
