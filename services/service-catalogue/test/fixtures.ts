import type { Endpoint, Organization } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM, seededRng, syntheticHsaId } from '@ndi-mesh/kernel';

export const INFORMATION_TYPE = 'https://ndi-mesh.se/fhir/CodeSystem/information-type';

/** A deterministic rng so that failures reproduce. */
export const rng = seededRng(1);

export function organization(name: string, hsaId = syntheticHsaId('organisation', rng)): Organization {
  return { resourceType: 'Organization', identifier: [{ system: HSA_ID_SYSTEM, value: hsaId }], active: true, name };
}

export function endpoint(orgId: string, payload = 'patient-summary', status: Endpoint['status'] = 'active'): Endpoint {
  return {
    resourceType: 'Endpoint',
    status,
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
    name: `${payload} API`,
    managingOrganization: { reference: `Organization/${orgId}` },
    payloadType: [{ coding: [{ system: INFORMATION_TYPE, code: payload }] }],
    address: 'https://fhir.example-vard.se/r4',
  };
}
