import { FhirError } from '../errors/index.ts';
import { failed, issueFor, passed, type IdentifierCheck } from './check.ts';
import { luhnCheckDigit } from './luhn.ts';

/**
 * HSA-id (system urn:oid:1.2.752.129.2.1.4.1): the identity of a person, organisation, unit,
 * function or system in the national HSA directory. The format check follows Inera's rule for the
 * HSA prefix, as quoted in openEHR's Swedish implementation guide "HSA-identitet och
 * Organisationsnummer" (openehr.atlassian.net/wiki/spaces/healthmod/pages/1922990156):
 *   SE<the directory owner's organisation number, 10 digits, no hyphen>-<letters A–Z, a–z and/or
 *   digits 0–9, at least one>; å, ä, ö and @ are not allowed; at most 31 characters in all.
 * and Inera's own HSA-id validator (se.inera.certificate.validate.HsaIdValidator), which also
 * accepts the 12-digit organisation number of a legal person (16 + the 10 digits, e.g.
 * SE162321000024-0001) and checks the organisation number's Luhn check digit.
 * Whether the id exists is for the directory to say, not this check.
 */
export interface HsaId {
  readonly value: string;
  /** The directory owner's organisation number, 10 digits (any `16` prefix removed). */
  readonly organisationNumber: string;
  readonly suffix: string;
}

const MAX_LENGTH = 31;
const LEGAL_PERSON_PREFIX = '16';

export function checkHsaId(value: unknown): IdentifierCheck<HsaId> {
  if (typeof value !== 'string') return failed('an HSA-id is a string');
  if (value.length > MAX_LENGTH) return failed(`an HSA-id has at most ${MAX_LENGTH} characters (got ${value.length})`);
  if (!value.startsWith('SE')) return failed('an HSA-id starts with SE');
  const hyphen = value.indexOf('-');
  if (hyphen < 0) return failed('an HSA-id has a hyphen between the organisation number and the suffix');
  const written = value.slice(2, hyphen);
  const isTen = /^\d{10}$/.test(written);
  const isTwelve = /^\d{12}$/.test(written) && written.startsWith(LEGAL_PERSON_PREFIX);
  if (!isTen && !isTwelve) {
    return failed(`the organisation number in an HSA-id is 10 digits, or 12 beginning with ${LEGAL_PERSON_PREFIX}`);
  }
  const organisationNumber = isTwelve ? written.slice(2) : written;
  const expected = luhnCheckDigit(organisationNumber.slice(0, 9));
  if (Number(organisationNumber[9]) !== expected) return failed(`the organisation number's check digit should be ${expected}`);
  const suffix = value.slice(hyphen + 1);
  if (suffix.length === 0) return failed('an HSA-id has at least one character after the hyphen');
  if (!/^[A-Za-z0-9]+$/.test(suffix)) return failed('after the hyphen an HSA-id has only letters A–Z, a–z and digits 0–9');
  return passed({ value, organisationNumber, suffix });
}

export function isHsaId(value: unknown): value is string {
  return checkHsaId(value).ok;
}

/** Throws MESH-ID-003 saying what is wrong unless `value` is a well-formed HSA-id. */
export function assertHsaId(value: unknown, expression?: string): asserts value is string {
  const result = checkHsaId(value);
  if (!result.ok) throw new FhirError('MESH-ID-003', issueFor(result.problem, expression));
}

/** The 10-digit organisation number of the directory owner that issued `hsaId`; throws MESH-ID-003 if malformed. */
export function organisationNumberOf(hsaId: string, expression?: string): string {
  const result = checkHsaId(hsaId);
  if (!result.ok) throw new FhirError('MESH-ID-003', issueFor(result.problem, expression));
  return result.identifier.organisationNumber;
}
