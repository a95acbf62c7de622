import type { Organization } from '@medplum/fhirtypes';
import { assertHsaId, FhirError, HSA_ID_SYSTEM } from '@ndi-mesh/kernel';

/** The organisation's HSA-id and where it sits; NTK-R4: well-formed (400 MESH-ID-003). */
export function hsaIdOf(org: Organization): string {
  const index = org.identifier?.findIndex((i) => i.system === HSA_ID_SYSTEM) ?? -1;
  const value = index < 0 ? undefined : org.identifier![index]!.value;
  // The profile requires exactly one HSA-id; this guards callers that bypass validation.
  if (value === undefined)
    throw new FhirError('MESH-FHIR-008', {
      diagnostics: `An organisation needs an identifier with system ${HSA_ID_SYSTEM}`,
      expression: 'Organization.identifier',
    });
  assertHsaId(value, `Organization.identifier[${index}].value`);
  return value;
}

/** NTK-R5: an organisation keeps its HSA-id; a new HSA-id is a new organisation. */
export function assertHsaIdUnchanged(before: string, after: string): void {
  if (before !== after)
    throw new FhirError('MESH-NTK-006', {
      diagnostics: `The organisation's HSA-id is ${before}; it cannot become ${after} (register the new HSA-id as an organisation of its own)`,
      expression: 'Organization.identifier',
    });
}
