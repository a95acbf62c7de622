import { FhirError } from '../errors/index.ts';
import { issueFor, type IdentifierCheck, type ThrowOptions } from './check.ts';
import { checkPersonNumber, normalisePersonNumber, type PersonNumber } from './person-number.ts';

/**
 * samordningsnummer (system urn:oid:1.2.752.129.2.1.3.3): the identity number Skatteverket gives
 * people who are not folkbokförda. Shaped like a personnummer with the day + 60; month 00 and
 * day 60 mean "unknown" (see samordningsnummerDate in person-number.ts for the sources).
 */
export function checkSamordningsnummer(value: unknown, now?: Date): IdentifierCheck<PersonNumber> {
  return checkPersonNumber(value, 'samordningsnummer', now);
}

export function isSamordningsnummer(value: unknown, now?: Date): value is string {
  return checkSamordningsnummer(value, now).ok;
}

/** Same written forms as normalisePersonnummer; throws MESH-ID-002 saying what is wrong. */
export function normaliseSamordningsnummer(input: unknown, options: ThrowOptions = {}): string {
  const result = normalisePersonNumber(input, 'samordningsnummer', options.now);
  if (!result.ok) throw new FhirError('MESH-ID-002', issueFor(result.problem, options.expression));
  return result.identifier.value;
}
