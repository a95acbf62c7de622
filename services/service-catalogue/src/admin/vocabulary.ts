import { readFileSync } from 'node:fs';
import type { CodeSystem } from '@medplum/fhirtypes';
import { INFORMATION_TYPE_SYSTEM } from '../domain/information-type.ts';

export interface Choice {
  readonly code: string;
  readonly display: string;
}

/** The information types, as compiled from fhir-profiles (a type added there shows up here). */
export function informationTypes(): Choice[] {
  const file = new URL('../../../../fhir-profiles/fsh-generated/resources/CodeSystem-information-type.json', import.meta.url);
  const cs = JSON.parse(readFileSync(file, 'utf8')) as CodeSystem;
  if (cs.url !== INFORMATION_TYPE_SYSTEM) throw new Error(`${file.pathname} is not the information-type code system`);
  return (cs.concept ?? []).map((c) => ({ code: c.code, display: c.display ?? c.code }));
}

export const CONNECTION_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type';

/** The connection types an API in the catalogue uses (R4 endpoint-connection-type, extensible). */
export const CONNECTION_TYPES: readonly Choice[] = [
  { code: 'hl7-fhir-rest', display: 'HL7 FHIR (REST)' },
  { code: 'hl7-fhir-msg', display: 'HL7 FHIR (messaging)' },
  { code: 'ihe-xca', display: 'IHE XCA' },
  { code: 'ihe-xcpd', display: 'IHE XCPD' },
  { code: 'ihe-xdr', display: 'IHE XDR' },
  { code: 'dicom-wado-rs', display: 'DICOM WADO-RS' },
];

/** R4 endpoint-status (required binding), in the words the form shows. */
export const STATUSES: readonly Choice[] = [
  { code: 'active', display: 'Active: in use' },
  { code: 'suspended', display: 'Suspended: temporarily out of use' },
  { code: 'test', display: 'Test: not for production use' },
  { code: 'off', display: 'Off: no longer in use' },
  { code: 'error', display: 'Error: not working' },
  { code: 'entered-in-error', display: 'Entered in error' },
];

export const IMPLEMENTATION_GUIDE_URL = 'https://ndi-mesh.se/fhir/StructureDefinition/implementation-guide';
