import { FhirError } from '../src/errors/index.ts';
import {
  HSA_ID_SYSTEM,
  PERSONNUMMER_SYSTEM,
  SAMORDNINGSNUMMER_SYSTEM,
  SKATTEVERKET_TEST_SAMORDNINGSNUMMER,
  SYNTHETIC_ORGANISATION_PREFIX,
  assertHsaId,
  checkHsaId,
  checkPersonnummer,
  checkSamordningsnummer,
  hasValidLuhnCheckDigit,
  isHsaId,
  isPersonnummer,
  isSamordningsnummer,
  isSyntheticHsaId,
  isSyntheticPersonnummer,
  isSyntheticSamordningsnummer,
  luhnCheckDigit,
  normalisePersonnummer,
  normaliseSamordningsnummer,
  organisationNumberOf,
  parsePatientIdentifier,
  seededRng,
  syntheticHsaId,
  syntheticOrganisationNumber,
  syntheticPersonnummer,
  syntheticSamordningsnummer,
  todayInSweden,
  validatePatientIdentifier,
} from '../src/identifiers/index.ts';

// Every date rule is judged against this "today" unless a test says otherwise.
const now = new Date('2025-06-15T12:00:00Z');

function refusal(act: () => unknown): { code: string; diagnostics: string; expression: string | undefined } {
  try {
    act();
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    const [first] = err.issues;
    return { code: err.code, diagnostics: first?.diagnostics ?? '', expression: first?.expression };
  }
  throw new Error('expected a FhirError');
}

function problemOf(check: { ok: true } | { ok: false; problem: string }): string {
  if (check.ok) throw new Error('expected the check to fail');
  return check.problem;
}

describe('system URIs', () => {
  test('are the national OIDs', () => {
    expect(PERSONNUMMER_SYSTEM).toBe('urn:oid:1.2.752.129.2.1.3.1');
    expect(SAMORDNINGSNUMMER_SYSTEM).toBe('urn:oid:1.2.752.129.2.1.3.3');
    expect(HSA_ID_SYSTEM).toBe('urn:oid:1.2.752.129.2.1.4.1');
  });
});

describe('Luhn check digit', () => {
  test("computes Skatteverket's worked examples", () => {
    // Skatteverket: 640823-323 → 4; 811218-987 → 6; samordningsnummer 701063-239 → 1.
    expect(luhnCheckDigit('640823323')).toBe(4);
    expect(luhnCheckDigit('811218987')).toBe(6);
    expect(luhnCheckDigit('701063239')).toBe(1);
    expect(luhnCheckDigit('000000000')).toBe(0);
  });

  test('checks organisation numbers too (weight 2 on the rightmost payload digit)', () => {
    expect(hasValidLuhnCheckDigit('2321000016')).toBe(true);
    expect(hasValidLuhnCheckDigit('5565594230')).toBe(true);
    expect(hasValidLuhnCheckDigit('2321000017')).toBe(false);
  });

  test('refuses a payload that is not digits', () => {
    expect(() => luhnCheckDigit('12a')).toThrow(TypeError);
    expect(hasValidLuhnCheckDigit('12-3')).toBe(false);
  });
});

