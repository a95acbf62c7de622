import { randomUUID } from 'node:crypto';
import type { Parameters } from '@medplum/fhirtypes';
import { defineResourceType, enqueue, FhirError, loadValidator, ResourceStore, type OperationDef, type AuditTrail } from '@ndi-mesh/kernel';
import { actorOf } from '../auth/caller.ts';
import { validateRevoke, type Revoke, type RevokeLimits } from '../domain/index.ts';
import { PROFILE } from '../fhir/codes.ts';
import { revokeToConsent } from '../fhir/consent-revoke.ts';
import { person } from '../fhir/decide-parameters.ts';
import { exclusiveEndOf, iso } from '../fhir/instants.ts';
import { consentType } from '../resource-types.ts';

const store = new ResourceStore();
const type = defineResourceType(consentType);

/**
 * `POST /fhir/$break-glass` (NSF-R13): a professional who needs blocked data in an emergency, when
 * the patient cannot consent, opens it for themselves for a short window. The grantee is the
 * caller's own basis (organisation, care unit, professional), never the body; the route policy
 * admits only a care provider's system stating purpose of use ETREAT. The revoke is stored as a
 * Consent (profile consent-revoke) and distributed like a block; the break-glass itself is
 * audited here, and every release under it by `$decide` (recordEmergencyUse).
 */
export function breakGlassOperation(trail: AuditTrail, limits: RevokeLimits, defaultWindowMs: number): OperationDef {
  return {
    name: 'break-glass',
    level: 'system',
    affectsState: true,
    documentation:
      'Emergency revoke (break-glass) for the calling professional: parameters patient (valueIdentifier), reason (valueString, required), end (valueDateTime, optional; at most the emergency limit). Answers the revoke Consent.',
    async handler({ ctx, request, tx }) {
      const input = parse(request.body);
      const now = Date.now();
      const actor = actorOf(ctx.caller);
      if (actor.type !== 'care-provider')
        throw new FhirError('MESH-NSF-010', {
          diagnostics: 'break-glass is recorded by the care provider of the professional who needs the data',
          expression: 'recordedBy',
        });
      const end = input.end !== undefined ? exclusiveEndOf(input.end, 'end') : now + Math.min(defaultWindowMs, limits.emergencyMaxMs);
      const revoke: Revoke = validateRevoke(
        {
          id: randomUUID(),
          patient: input.patient,
          kind: 'emergency',
          grantee: {
            organisation: actor.organisation,
            ...(actor.careUnit ? { careUnit: actor.careUnit } : {}),
            ...(actor.professional ? { professional: actor.professional } : {}),
          },
          period: { start: now, end },
          reason: input.reason ?? '',
          status: 'active',
          recordedBy: actor,
        },
        [],
        now,
        limits,
      );
      const consent = { ...revokeToConsent(revoke), dateTime: iso(now) };
      loadValidator().validate(consent, PROFILE.revoke);
      const written = await store.create(tx, type, consent, revoke.id);
      await trail.write(tx, ctx, {
        interaction: 'operation',
        action: 'C',
        outcome: 'success',
        what: `Consent/${revoke.id}/_history/${written.meta!.versionId}`,
        patients: [revoke.patient],
        description: `$break-glass by ${actor.professional ?? '-'} at ${actor.organisation} until ${iso(end)}: ${revoke.reason}`,
      });
      await enqueue(tx, 'resource.changed', { resourceType: 'Consent', id: revoke.id, versionId: Number(written.meta!.versionId), action: 'create' });
      return { status: 201, body: written };
    },
  };
}

function parse(body: unknown): { patient: Revoke['patient']; reason?: string; end?: string } {
  const p = body as Parameters | undefined;
  if (p?.resourceType !== 'Parameters') throw new FhirError('MESH-OP-001', { diagnostics: 'the body is a Parameters resource', expression: 'Parameters' });
  const params = p.parameter ?? [];
  const unknown = params.find((x) => x.name !== 'patient' && x.name !== 'reason' && x.name !== 'end');
  if (unknown) throw new FhirError('MESH-OP-001', { diagnostics: `$break-glass takes patient, reason and end, not ${unknown.name}`, expression: unknown.name });
  for (const name of ['patient', 'reason', 'end'])
    if (params.filter((x) => x.name === name).length > 1) throw new FhirError('MESH-OP-001', { diagnostics: `${name} is given once`, expression: name });
  const id = params.find((x) => x.name === 'patient')?.valueIdentifier;
  if (!id) throw new FhirError('MESH-OP-001', { diagnostics: 'patient (valueIdentifier) is required', expression: 'patient' });
  const reason = params.find((x) => x.name === 'reason')?.valueString;
  const end = params.find((x) => x.name === 'end')?.valueDateTime;
  return {
    patient: person(id, 'Parameters.parameter[patient].valueIdentifier'),
    ...(reason !== undefined ? { reason } : {}),
    ...(end !== undefined ? { end } : {}),
  };
}
