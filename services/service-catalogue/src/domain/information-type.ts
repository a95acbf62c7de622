import { FhirError, valueSetContains } from '@ndi-mesh/kernel';

export const INFORMATION_TYPE_SYSTEM = 'https://ndi-mesh.se/fhir/CodeSystem/information-type';
export const INFORMATION_TYPE_VALUE_SET = 'https://ndi-mesh.se/fhir/ValueSet/information-type';

/**
 * An information type named in a request: `<code>` or `<system>|<code>`. The codes are the value
 * set's (compiled from fhir-profiles), so a type added there is known here without a code change.
 */
export function informationTypeCode(value: string, expression: string): string {
  const bar = value.indexOf('|');
  const system = bar < 0 ? INFORMATION_TYPE_SYSTEM : value.slice(0, bar);
  const code = bar < 0 ? value : value.slice(bar + 1);
  if (system !== INFORMATION_TYPE_SYSTEM || !code || !valueSetContains(INFORMATION_TYPE_VALUE_SET, INFORMATION_TYPE_SYSTEM, code))
    throw new FhirError('MESH-NTK-001', {
      diagnostics: `'${value}' is not an information type of ${INFORMATION_TYPE_SYSTEM} (see ${INFORMATION_TYPE_VALUE_SET})`,
      expression,
    });
  return code;
}