describe('personnummer', () => {
  test('accepts Tolvan Tolvansson and numbers from Skatteverket’s test list', () => {
    expect(checkPersonnummer('191212121212', now)).toEqual({
      ok: true,
      identifier: { kind: 'personnummer', value: '191212121212', birthDate: '1912-12-12' },
    });
    for (const value of ['198611239883', '198501139995', '189001019802', '199202292380', '201701012393']) {
      expect(isPersonnummer(value, now)).toBe(true);
    }
  });

  test('says which check digit was expected, without echoing the number', () => {
    const problem = problemOf(checkPersonnummer('191212121213', now));
    expect(problem).toBe('check digit should be 2');
    expect(problem).not.toContain('191212121213');
    expect(problemOf(checkPersonnummer('202306152384', now))).toBe('check digit should be 6');
  });

  test('is 12 digits with no separator', () => {
    expect(problemOf(checkPersonnummer('19121212-1212', now))).toBe(
      'a personnummer is 12 digits YYYYMMDDNNNC with no separator (got 13 characters, not all of them digits)',
    );
    expect(problemOf(checkPersonnummer('1212121212', now))).toContain('got 10 characters');
    expect(problemOf(checkPersonnummer(191212121212, now))).toBe('a personnummer is a string of 12 digits');
  });

  test('Feb 29 exists only in leap years (every 4th, not every 100th, but every 400th)', () => {
    expect(isPersonnummer('200002290013', now)).toBe(true); // 2000: divisible by 400
    expect(isPersonnummer('200402299879', now)).toBe(true);
    expect(isPersonnummer('202402299883', now)).toBe(true);
    expect(problemOf(checkPersonnummer('190002291235', now))).toBe('19000229 is not a date'); // 1900: divisible by 100
    expect(problemOf(checkPersonnummer('202302299876', now))).toBe('20230229 is not a date');
  });

  test('refuses dates that do not exist', () => {
    expect(problemOf(checkPersonnummer('202313990000', now))).toBe('20231399 is not a date');
    expect(problemOf(checkPersonnummer('199004310000', now))).toBe('19900431 is not a date');
    expect(problemOf(checkPersonnummer('199000010000', now))).toBe('19900001 is not a date');
  });

  test('refuses a birth date after today in Sweden', () => {
    expect(isPersonnummer('202506152384', now)).toBe(true); // born today
    expect(problemOf(checkPersonnummer('202506162383', now))).toBe('the birth date is in the future');
    // 22:30 UTC on 15 June is already 00:30 on 16 June in Stockholm (CEST).
    const justAfterSwedishMidnight = new Date('2025-06-15T22:30:00Z');
    expect(todayInSweden(justAfterSwedishMidnight)).toBe('2025-06-16');
    expect(isPersonnummer('202506162383', justAfterSwedishMidnight)).toBe(true);
  });

  test('refuses years before 1800 and the never-assigned birth number 000', () => {
    expect(isPersonnummer('180001019801', now)).toBe(true);
    expect(problemOf(checkPersonnummer('179912319804', now))).toBe('year 1799 is before 1800');
    expect(problemOf(checkPersonnummer('191212120008', now))).toBe('birth number 000 is never assigned');
  });

  test('points a samordningsnummer at its own system', () => {
    expect(problemOf(checkPersonnummer('197010632391', now))).toBe(
      `day 63 is a samordningsnummer day (birth day + 60); a samordningsnummer uses system ${SAMORDNINGSNUMMER_SYSTEM}`,
    );
  });

  test('the century is not covered by the check digit', () => {
    // Luhn runs over the last ten digits only: 1912 and 1812 share a check digit.
    expect(isPersonnummer('191212121212', now)).toBe(true);
    expect(isPersonnummer('181212121212', now)).toBe(true);
  });
});

describe('normalisePersonnummer', () => {
  test('accepts the 12-digit form with or without a hyphen', () => {
    expect(normalisePersonnummer('191212121212', { now })).toBe('191212121212');
    expect(normalisePersonnummer('19121212-1212', { now })).toBe('191212121212');
    expect(normalisePersonnummer('  19121212-1212 \n', { now })).toBe('191212121212');
  });

  test('infers the century of the 10-digit forms: hyphen under 100 this year, plus from the year of the 100th birthday', () => {
    expect(normalisePersonnummer('121212-1212', { now })).toBe('201212121212');
    expect(normalisePersonnummer('121212+1212', { now })).toBe('191212121212');
    expect(normalisePersonnummer('850113-9995', { now })).toBe('198501139995');
    // Born 1925: turns 100 during 2025, so the plus sign applies from 1 January 2025 on.
    expect(normalisePersonnummer('250101+2385', { now })).toBe('192501012385');
    expect(normalisePersonnummer('260101-2384', { now })).toBe('192601012384');
    expect(normalisePersonnummer('260101+2384', { now })).toBe('182601012384');
  });

  test('a hyphenated date later this year is in the future, not a century ago', () => {
    expect(refusal(() => normalisePersonnummer('251224-2384', { now }))).toEqual({
      code: 'MESH-ID-001',
      diagnostics: 'the birth date is in the future',
      expression: undefined,
    });
  });

  test('refuses other shapes, listing the accepted ones', () => {
    for (const input of ['1212121212', '19121212+1212', '191212 1212', '19121212--1212', '']) {
      const { code, diagnostics } = refusal(() => normalisePersonnummer(input, { now }));
      expect(code).toBe('MESH-ID-001');
      expect(diagnostics).toBe('write a personnummer as YYYYMMDDNNNC, YYYYMMDD-NNNC, YYMMDD-NNNC or YYMMDD+NNNC');
    }
  });

  test('validates what it normalises and points at the element', () => {
    expect(refusal(() => normalisePersonnummer('19121212-1213', { now, expression: 'Patient.identifier[0].value' }))).toEqual({
      code: 'MESH-ID-001',
      diagnostics: 'check digit should be 2',
      expression: 'Patient.identifier[0].value',
    });
  });
});

