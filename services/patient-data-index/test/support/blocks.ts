import type { Bundle, Consent, Parameters } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM } from '@ndi-mesh/kernel';

// What the index's tests send to the real consent registry, written from its implementation guide
// (implementation-guides/consent-registry: examples/block-care-provider.json, block-opt-out.json,
// revoke-consent.json, break-glass-request.json), not from the registry's code.

type Person = { readonly system: string; readonly value: string };

const CONSENT_KIND = 'https://ndi-mesh.se/fhir/CodeSystem/consent-kind';
const ACTOR_ROLE = 'https://ndi-mesh.se/fhir/CodeSystem/block-actor-role';
const role = (code: string) => ({ coding: [{ system: ACTOR_ROLE, code }] });

function consentOf(kind: string, patient: Person, type: 'deny' | 'permit'): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: CONSENT_KIND, code: kind }] }],
    patient: { identifier: { system: patient.system, value: patient.value } },
    policy: [{ uri: 'https://ndi-mesh.se/fhir/consent-registry/rules' }],
    provision: { type },
  };
}

/** An outer block (no block-level extension) of every category of `owner`'s data, in force now: every other care provider is kept out (NSF-R5). */
export function outerBlockOf(patient: Person, owner: string): Consent {
  const consent = consentOf('care-provider', patient, 'deny');
  consent.provision!.actor = [{ role: role('owner'), reference: { type: 'Organization', identifier: { system: HSA_ID_SYSTEM, value: owner } } }];
  return consent;
}

/** The patient opts out of national sharing (NSF-R4). */
export const optOut = (patient: Person): Consent => consentOf('opt-out', patient, 'deny');

/**
 * The patient's consent (NSF-R12) letting one organisation, the grantee, read the named blocks
 * until `end`: the only way a block names a requester.
 */
export function consentRevoke(patient: Person, grantee: string, blockIds: readonly string[], end: string): Consent {
  const consent = consentOf('consent-revoke', patient, 'permit');
  consent.extension = [{ url: 'https://ndi-mesh.se/fhir/StructureDefinition/consent-reason', valueString: 'Referral: the patient agreed they may read it.' }];
  consent.provision = {
    type: 'permit',
    period: { end },
    actor: [{ role: role('grantee'), reference: { type: 'Organization', identifier: { system: HSA_ID_SYSTEM, value: grantee } } }],
    data: blockIds.map((id) => ({ meaning: 'instance', reference: { reference: `Consent/${id}` } })),
  };
  return consent;
}

/** `$break-glass` input: the patient and why. */
export const breakGlassRequest = (patient: Person, reason: string): Parameters => ({
  resourceType: 'Parameters',
  parameter: [
    { name: 'patient', valueIdentifier: { system: patient.system, value: patient.value } },
    { name: 'reason', valueString: reason },
  ],
});

/** A rest-hook notification as the registry pushes one (a collection Bundle with the changed version). */
export const notificationOf = (consent: Consent): Bundle => ({
  resourceType: 'Bundle',
  type: 'collection',
  timestamp: new Date().toISOString(),
  entry: [{ resource: consent }],
});
