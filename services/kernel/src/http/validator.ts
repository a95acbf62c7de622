import type { Resource } from '@medplum/fhirtypes';

/** Validates an incoming resource; throws a FhirError (422) naming every problem. */
export interface Validator {
  validate(resource: Resource, profile?: string): void;
}