describe('samordningsnummer', () => {
  test("accepts Skatteverket's example (born 3 October 1970, individual number 239)", () => {
    expect(checkSamordningsnummer('197010632391', now)).toEqual({
      ok: true,
      identifier: { kind: 'samordningsnummer', value: '197010632391', birthDate: '1970-10-03' },
    });
  });

  test('the day part is 61–91; day 60 and month 00 mean unknown, as in Skatteverket’s test list', () => {
    expect(checkSamordningsnummer('191711602399', now)).toMatchObject({ ok: true, identifier: { birthDate: '1917-11' } });
    expect(checkSamordningsnummer('191500722390', now)).toMatchObject({ ok: true, identifier: { birthDate: '1915' } });
    expect(checkSamordningsnummer('199000702390', now)).toMatchObject({ ok: true, identifier: { birthDate: '1990' } });
    expect(problemOf(checkSamordningsnummer('197010592397', now))).toBe(
      'day 59 is not a samordningsnummer day: it is the birth day + 60 (61–91, or 60 when the day is unknown)',
    );
    expect(problemOf(checkSamordningsnummer('197010922396', now))).toBe('day 92 is not a samordningsnummer day (60–91)');
    expect(problemOf(checkSamordningsnummer('197013632398', now))).toBe('month 13 is not a month (01–12, or 00 when unknown)');
  });

  test('points a personnummer at its own system', () => {
    expect(problemOf(checkSamordningsnummer('191212121212', now))).toBe(
      `day 12 is not a samordningsnummer day: it is the birth day + 60 (61–91, or 60 when the day is unknown); a personnummer uses system ${PERSONNUMMER_SYSTEM}`,
    );
  });

  test('day − 60 must exist in the month (Skatteverket: the 31 April numbers in its test data are not valid)', () => {
    expect(problemOf(checkSamordningsnummer('192004912388', now))).toBe('19200491 is not a date: day 91 means day 31, and 1920-04 has 30 days');
  });

  test('refuses a future birth, counting an unknown day as the 1st of the month', () => {
    expect(problemOf(checkSamordningsnummer('202506762380', now))).toBe('the birth date is in the future');
    expect(problemOf(checkSamordningsnummer('202507602387', now))).toBe('the birth date is in the future');
    expect(isSamordningsnummer('202506602388', now)).toBe(true);
  });

  test('checks the individual number and check digit', () => {
    expect(problemOf(checkSamordningsnummer('197010630007', now))).toBe('individual number 000 is never assigned');
    expect(problemOf(checkSamordningsnummer('197010632392', now))).toBe('check digit should be 1');
  });

  test('normalises the written forms with MESH-ID-002 refusals', () => {
    expect(normaliseSamordningsnummer('701063-2391', { now })).toBe('197010632391');
    expect(normaliseSamordningsnummer('19701063-2391', { now })).toBe('197010632391');
    expect(refusal(() => normaliseSamordningsnummer('701063-2392', { now })).code).toBe('MESH-ID-002');
  });
});

describe('HSA-id', () => {
  test('accepts published HSA-ids, 10- and 16-prefixed 12-digit organisation numbers', () => {
    expect(checkHsaId('SE2321000016-15CQ')).toEqual({
      ok: true,
      identifier: { value: 'SE2321000016-15CQ', organisationNumber: '2321000016', suffix: '15CQ' },
    });
    for (const value of ['SE162321000024-0001', 'SE5565594230-B8N', 'SE2321000131-P000000123457', 'SE2321000016-a1']) {
      expect(isHsaId(value)).toBe(true);
    }
  });

  test.each([
    ['se2321000016-15CQ', 'an HSA-id starts with SE'],
    ['2321000016-15CQ', 'an HSA-id starts with SE'],
    ['SE2321000016', 'an HSA-id has a hyphen between the organisation number and the suffix'],
    ['SE232100001-15CQ', 'the organisation number in an HSA-id is 10 digits, or 12 beginning with 16'],
    ['SE172321000016-15CQ', 'the organisation number in an HSA-id is 10 digits, or 12 beginning with 16'],
    ['SE232100-0016-15CQ', 'the organisation number in an HSA-id is 10 digits, or 12 beginning with 16'],
    ['SE2321000017-15CQ', "the organisation number's check digit should be 6"],
    ['SE2321000016-', 'an HSA-id has at least one character after the hyphen'],
    ['SE2321000016-ÅÄÖ', 'after the hyphen an HSA-id has only letters A–Z, a–z and digits 0–9'],
    ['SE2321000016-a@b', 'after the hyphen an HSA-id has only letters A–Z, a–z and digits 0–9'],
    ['SE2321000016-15 CQ', 'after the hyphen an HSA-id has only letters A–Z, a–z and digits 0–9'],
    ['SE2321000016-15-CQ', 'after the hyphen an HSA-id has only letters A–Z, a–z and digits 0–9'],
    ['SE2321000016-0123456789ABCDEFGHJ', 'an HSA-id has at most 31 characters (got 32)'],
  ])('refuses %s', (value, problem) => {
    expect(problemOf(checkHsaId(value))).toBe(problem);
  });

  test('allows exactly 31 characters', () => {
    expect('SE2321000016-0123456789ABCDEFGH').toHaveLength(31);
    expect(isHsaId('SE2321000016-0123456789ABCDEFGH')).toBe(true);
  });

  test('assertHsaId throws MESH-ID-003 at the given expression', () => {
    expect(() => assertHsaId('SE2321000016-15CQ')).not.toThrow();
    expect(refusal(() => assertHsaId('SE2321000017-15CQ', 'Organization.identifier[0].value'))).toEqual({
      code: 'MESH-ID-003',
      diagnostics: "the organisation number's check digit should be 6",
      expression: 'Organization.identifier[0].value',
    });
    expect(refusal(() => assertHsaId(undefined)).diagnostics).toBe('an HSA-id is a string');
  });

  test('organisationNumberOf gives the 10-digit directory owner', () => {
    expect(organisationNumberOf('SE2321000016-15CQ')).toBe('2321000016');
    expect(organisationNumberOf('SE162321000024-0001')).toBe('2321000024');
    expect(refusal(() => organisationNumberOf('SE2321000016')).code).toBe('MESH-ID-003');
  });
});

