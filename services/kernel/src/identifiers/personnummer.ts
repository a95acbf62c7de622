import { FhirError } from '../errors/index.ts';
import { issueFor, type IdentifierCheck, type ThrowOptions } from './check.ts';
import { checkPersonNumber, normalisePersonNumber, type PersonNumber } from './person-number.ts';

/**
 * personnummer (system urn:oid:1.2.752.129.2.1.3.1): the identity number of everyone who is or
 * has been folkbokförd in Sweden. Valid means: 12 digits YYYYMMDDNNNC, a real calendar date from
 * 1800 on and not after today in Sweden, a birth number other than 000, and the Luhn check digit
 * over the last ten digits. The century is not covered by the check digit, so 18 ↔ 19 slips by.
 */

export function checkPersonnummer(value: unknown, now?: Date): IdentifierCheck<PersonNumber> {
  return checkPersonNumber(value, 'personnummer', now);
}

export function isPersonnummer(value: unknown, now?: Date): value is string {
  return checkPersonnummer(value, now).ok;
}

/**
 * The 12-digit FHIR value of a personnummer written as `YYYYMMDDNNNC`, `YYYYMMDD-NNNC`,
 * `YYMMDD-NNNC` or `YYMMDD+NNNC` (see normalisePersonNumber for how the century is found);
 * throws MESH-ID-001 saying what is wrong otherwise.
 */
export function normalisePersonnummer(input: unknown, options: ThrowOptions = {}): string {
  const result = normalisePersonNumber(input, 'personnummer', options.now);
  if (!result.ok) throw new FhirError('MESH-ID-001', issueFor(result.problem, options.expression));
  return result.identifier.value;
}
