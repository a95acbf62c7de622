import { checkHsaId } from './hsa-id.ts';
import { hasValidLuhnCheckDigit, luhnCheckDigit } from './luhn.ts';
import { checkPersonnummer } from './personnummer.ts';
import { SKATTEVERKET_TEST_SAMORDNINGSNUMMER } from './skatteverket-test-samordningsnummer.ts';

/**
 * Identifiers for tests and demo data that are valid yet belong to no real person or
 * organisation. Each generator takes `rng` shaped like Math.random; given a seeded one it is
 * deterministic.
 *
 * There is no reserved range of birth numbers in Sweden (980–999 is not one). Skatteverket
 * instead publishes lists of numbers it will never assign: the open data set "Testpersonnummer"
 * (skatteverket.entryscape.net, dataset b4de7df7-63c0-4e7e-bb59-1f156a591763; the January 2017
 * edition is mirrored in github.com/byrokrat/id, tests/skatteverket/testdata/personal). In that
 * list births 1890–1910 use mostly birth numbers 980–981 and later years mostly 238–239, and for
 * 1991, 1992 and 1993 it holds both 238 and 239 for every single day. So a personnummer born
 * 1991-01-01…1993-12-31 with birth number 238 or 239 and the right check digit is always one of
 * Skatteverket's test numbers (all 2,192 checked against the list); the generator draws from
 * exactly that set.
 */
export type Rng = () => number;

/**
 * A seeded Park–Miller generator, for synthetic data that must be the same in every run (test
 * fixtures, the demo directory, bench data): the same seed, the same identities, so a failure replays.
 */
export function seededRng(seed: number): Rng {
  let state = seed % 2_147_483_647 || 1;
  return () => {
    state = (state * 16_807) % 2_147_483_647;
    return (state - 1) / 2_147_483_646;
  };
}

export type HsaIdKind = 'organisation' | 'unit' | 'person' | 'system';

const FIRST_TEST_BIRTH = Date.UTC(1991, 0, 1);
const TEST_BIRTH_DAYS = 365 + 366 + 365;
const TEST_BIRTH_NUMBERS = ['238', '239'] as const;
const DAY_MS = 86_400_000;

/**
 * Organisation numbers begin with a group digit (1 estates, 2 public bodies, 3 foreign
 * companies, 5–9 companies and associations; Skatteverket, SKV 709) and have 20 or more in
 * the month position so they cannot be read as a personnummer. `0099` is therefore neither:
 * no group 0 exists, and 99 is no month, so no company and no sole trader (whose organisation
 * number is their personnummer) can hold one. The Luhn check digit is still right, so the
 * HSA-id format check passes.
 */
export const SYNTHETIC_ORGANISATION_PREFIX = '0099';

/** The first character of a synthetic HSA-id's suffix says what it names; the HSA format itself does not. */
const KIND_CODE: Readonly<Record<HsaIdKind, string>> = { organisation: 'O', unit: 'U', person: 'P', system: 'S' };
const SUFFIX_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const SUFFIX_RANDOM_LENGTH = 7;

const testSamordningsnummer = new Set(SKATTEVERKET_TEST_SAMORDNINGSNUMMER);

/** A personnummer from Skatteverket's test list: born 1991–1993, birth number 238 or 239. */
export function syntheticPersonnummer(rng: Rng = Math.random): string {
  const birth = new Date(FIRST_TEST_BIRTH + pick(rng, TEST_BIRTH_DAYS) * DAY_MS).toISOString();
  const yyyymmdd = `${birth.slice(0, 4)}${birth.slice(5, 7)}${birth.slice(8, 10)}`;
  const birthNumber = choose(rng, TEST_BIRTH_NUMBERS);
  const payload = `${yyyymmdd.slice(2)}${birthNumber}`;
  return `${yyyymmdd}${birthNumber}${luhnCheckDigit(payload)}`;
}

export function isSyntheticPersonnummer(value: string): boolean {
  return /^199[123]\d{4}23[89]\d$/.test(value) && checkPersonnummer(value).ok;
}

/** A samordningsnummer from Skatteverket's published test list. */
export function syntheticSamordningsnummer(rng: Rng = Math.random): string {
  return choose(rng, SKATTEVERKET_TEST_SAMORDNINGSNUMMER);
}

export function isSyntheticSamordningsnummer(value: string): boolean {
  return testSamordningsnummer.has(value);
}

export function syntheticOrganisationNumber(rng: Rng = Math.random): string {
  let payload = SYNTHETIC_ORGANISATION_PREFIX;
  while (payload.length < 9) payload += String(pick(rng, 10));
  return `${payload}${luhnCheckDigit(payload)}`;
}

export function isSyntheticOrganisationNumber(value: string): boolean {
  return /^\d{10}$/.test(value) && value.startsWith(SYNTHETIC_ORGANISATION_PREFIX) && hasValidLuhnCheckDigit(value);
}

/**
 * An HSA-id `SE<synthetic organisation number>-<kind code><7 characters>`. Pass `owner` (a
 * synthetic organisation number or HSA-id) to issue it under that organisation's directory
 * prefix, as a care provider's units and staff share it; a real owner is refused so nothing
 * generated here can collide with a real directory.
 */
export function syntheticHsaId(kind: HsaIdKind, rng: Rng = Math.random, owner?: string): string {
  const organisationNumber = owner === undefined ? syntheticOrganisationNumber(rng) : syntheticOwner(owner);
  let suffix = KIND_CODE[kind];
  for (let i = 0; i < SUFFIX_RANDOM_LENGTH; i++) suffix += SUFFIX_ALPHABET.charAt(pick(rng, SUFFIX_ALPHABET.length));
  return `SE${organisationNumber}-${suffix}`;
}

export function isSyntheticHsaId(value: string): boolean {
  const result = checkHsaId(value);
  return result.ok && isSyntheticOrganisationNumber(result.identifier.organisationNumber);
}

function syntheticOwner(owner: string): string {
  const hsa = checkHsaId(owner);
  const organisationNumber = hsa.ok ? hsa.identifier.organisationNumber : owner;
  if (!isSyntheticOrganisationNumber(organisationNumber)) {
    throw new RangeError(`owner must be a synthetic organisation number (${SYNTHETIC_ORGANISATION_PREFIX}…) or an HSA-id under one`);
  }
  return organisationNumber;
}

function choose<T>(rng: Rng, items: readonly T[]): T {
  const item = items[pick(rng, items.length)];
  if (item === undefined) throw new RangeError('nothing to choose from');
  return item;
}

function pick(rng: Rng, n: number): number {
  const r = rng();
  if (!(r >= 0 && r < 1)) throw new RangeError('rng must return a number in [0, 1)');
  return Math.floor(r * n);
}