describe('parsePatientIdentifier', () => {
  test('returns system, value, kind and birth date', () => {
    expect(parsePatientIdentifier(`${PERSONNUMMER_SYSTEM}|191212121212`, { now })).toEqual({
      system: PERSONNUMMER_SYSTEM,
      value: '191212121212',
      kind: 'personnummer',
      birthDate: '1912-12-12',
    });
    expect(parsePatientIdentifier(`${SAMORDNINGSNUMMER_SYSTEM}|197010632391`, { now })).toMatchObject({
      kind: 'samordningsnummer',
      value: '197010632391',
    });
  });

  test('refuses a bad personnummer with MESH-ID-001 saying what is wrong', () => {
    expect(refusal(() => parsePatientIdentifier(`${PERSONNUMMER_SYSTEM}|191212121213`, { now, expression: 'patient.identifier' }))).toEqual({
      code: 'MESH-ID-001',
      diagnostics: 'check digit should be 2',
      expression: 'patient.identifier',
    });
    expect(refusal(() => parsePatientIdentifier(`${PERSONNUMMER_SYSTEM}|202313990000`, { now })).diagnostics).toBe('20231399 is not a date');
    expect(refusal(() => parsePatientIdentifier(`${PERSONNUMMER_SYSTEM}|202506162383`, { now })).diagnostics).toBe('the birth date is in the future');
    // The token's value must already be the FHIR form.
    expect(refusal(() => parsePatientIdentifier(`${PERSONNUMMER_SYSTEM}|19121212-1212`, { now })).code).toBe('MESH-ID-001');
    expect(refusal(() => parsePatientIdentifier(`${PERSONNUMMER_SYSTEM}|`, { now })).diagnostics).toBe('the personnummer identifier has no value');
  });

  test('refuses a bad samordningsnummer with MESH-ID-002', () => {
    const { code, diagnostics } = refusal(() => parsePatientIdentifier(`${SAMORDNINGSNUMMER_SYSTEM}|191212121212`, { now }));
    expect(code).toBe('MESH-ID-002');
    expect(diagnostics).toContain('day 12 is not a samordningsnummer day');
  });

  test('refuses a missing or unknown system with MESH-ID-004 and does not echo it', () => {
    for (const token of ['191212121212', '|191212121212', 'urn:oid:1.2.752.129.2.1.4.1|191212121212', 'http://example.org/mrn|A17']) {
      const { code, diagnostics } = refusal(() => parsePatientIdentifier(token, { now }));
      expect(code).toBe('MESH-ID-004');
      expect(diagnostics).toContain(PERSONNUMMER_SYSTEM);
      expect(diagnostics).not.toContain('example.org');
      expect(diagnostics).not.toContain('191212121212');
    }
  });
});

