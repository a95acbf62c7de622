import type { Consent, Parameters } from '@medplum/fhirtypes';
import { defineResourceType, enqueue, FhirError, ResourceStore, type OperationDef, type AuditTrail } from '@ndi-mesh/kernel';
import { actorOf } from '../auth/caller.ts';
import { cancelBlock, cancelRevoke } from '../domain/index.ts';
import { cancelledConsent, consentToBlock } from '../fhir/consent-block.ts';
import { consentToRevoke, isRevoke } from '../fhir/consent-revoke.ts';
import { consentType } from '../resource-types.ts';

const store = new ResourceStore();
const type = defineResourceType(consentType);

/**
 * `POST /fhir/Consent/{id}/$cancel` (rules.md "Cancelling a block"): the block becomes `inactive`
 * (or `entered-in-error`, the operator's correction) with who, when and why, as a new version; the
 * previous versions stay in its history and the change is distributed as a tombstone.
 */
export function cancelOperation(trail: AuditTrail): OperationDef {
  return {
    name: 'cancel',
    level: 'instance',
    resourceType: 'Consent',
    affectsState: true,
    documentation:
      'Cancels a block or ends a temporary revoke early: parameters reason (valueString; required of the operator) and status (valueCode inactive | entered-in-error, the latter the operator only).',
    async handler({ ctx, request, tx, id }) {
      const { reason, status } = cancelParameters(request.body);
      const actor = actorOf(ctx.caller);
      const previous = await store.read(tx, type, id!, true);
      if (!previous || previous.deleted) throw new FhirError('MESH-FHIR-001', { diagnostics: `Consent/${id} does not exist` });
      const consent = previous.resource as Consent;
      if (status === 'entered-in-error' && actor.type !== 'operator')
        throw new FhirError('MESH-NSF-006', { diagnostics: 'only the operator marks a block entered-in-error; cancel it instead', expression: 'status' });
      // A temporary revoke ends early the same way (rules.md "Temporary revokes").
      const cancelled = isRevoke(consent)
        ? (({ revoke, cancellation }) => ({ status: revoke.status, cancellation }))(cancelRevoke(consentToRevoke(consent), actor, Date.now(), reason))
        : cancelBlock(consentToBlock(consent), actor, Date.now(), reason);
      const next = cancelledConsent(consent, status === 'entered-in-error' ? { ...cancelled, status: 'entered-in-error' } : cancelled);
      const written = await store.update(tx, type, previous, next);
      await trail.write(tx, ctx, {
        interaction: 'operation',
        action: 'U',
        outcome: 'success',
        what: `Consent/${id}/_history/${written.meta!.versionId}`,
        patients: consentType.patientsOf!(written),
        description: '$cancel',
      });
      await enqueue(tx, 'resource.changed', { resourceType: 'Consent', id, versionId: Number(written.meta!.versionId), action: 'update' });
      return { status: 200, body: written };
    },
  };
}

function cancelParameters(body: unknown): { reason?: string; status: 'inactive' | 'entered-in-error' } {
  if (body === undefined || body === null) return { status: 'inactive' };
  const p = body as Parameters;
  if (p.resourceType !== 'Parameters')
    throw new FhirError('MESH-OP-001', { diagnostics: 'the body is a Parameters resource (or empty)', expression: 'Parameters' });
  const reason = p.parameter?.find((x) => x.name === 'reason')?.valueString;
  const status = p.parameter?.find((x) => x.name === 'status')?.valueCode ?? 'inactive';
  if (status !== 'inactive' && status !== 'entered-in-error')
    throw new FhirError('MESH-OP-001', { diagnostics: 'status is inactive or entered-in-error', expression: 'status' });
  const unknown = p.parameter?.find((x) => x.name !== 'reason' && x.name !== 'status');
  if (unknown) throw new FhirError('MESH-OP-001', { diagnostics: `$cancel takes reason and status, not ${unknown.name}`, expression: unknown.name });
  return { ...(reason !== undefined ? { reason } : {}), status };
}
