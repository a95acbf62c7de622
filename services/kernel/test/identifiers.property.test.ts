import fc from 'fast-check';
import {
  checkHsaId,
  checkPersonnummer,
  checkSamordningsnummer,
  isSyntheticHsaId,
  isSyntheticPersonnummer,
  isSyntheticSamordningsnummer,
  luhnCheckDigit,
  normalisePersonnummer,
  organisationNumberOf,
  syntheticHsaId,
  syntheticPersonnummer,
  syntheticSamordningsnummer,
  type HsaIdKind,
} from '../src/identifiers/index.ts';

const now = new Date('2025-06-15T12:00:00Z');

/** An rng that replays fast-check's numbers, so failures shrink to a small replay. */
const rngArb = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 20 }).map((values) => {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
});

/** Any valid personnummer born 1800-01-01 … today, built from the rules, not from the generator. */
const personnummerArb = fc
  .record({
    birth: fc.date({ min: new Date('1800-01-01T00:00:00Z'), max: new Date('2025-06-15T00:00:00Z'), noInvalidDate: true }),
    birthNumber: fc.integer({ min: 1, max: 999 }),
  })
  .map(({ birth, birthNumber }) => {
    const iso = birth.toISOString();
    const yyyymmdd = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
    const nnn = String(birthNumber).padStart(3, '0');
    return `${yyyymmdd}${nnn}${luhnCheckDigit(`${yyyymmdd.slice(2)}${nnn}`)}`;
  });

describe('synthetic identifiers (properties)', () => {
  test('every synthetic personnummer is valid and in the synthetic range', () => {
    fc.assert(
      fc.property(rngArb, (rng) => {
        const value = syntheticPersonnummer(rng);
        expect(checkPersonnummer(value, now).ok).toBe(true);
        expect(isSyntheticPersonnummer(value)).toBe(true);
      }),
    );
  });

  test('every synthetic samordningsnummer is valid and from the published test list', () => {
    fc.assert(
      fc.property(rngArb, (rng) => {
        const value = syntheticSamordningsnummer(rng);
        expect(checkSamordningsnummer(value, now).ok).toBe(true);
        expect(isSyntheticSamordningsnummer(value)).toBe(true);
      }),
    );
  });

  test('every synthetic HSA-id passes the format check, fits 31 characters and stays under its owner', () => {
    const kindArb = fc.constantFrom<HsaIdKind>('organisation', 'unit', 'person', 'system');
    fc.assert(
      fc.property(kindArb, kindArb, rngArb, (ownerKind, kind, rng) => {
        const owner = syntheticHsaId(ownerKind, rng);
        const value = syntheticHsaId(kind, rng, owner);
        expect(checkHsaId(value).ok).toBe(true);
        expect(value.length).toBeLessThanOrEqual(31);
        expect(isSyntheticHsaId(value)).toBe(true);
        expect(organisationNumberOf(value)).toBe(organisationNumberOf(owner));
      }),
    );
  });

  test('the same replayed rng gives the same identifiers', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1 }), (values) => {
        const replay = () => {
          let i = 0;
          return () => values[i++ % values.length] ?? 0;
        };
        const a = replay();
        const b = replay();
        expect([syntheticPersonnummer(a), syntheticSamordningsnummer(a), syntheticHsaId('unit', a)]).toEqual([
          syntheticPersonnummer(b),
          syntheticSamordningsnummer(b),
          syntheticHsaId('unit', b),
        ]);
      }),
    );
  });
});

describe('personnummer (properties)', () => {
  test('numbers built by the rules validate, and each normalised written form gives the same value', () => {
    fc.assert(
      fc.property(personnummerArb, (value) => {
        expect(checkPersonnummer(value, now).ok).toBe(true);
        expect(normalisePersonnummer(`${value.slice(0, 8)}-${value.slice(8)}`, { now })).toBe(value);
        const year = Number(value.slice(0, 4));
        if (year > 2025 - 200) {
          const separator = year > 2025 - 100 ? '-' : '+';
          expect(normalisePersonnummer(`${value.slice(2, 8)}${separator}${value.slice(8)}`, { now })).toBe(value);
        }
      }),
    );
  });

  test('changing any one of the ten Luhn-covered digits makes a valid personnummer invalid', () => {
    const caseArb = fc.tuple(
      fc.oneof(
        personnummerArb,
        rngArb.map((rng) => syntheticPersonnummer(rng)),
      ),
      fc.integer({ min: 2, max: 11 }),
      fc.integer({ min: 1, max: 9 }),
    );
    fc.assert(
      fc.property(caseArb, ([value, position, shift]) => {
        const digit = (Number(value[position]) + shift) % 10;
        const changed = `${value.slice(0, position)}${digit}${value.slice(position + 1)}`;
        expect(checkPersonnummer(changed, now).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test('a samordningsnummer is a personnummer with day + 60 and its own check digit', () => {
    fc.assert(
      fc.property(personnummerArb, (personnummer) => {
        const day = Number(personnummer.slice(6, 8)) + 60;
        const payload = `${personnummer.slice(2, 6)}${day}${personnummer.slice(8, 11)}`;
        const samordningsnummer = `${personnummer.slice(0, 2)}${payload}${luhnCheckDigit(payload)}`;
        expect(checkSamordningsnummer(samordningsnummer, now).ok).toBe(true);
        expect(checkPersonnummer(samordningsnummer, now).ok).toBe(false);
        expect(checkSamordningsnummer(personnummer, now).ok).toBe(false);
      }),
    );
  });
});
