// Our profiles, parsed once into @medplum/core's schema form.
//
// validateResource(resource, { profile }) parses the profile's snapshot again on every call (about
// 0.5 ms for SEEndpoint, ten times the validation itself). Instead, each parsed profile is also
// registered in @medplum/core's table of data types under its url, as a type of its own, and resources
// are validated as values of that type: the same walk over the same schema, without the parse. The
// entry is not enumerable, so code that lists the known resource types does not see it.
import type { InternalTypeSchema } from '@medplum/core';
import { getAllDataTypes, loadDataType, tryGetDataType, tryGetProfile } from '@medplum/core';
import type { StructureDefinition } from '@medplum/fhirtypes';

export interface ProfileTarget {
  readonly url: string;
  /** The resource type the profile constrains. */
  readonly resourceType: string;
  /** The type name to validate a resource as. */
  readonly typeKey: string;
  readonly schema: InternalTypeSchema;
  /** Set when registering under typeKey failed: validate with `{ profile }` (slower, same result). */
  readonly fallbackProfile?: StructureDefinition;
}

export function registerProfile(sd: StructureDefinition): ProfileTarget {
  loadDataType(sd);
  const schema = tryGetProfile(sd.url);
  if (!schema || !sd.type) throw new Error(`The profile ${sd.url} could not be parsed`);
  const types = getAllDataTypes();
  if (!(sd.url in types)) {
    Object.defineProperty(types, sd.url, { value: schema, enumerable: false, configurable: true, writable: true });
  }
  if (tryGetDataType(sd.url) === schema) {
    return { url: sd.url, resourceType: sd.type, typeKey: sd.url, schema };
  }
  return { url: sd.url, resourceType: sd.type, typeKey: sd.type, schema, fallbackProfile: sd };
}
