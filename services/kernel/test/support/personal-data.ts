import type { Patient } from '@medplum/fhirtypes';
import type { Interaction, ResourceTypeConfig } from '../../src/fhir/registry.ts';
import { PERSONNUMMER_SYSTEM } from '../../src/identifiers/index.ts';
import type { TestService } from '../../src/testing/index.ts';

/** Patient as personal data: every read of one is audited, with its personnummer as the patient. */
export function personalPatients(interactions: readonly Interaction[]): ResourceTypeConfig {
  return {
    type: 'Patient',
    interactions,
    searchParams: ['identifier', 'family'],
    patientsOf: (p) => (p as Patient).identifier?.filter((i) => i.system === PERSONNUMMER_SYSTEM) ?? [],
  };
}

/** Creates a Patient with this personnummer and family name through the API; its id. */
export async function createPatient(svc: TestService, personnummer: string, family: string): Promise<string> {
  const res = await svc.http
    .post('/fhir/Patient')
    .set('content-type', 'application/fhir+json')
    .send(JSON.stringify({ resourceType: 'Patient', identifier: [{ system: PERSONNUMMER_SYSTEM, value: personnummer }], name: [{ family }] }))
    .expect(201);
  return res.body.id as string;
}
