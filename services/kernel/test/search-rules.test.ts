import { parseFhirDateRange } from '../src/fhir/dates.ts';
import { defineResourceType } from '../src/fhir/registry.ts';
import { parseSearch } from '../src/fhir/search-request.ts';
import { extractSearchColumns } from '../src/fhir/extract.ts';
import { normaliseString, splitOr, tokenKeys, tokenSearchKey } from '../src/fhir/tokens.ts';
import { FhirError } from '../src/errors/index.ts';

const endpoint = defineResourceType({
  type: 'Endpoint',
  interactions: ['search-type'],
  searchParams: ['organization', 'status', 'name', { code: 'period', type: 'date', expression: 'Endpoint.period' }],
});
const parse = (q: string) => parseSearch(endpoint, new URLSearchParams(q), () => endpoint);
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as FhirError).code;
  }
  return 'no error';
};

describe('dates as half-open ranges', () => {
  test.each([
    ['2024', '2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-05-02T10:00+02:00', '2024-05-02T08:00:00.000Z', '2024-05-02T08:01:00.000Z'],
    ['2024-05-02T10:00:05Z', '2024-05-02T10:00:05.000Z', '2024-05-02T10:00:06.000Z'],
    ['2024-05-02T10:00:05.123Z', '2024-05-02T10:00:05.123Z', '2024-05-02T10:00:05.124Z'],
  ])('%s', (value, lo, hi) => expect(parseFhirDateRange(value)).toEqual({ lo, hi }));
  test.each(['2023-02-29', '2024-13', '24-01-01', '2024-01-01T25:00Z', 'yesterday'])('%s is not a date', (v) => expect(parseFhirDateRange(v)).toBeUndefined());
});

describe('tokens', () => {
  test('each search form finds the stored keys of a coding', () => {
    const stored = tokenKeys('http://s', 'c');
    expect(stored).toContain(tokenSearchKey('http://s|c'));
    expect(stored).toContain(tokenSearchKey('c'));
    expect(stored).toContain(tokenSearchKey('http://s|'));
    expect(stored).not.toContain(tokenSearchKey('|c'));
    expect(tokenKeys(undefined, 'c')).toContain(tokenSearchKey('|c'));
  });
  test('escaped commas and bars are data', () => {
    expect(splitOr('a\\,b,c')).toEqual(['a\\,b', 'c']);
    expect(tokenSearchKey('http://s|a\\|b')).toBe('http://s|a|b');
  });
  test('strings compare without case or accents', () => expect(normaliseString('Åsa Öberg')).toBe('asa oberg'));
});

describe('extraction', () => {
  test('references are kept as Type/id and id; periods as their envelope', () => {
    const cols = extractSearchColumns([...endpoint.params.values()], {
      resourceType: 'Endpoint',
      status: 'active',
      managingOrganization: { reference: 'Organization/abc' },
      period: { start: '2024-01-01' },
      connectionType: { code: 'x' },
      payload: [],
      address: 'https://x',
    } as never);
    expect(cols.sp_organization).toEqual(['Organization/abc', 'abc']);
    expect(cols.sp_status).toEqual(['|active', '*|active']);
    expect(cols.sp_period_lo).toBe('2024-01-01T00:00:00.000Z');
    expect(cols.sp_period_hi).toBe('infinity');
    expect(cols.sp_name).toBeNull();
  });
});

describe('search parsing refuses what it does not understand', () => {
  test('a plain id reference gets its single target type', () => {
    expect(parse('organization=abc').filters[0]).toEqual({ kind: 'keys', column: 'sp_organization', keys: ['Organization/abc'] });
  });
  test.each([
    ['colour=blue', 'MESH-SEARCH-001'],
    ['name:fuzzy=x', 'MESH-SEARCH-003'],
    ['status:not=active', 'MESH-SEARCH-003'],
    ['period=ap2024', 'MESH-SEARCH-003'],
    ['period=2024-99', 'MESH-SEARCH-002'],
    ['organization=not a ref!', 'MESH-SEARCH-002'],
    ['_count=-1', 'MESH-SEARCH-004'],
    ['_sort=name', 'MESH-SEARCH-004'],
    ['_summary=true', 'MESH-SEARCH-003'],
    ['_include=Endpoint:status', 'MESH-SEARCH-002'],
    ['status=', 'MESH-SEARCH-002'],
    ['_id=../etc', 'MESH-SEARCH-002'],
  ])('%s → %s', (q, code) => expect(codeOf(() => parse(q))).toBe(code));
  test('_count is capped at 1000', () => expect(parse('_count=5000').count).toBe(1000));
  test('string values become escaped LIKE prefixes', () => {
    expect(parse('name=50%_off').filters[0]).toEqual({ kind: 'string', column: 'sp_name', patterns: ['50\\%\\_off%'] });
  });
});
