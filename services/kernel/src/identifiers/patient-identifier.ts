import { FhirError } from '../errors/index.ts';
import { issueFor, type ThrowOptions } from './check.ts';
import { checkPersonNumber, type PersonNumberKind } from './person-number.ts';
import { PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM } from './systems.ts';

/**
 * A patient named by a national identity number. The value must already be the FHIR form
 * (12 digits, no separator): a token search matches stored values exactly, so a value written
 * any other way is refused with the reason rather than silently rewritten. Forms typed by people
 * go through normalisePersonnummer / normaliseSamordningsnummer first.
 */
export type PatientIdentifierKind = PersonNumberKind;

export interface PatientIdentifier {
  readonly system: string;
  readonly value: string;
  readonly kind: PatientIdentifierKind;
  /** FHIR date; partial (`YYYY-MM`, `YYYY`) when a samordningsnummer leaves day or month unknown. */
  readonly birthDate: string;
}

const KIND_OF_SYSTEM: ReadonlyMap<string, PatientIdentifierKind> = new Map([
  [PERSONNUMMER_SYSTEM, 'personnummer'],
  [SAMORDNINGSNUMMER_SYSTEM, 'samordningsnummer'],
]);

const CODE_OF_KIND = { personnummer: 'MESH-ID-001', samordningsnummer: 'MESH-ID-002' } as const;

const SYSTEMS_HINT = `use ${PERSONNUMMER_SYSTEM} (personnummer) or ${SAMORDNINGSNUMMER_SYSTEM} (samordningsnummer)`;

export function patientIdentifierKind(system: string): PatientIdentifierKind | undefined {
  return KIND_OF_SYSTEM.get(system);
}

/**
 * Parses search or operation input in FHIR token form `system|value`. Throws MESH-ID-004 when the
 * system is missing or not a patient identity system, MESH-ID-001 / MESH-ID-002 when the value is
 * not a valid personnummer / samordningsnummer. The unknown system is not echoed back: the
 * caller knows what it sent, and the log line need not carry whatever was pasted there.
 */
export function parsePatientIdentifier(token: string, options: ThrowOptions = {}): PatientIdentifier {
  const bar = token.indexOf('|');
  if (bar < 0) {
    throw new FhirError('MESH-ID-004', issueFor(`a patient identifier is written system|value; ${SYSTEMS_HINT}`, options.expression));
  }
  return identify(token.slice(0, bar), token.slice(bar + 1), options.now, options.expression, options.expression);
}

/**
 * Checks a FHIR Identifier that should name a patient. With `expression` (e.g.
 * `Patient.identifier[0]`) the issue points at its `.system` or `.value`.
 */
export function validatePatientIdentifier(
  identifier: { readonly system?: string | undefined; readonly value?: string | undefined },
  options: ThrowOptions = {},
): PatientIdentifier {
  const at = (element: string) => (options.expression === undefined ? undefined : `${options.expression}.${element}`);
  return identify(identifier.system, identifier.value, options.now, at('system'), at('value'));
}

function identify(
  system: string | undefined,
  value: string | undefined,
  now: Date | undefined,
  systemExpression: string | undefined,
  valueExpression: string | undefined,
): PatientIdentifier {
  if (system === undefined || system === '') {
    throw new FhirError('MESH-ID-004', issueFor(`the patient identifier has no system; ${SYSTEMS_HINT}`, systemExpression));
  }
  const kind = KIND_OF_SYSTEM.get(system);
  if (kind === undefined) {
    throw new FhirError('MESH-ID-004', issueFor(`the system is not a patient identity system; ${SYSTEMS_HINT}`, systemExpression));
  }
  if (value === undefined || value === '') {
    throw new FhirError(CODE_OF_KIND[kind], issueFor(`the ${kind} identifier has no value`, valueExpression));
  }
  const result = checkPersonNumber(value, kind, now);
  if (!result.ok) throw new FhirError(CODE_OF_KIND[kind], issueFor(result.problem, valueExpression));
  return { system, value: result.identifier.value, kind, birthDate: result.identifier.birthDate };
}