describe('validatePatientIdentifier', () => {
  test('accepts a FHIR Identifier and points refusals at system or value', () => {
    expect(validatePatientIdentifier({ system: PERSONNUMMER_SYSTEM, value: '191212121212' }, { now }).kind).toBe('personnummer');
    const expression = 'Patient.identifier[1]';
    expect(refusal(() => validatePatientIdentifier({ value: '191212121212' }, { now, expression }))).toMatchObject({
      code: 'MESH-ID-004',
      expression: 'Patient.identifier[1].system',
    });
    expect(refusal(() => validatePatientIdentifier({ system: SAMORDNINGSNUMMER_SYSTEM }, { now, expression }))).toEqual({
      code: 'MESH-ID-002',
      diagnostics: 'the samordningsnummer identifier has no value',
      expression: 'Patient.identifier[1].value',
    });
    expect(refusal(() => validatePatientIdentifier({ system: PERSONNUMMER_SYSTEM, value: '190002291235' }, { now, expression }))).toEqual({
      code: 'MESH-ID-001',
      diagnostics: '19000229 is not a date',
      expression: 'Patient.identifier[1].value',
    });
  });
});

describe('synthetic identifiers', () => {
  function seeded(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 48271) % 2147483647;
      return (state - 1) / 2147483646;
    };
  }

  test('are deterministic for a seeded rng', () => {
    const draw = (rng: () => number) => [
      syntheticPersonnummer(rng),
      syntheticSamordningsnummer(rng),
      syntheticHsaId('organisation', rng),
      syntheticHsaId('person', rng),
    ];
    expect(draw(seeded(42))).toEqual(draw(seeded(42)));
    expect(draw(seeded(42))).not.toEqual(draw(seeded(43)));
  });

  test('personnummer come from Skatteverket’s test numbers: born 1991–1993, birth number 238/239', () => {
    expect(syntheticPersonnummer(() => 0)).toBe('199101012384'); // first entry of 1991 in the test list
    expect(syntheticPersonnummer(() => 0.999999)).toBe('199312312391'); // last entry of 1993
    expect(isSyntheticPersonnummer('199202292380')).toBe(true);
    expect(isSyntheticPersonnummer('191212121212')).toBe(false);
    expect(isSyntheticPersonnummer('199101012385')).toBe(false); // wrong check digit
  });

  test('samordningsnummer come from Skatteverket’s published test list and all validate', () => {
    expect(SKATTEVERKET_TEST_SAMORDNINGSNUMMER.length).toBeGreaterThanOrEqual(100);
    for (const value of SKATTEVERKET_TEST_SAMORDNINGSNUMMER) expect(checkSamordningsnummer(value, now)).toMatchObject({ ok: true });
    expect(isSyntheticSamordningsnummer(syntheticSamordningsnummer(seeded(7)))).toBe(true);
    expect(isSyntheticSamordningsnummer('197010632391')).toBe(false);
  });

  test('HSA-ids use the fictitious organisation prefix and pass the format check', () => {
    const rng = seeded(1);
    const provider = syntheticHsaId('organisation', rng);
    expect(provider).toMatch(new RegExp(`^SE${SYNTHETIC_ORGANISATION_PREFIX}\\d{6}-O[0-9A-Z]{7}$`));
    expect(isHsaId(provider)).toBe(true);
    const unit = syntheticHsaId('unit', rng, provider);
    expect(organisationNumberOf(unit)).toBe(organisationNumberOf(provider));
    expect(unit).toMatch(/-U[0-9A-Z]{7}$/);
    expect(syntheticHsaId('system', rng, syntheticOrganisationNumber(rng))).toMatch(/-S[0-9A-Z]{7}$/);
    expect(isSyntheticHsaId(unit)).toBe(true);
    expect(isSyntheticHsaId('SE2321000016-15CQ')).toBe(false);
  });

  test('refuse a real owner and an rng outside [0, 1)', () => {
    expect(() => syntheticHsaId('person', Math.random, 'SE2321000016-15CQ')).toThrow(RangeError);
    expect(() => syntheticHsaId('person', Math.random, '2321000016')).toThrow(RangeError);
    expect(() => syntheticPersonnummer(() => 1)).toThrow(RangeError);
    expect(() => syntheticPersonnummer(() => Number.NaN)).toThrow(RangeError);
  });
});

test('seeded synthetic data is the same in every run: the same seed, the same sequence', () => {
  const draw = (seed: number) => {
    const rng = seededRng(seed);
    return Array.from({ length: 5 }, () => rng());
  };
  expect(draw(8082)).toEqual(draw(8082));
  expect(draw(8082)).not.toEqual(draw(8083));
  for (const seed of [0, 1, 2_147_483_647, 2_147_483_648]) for (const x of draw(seed)) expect(x >= 0 && x < 1).toBe(true);
  expect(syntheticHsaId('organisation', seededRng(7))).toBe(syntheticHsaId('organisation', seededRng(7)));
});
