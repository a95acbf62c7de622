import { failed, passed, type IdentifierCheck } from './check.ts';
import { luhnCheckDigit } from './luhn.ts';
import { daysInMonth, isoDate, isRealDate, todayInSweden } from './swedish-calendar.ts';
import { PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM } from './systems.ts';

/**
 * What personnummer and samordningsnummer share: twelve digits YYYYMMDDNNNC (folkbokföringslagen
 * 18 § and 18 a §: the birth date stored with four digits for the year, a three-digit birth or
 * individual number, and a Luhn check digit computed over the last ten digits but the check digit).
 */
export type PersonNumberKind = 'personnummer' | 'samordningsnummer';

export interface PersonNumber {
  readonly kind: PersonNumberKind;
  /** The FHIR Identifier.value: 12 digits, no separator. */
  readonly value: string;
  /**
   * The birth date as a FHIR date: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` for a samordningsnummer
   * whose day or month Skatteverket recorded as unknown.
   */
  readonly birthDate: string;
}

/**
 * HL7 Sweden's personnummer and samordningsnummer invariants (basprofiler-r4,
 * PatientIdentifierConformancePatternSE.fsh) start the year at 18xx so that the dead, born in
 * the 19th century, keep their numbers; nothing older carries one.
 */
const EARLIEST_BIRTH_YEAR = 1800;

/**
 * Skatteverket draws a samordningsnummer's individual number from 001–999 (Rättslig vägledning,
 * "Samordningsnummer", edition 2016.5), and that number stands where a personnummer has its birth
 * number; 000 is not used for either, and the widely used validators (the personnummer/* libraries)
 * refuse it too.
 */
const UNASSIGNED_BIRTH_NUMBER = '000';

/** Checks the 12-digit FHIR form. `now` fixes "today" (Swedish calendar date) for the future-date rule. */
export function checkPersonNumber(value: unknown, kind: PersonNumberKind, now: Date = new Date()): IdentifierCheck<PersonNumber> {
  if (typeof value !== 'string') return failed(`a ${kind} is a string of 12 digits`);
  if (!/^\d{12}$/.test(value)) {
    const digitsOnly = /^\d*$/.test(value) ? '' : ', not all of them digits';
    return failed(`a ${kind} is 12 digits YYYYMMDDNNNC with no separator (got ${value.length} characters${digitsOnly})`);
  }
  const year = Number(value.slice(0, 4));
  if (year < EARLIEST_BIRTH_YEAR) return failed(`year ${year} is before ${EARLIEST_BIRTH_YEAR}`);

  const date = kind === 'personnummer' ? personnummerDate(value) : samordningsnummerDate(value);
  if (!date.ok) return date;
  if (date.identifier.earliest > todayInSweden(now)) return failed('the birth date is in the future');

  const birthNumber = value.slice(8, 11);
  if (birthNumber === UNASSIGNED_BIRTH_NUMBER) {
    const name = kind === 'personnummer' ? 'birth number' : 'individual number';
    return failed(`${name} ${UNASSIGNED_BIRTH_NUMBER} is never assigned`);
  }
  const expected = luhnCheckDigit(value.slice(2, 11));
  if (Number(value[11]) !== expected) return failed(`check digit should be ${expected}`);

  return passed({ kind, value, birthDate: date.identifier.birthDate });
}

interface BirthDate {
  readonly birthDate: string;
  /** The first day the birth could have been on, for the future-date rule. */
  readonly earliest: string;
}

function personnummerDate(value: string): IdentifierCheck<BirthDate> {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(4, 6));
  const day = Number(value.slice(6, 8));
  if (day >= 60 && day <= 91) {
    return failed(`day ${value.slice(6, 8)} is a samordningsnummer day (birth day + 60); a samordningsnummer uses system ${SAMORDNINGSNUMMER_SYSTEM}`);
  }
  if (!isRealDate(year, month, day)) return failed(`${value.slice(0, 8)} is not a date`);
  const birthDate = isoDate(year, month, day);
  return passed({ birthDate, earliest: birthDate });
}

