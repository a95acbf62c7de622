import { FhirError } from '@ndi-mesh/kernel';
import { INFORMATION_TYPES, type CountryPolicy, type InformationType } from './model.ts';

/** What MyHealth@EU carries today (seed 001 §5.5): the patient summary, ePrescription and eDispensation. */
export const MYHEALTH_EU_CATEGORIES: readonly InformationType[] = ['patient-summary', 'eprescription', 'edispensation'];

const KNOWN_TYPES: ReadonlySet<string> = new Set(INFORMATION_TYPES);
const COUNTRY_CODE = /^[A-Z]{2}$/;

/**
 * Reads the policy from configuration: `{ "FI": ["patient-summary", "eprescription"], … }`, ISO
 * 3166-1 alpha-2 codes. Sweden itself is refused: a request from Sweden is not cross-border, and
 * an entry for SE would suggest the national rules could be widened here.
 */
export function countryPolicyFrom(input: unknown): CountryPolicy {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FhirError('MESH-NSF-009', 'the country policy is an object from country code to a list of information types');
  }
  const policy = new Map<string, ReadonlySet<InformationType>>();
  for (const [country, categories] of Object.entries(input)) {
    if (!COUNTRY_CODE.test(country)) throw new FhirError('MESH-NSF-009', `"${country}" is not an ISO 3166-1 alpha-2 country code`);
    if (country === 'SE') throw new FhirError('MESH-NSF-009', 'SE is not a cross-border country; national rules apply to Swedish requests');
    if (!Array.isArray(categories)) throw new FhirError('MESH-NSF-009', `${country}: the categories are a list`);
    const allowed = new Set<InformationType>();
    for (const category of categories) {
      if (typeof category !== 'string' || !KNOWN_TYPES.has(category)) {
        throw new FhirError('MESH-NSF-009', `${country}: "${String(category)}" is not an information type (${INFORMATION_TYPES.join(', ')})`);
      }
      allowed.add(category as InformationType);
    }
    policy.set(country, allowed);
  }
  return policy;
}

/** NSF-R11. A country the policy does not name receives nothing: sharing abroad is opted into per country. */
export function countryAllows(policy: CountryPolicy, country: string, category: InformationType): boolean {
  return policy.get(country)?.has(category) ?? false;
}
