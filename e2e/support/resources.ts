import type { Bundle, Consent, Parameters } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM } from '@ndi-mesh/kernel';
import type { Person } from './actors.ts';

// The resources each party sends, written from the implementation guides' examples, not from any
// service's code: if a service drifts from its guide, this story notices.

export const INFORMATION_TYPE_SYSTEM = 'https://ndi-mesh.se/fhir/CodeSystem/information-type';

/** NTK guide, "How a vendor registers its API": the organisation (conditional create) and one endpoint (conditional update) in one transaction. */
export function registration(o: { hsaId: string; name: string; address: string; types: readonly string[] }): Bundle {
  const orgUrl = `urn:uuid:${crypto.randomUUID()}`;
  const endpointId = `${o.hsaId.toLowerCase()}-${o.types.join('-')}`;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: orgUrl,
        resource: { resourceType: 'Organization', identifier: [{ system: HSA_ID_SYSTEM, value: o.hsaId }], active: true, name: o.name },
        request: { method: 'POST', url: 'Organization', ifNoneExist: `identifier=${HSA_ID_SYSTEM}|${o.hsaId}` },
      },
      {
        resource: {
          resourceType: 'Endpoint',
          identifier: [{ system: 'https://e2e.ndi-mesh.example/endpoints', value: endpointId }],
          status: 'active',
          connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
          name: `${o.name} ${o.types.join(', ')}`,
          managingOrganization: { reference: orgUrl },
          payloadType: o.types.map((code) => ({ coding: [{ system: INFORMATION_TYPE_SYSTEM, code }] })),
          address: o.address,
        },
        request: { method: 'PUT', url: `Endpoint?identifier=https://e2e.ndi-mesh.example/endpoints|${endpointId}` },
      },
    ],
  };
}

/** PDI rules.md, "The event". */
export function sharingEvent(o: {
  patient: Person;
  careProvider: string;
  system: string;
  eventType: 'started' | 'ended';
  occurredAt: string;
  endReason?: string;
}): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { system: o.patient.system, value: o.patient.value } },
      { name: 'careProvider', valueIdentifier: { system: HSA_ID_SYSTEM, value: o.careProvider } },
      { name: 'system', valueUri: o.system },
      { name: 'eventType', valueCode: o.eventType },
      { name: 'occurredAt', valueInstant: o.occurredAt },
      ...(o.endReason ? [{ name: 'endReason', valueCoding: { system: 'https://ndi-mesh.se/fhir/CodeSystem/pdi-end-reason', code: o.endReason } }] : []),
    ],
  };
}

const blockBase = (kind: string, patient: Person): Consent => ({
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'https://ndi-mesh.se/fhir/CodeSystem/consent-kind', code: kind }] }],
  patient: { identifier: { system: patient.system, value: patient.value } },
  policy: [{ uri: 'https://ndi-mesh.se/fhir/consent-registry/rules' }],
  provision: { type: 'deny' },
});

/**
 * Consent guide, examples/block-care-provider.json without its class, data window and period: an
 * outer block (no block-level extension) of every category of one provider's data, in force now.
 */
export function outerBlockOf(patient: Person, owner: string): Consent {
  const consent = blockBase('care-provider', patient);
  consent.provision!.actor = [
    {
      role: { coding: [{ system: 'https://ndi-mesh.se/fhir/CodeSystem/block-actor-role', code: 'owner' }] },
      reference: { type: 'Organization', identifier: { system: HSA_ID_SYSTEM, value: owner } },
    },
  ];
  return consent;
}

/** Consent guide, examples/block-opt-out.json. */
export const optOut = (patient: Person): Consent => blockBase('opt-out', patient);

/** C3 `$decide`, as an information owner asks about one of its own records for a requester. */
export function decideQuestion(o: { patient: Person; requester: string; owner: string; category: string }): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { system: o.patient.system, value: o.patient.value } },
      { name: 'requester', part: [{ name: 'organization', valueIdentifier: { system: HSA_ID_SYSTEM, value: o.requester } }] },
      { name: 'purpose', valueCode: 'treatment' },
      {
        name: 'record',
        part: [
          { name: 'owner', valueIdentifier: { system: HSA_ID_SYSTEM, value: o.owner } },
          { name: 'category', valueCode: o.category },
        ],
      },
    ],
  };
}