/**
 * A samordningsnummer's day is the birth day + 60 (folkbokföringslagen 18 a §). When Skatteverket
 * cannot establish the day or the month it records 00 for it, so day 60 (00 + 60) and month 00
 * are valid: Skatteverket's own published test samordningsnummer contain both (e.g. 191500722390,
 * 191711602399), and Skatteverket confirmed the rule to the maintainers of ActiveLogin.Identity
 * (github.com/ActiveLogin/ActiveLogin.Identity/issues/126) and of personnummer/csharp
 * (github.com/personnummer/csharp/issues/119). The same exchange confirmed that a day the month
 * does not have (e.g. 30 February) is not valid, although a few such numbers are in the test data.
 */
function samordningsnummerDate(value: string): IdentifierCheck<BirthDate> {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(4, 6));
  const dayField = Number(value.slice(6, 8));
  const dd = value.slice(6, 8);
  if (dayField < 60) {
    const hint = dayField >= 1 && dayField <= 31 ? `; a personnummer uses system ${PERSONNUMMER_SYSTEM}` : '';
    return failed(`day ${dd} is not a samordningsnummer day: it is the birth day + 60 (61–91, or 60 when the day is unknown)${hint}`);
  }
  if (dayField > 91) return failed(`day ${dd} is not a samordningsnummer day (60–91)`);
  if (month > 12) return failed(`month ${value.slice(4, 6)} is not a month (01–12, or 00 when unknown)`);
  const day = dayField - 60;
  if (month > 0 && day > 0 && !isRealDate(year, month, day)) {
    const days = daysInMonth(year, month);
    return failed(`${value.slice(0, 8)} is not a date: day ${dd} means day ${day}, and ${value.slice(0, 4)}-${value.slice(4, 6)} has ${days} days`);
  }
  const birthDate = month === 0 ? String(year).padStart(4, '0') : day === 0 ? isoDate(year, month, 1).slice(0, 7) : isoDate(year, month, day);
  return passed({ birthDate, earliest: isoDate(year, month || 1, day || 1) });
}

/**
 * Turns the written forms into the 12-digit FHIR form, then checks it. Accepted, after trimming
 * surrounding white space:
 * - `YYYYMMDDNNNC` (the FHIR form)
 * - `YYYYMMDD-NNNC`
 * - `YYMMDD-NNNC`: the person turns at most 99 this year
 * - `YYMMDD+NNNC`: the person turns 100 or more this year
 * The 10-digit forms follow folkbokföringslagen 18 §: the hyphen becomes a plus sign in the year
 * the person turns 100, so the separator and the current year (in Sweden) fix the century.
 * Anything else (no separator in the 10-digit form, a plus sign with the century written out,
 * spaces inside) is refused rather than guessed at.
 */
export function normalisePersonNumber(input: unknown, kind: PersonNumberKind, now: Date = new Date()): IdentifierCheck<PersonNumber> {
  if (typeof input !== 'string') return failed(`a ${kind} is a string`);
  const text = input.trim();
  if (/^\d{12}$/.test(text)) return checkPersonNumber(text, kind, now);
  const long = /^(\d{8})-(\d{4})$/.exec(text);
  if (long) return checkPersonNumber(`${long[1]}${long[2]}`, kind, now);
  const short = /^(\d{6})([-+])(\d{4})$/.exec(text);
  if (short) {
    const [, yymmdd = '', separator, tail = ''] = short;
    const currentYear = Number(todayInSweden(now).slice(0, 4));
    const latest = separator === '-' ? currentYear : currentYear - 100;
    const yy = Number(yymmdd.slice(0, 2));
    const year = latest - ((((latest - yy) % 100) + 100) % 100);
    return checkPersonNumber(`${String(year).padStart(4, '0')}${yymmdd.slice(2)}${tail}`, kind, now);
  }
  return failed(`write a ${kind} as YYYYMMDDNNNC, YYYYMMDD-NNNC, YYMMDD-NNNC or YYMMDD+NNNC`);
}
