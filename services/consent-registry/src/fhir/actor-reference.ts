import type { Consent } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM } from '@ndi-mesh/kernel';
import type { Actor } from '../domain/index.ts';
import { ENTITY_ID_SYSTEM } from './codes.ts';

/** A reference to whoever acts on a Consent (performer, cancellation by). */
export type ActorReference = NonNullable<Consent['performer']>[number];

/**
 * Who registered or cancelled a block, as Consent.performer references: the patient (and the
 * representative acting for them), a care provider (and its professional), or the operator,
 * named by its federation entity id since it has no HSA-id of its own in this role.
 */
export function actorReferences(actor: Actor): ActorReference[] {
  switch (actor.type) {
    case 'patient':
      return [
        { type: 'Patient' as const, identifier: { ...actor.patient } },
        ...(actor.representative ? [{ type: 'RelatedPerson' as const, identifier: { ...actor.representative } }] : []),
      ];
    case 'care-provider':
      return [
        { type: 'Organization' as const, identifier: { system: HSA_ID_SYSTEM, value: actor.organisation } },
        ...(actor.professional ? [{ type: 'Practitioner' as const, identifier: { system: HSA_ID_SYSTEM, value: actor.professional } }] : []),
      ];
    case 'operator':
      return [{ type: 'Organization' as const, identifier: { system: ENTITY_ID_SYSTEM, value: actor.id }, display: 'operator' }];
  }
}

/** The inverse of actorReferences; undefined when the references name no actor this service writes. */
export function actorFromReferences(refs: readonly ActorReference[] | undefined): Actor | undefined {
  const of = (type: string) => refs?.find((r) => r.type === type)?.identifier;
  const patient = of('Patient');
  if (patient?.system && patient.value) {
    const rep = of('RelatedPerson');
    return {
      type: 'patient',
      patient: { system: patient.system, value: patient.value },
      ...(rep?.system && rep.value ? { representative: { system: rep.system, value: rep.value } } : {}),
    };
  }
  const org = of('Organization');
  if (org?.system === ENTITY_ID_SYSTEM && org.value) return { type: 'operator', id: org.value };
  if (org?.system === HSA_ID_SYSTEM && org.value) {
    const professional = of('Practitioner')?.value;
    return { type: 'care-provider', organisation: org.value, ...(professional ? { professional } : {}) };
  }
  return undefined;
}
