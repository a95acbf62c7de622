// Local expansion of value sets (value-set-expansion.ts, terminology.ts): what counts as a member, and
// which value sets are declared unexpandable rather than guessed.
import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { Terminology } from '../src/fhir/validation/terminology.ts';
import { ValueSetExpander } from '../src/fhir/validation/value-set-expansion.ts';

const animals: CodeSystem = {
  resourceType: 'CodeSystem',
  url: 'http://example.org/cs/animals',
  status: 'active',
  content: 'complete',
  concept: [{ code: 'mammal', concept: [{ code: 'cat' }, { code: 'dog', concept: [{ code: 'puppy' }] }] }, { code: 'bird' }],
};
const partial: CodeSystem = {
  resourceType: 'CodeSystem',
  url: 'http://example.org/cs/partial',
  status: 'active',
  content: 'fragment',
  concept: [{ code: 'a' }],
};

function vs(url: string, compose: ValueSet['compose']): ValueSet {
  return { resourceType: 'ValueSet', url, status: 'active', compose };
}

const A = 'http://example.org/cs/animals';
const sets: ValueSet[] = [
  vs('http://example.org/vs/all-animals', { include: [{ system: A }] }),
  vs('http://example.org/vs/pets', { include: [{ system: A, concept: [{ code: 'cat' }, { code: 'dog' }] }] }),
  vs('http://example.org/vs/not-dogs', { include: [{ system: A }], exclude: [{ system: A, concept: [{ code: 'dog' }] }] }),
  vs('http://example.org/vs/pets-and-birds', { include: [{ valueSet: ['http://example.org/vs/pets'] }, { system: A, concept: [{ code: 'bird' }] }] }),
  vs('http://example.org/vs/pets-not-cats', { include: [{ valueSet: ['http://example.org/vs/pets', 'http://example.org/vs/not-cats'] }] }),
  vs('http://example.org/vs/not-cats', { include: [{ system: A }], exclude: [{ system: A, concept: [{ code: 'cat' }] }] }),
  vs('http://example.org/vs/filtered', { include: [{ system: A, filter: [{ property: 'concept', op: 'is-a', value: 'mammal' }] }] }),
  vs('http://example.org/vs/ucum', { include: [{ system: 'http://unitsofmeasure.org' }] }),
  vs('http://example.org/vs/some-units', { include: [{ system: 'http://unitsofmeasure.org', concept: [{ code: 'mg' }, { code: 'kg' }] }] }),
  vs('http://example.org/vs/partial', { include: [{ system: 'http://example.org/cs/partial' }] }),
  vs('http://example.org/vs/loop-a', { include: [{ valueSet: ['http://example.org/vs/loop-b'] }] }),
  vs('http://example.org/vs/loop-b', { include: [{ valueSet: ['http://example.org/vs/loop-a'] }] }),
  vs('http://example.org/vs/excludes-unknown', {
    include: [{ system: A }],
    exclude: [{ system: 'http://snomed.info/sct', concept: [{ code: '1' }] }, { valueSet: ['http://example.org/vs/ucum'] }],
  }),
];

function codes(url: string): string[] | string {
  const result = new ValueSetExpander([animals, partial, ...sets]).expand(url);
  if ('unexpandable' in result) return result.unexpandable;
  return [...result.codes.values()].flatMap((set) => [...set]).sort();
}

describe('expanding a value set', () => {
  test('a whole code system, nested concepts included', () => {
    expect(codes('http://example.org/vs/all-animals')).toEqual(['bird', 'cat', 'dog', 'mammal', 'puppy']);
  });

  test('listed concepts, of a code system we hold or not', () => {
    expect(codes('http://example.org/vs/pets')).toEqual(['cat', 'dog']);
    expect(codes('http://example.org/vs/some-units')).toEqual(['kg', 'mg']);
  });

  test('exclude removes codes', () => {
    expect(codes('http://example.org/vs/not-dogs')).toEqual(['bird', 'cat', 'mammal', 'puppy']);
  });

  test('imports: one include is the union; several value sets in one include intersect', () => {
    expect(codes('http://example.org/vs/pets-and-birds')).toEqual(['bird', 'cat', 'dog']);
    expect(codes('http://example.org/vs/pets-not-cats')).toEqual(['dog']);
  });

  test('a version suffix on the url', () => {
    expect(codes('http://example.org/vs/pets|1.0.0')).toEqual(['cat', 'dog']);
  });

  test.each([
    ['http://example.org/vs/filtered', /filter/],
    ['http://example.org/vs/ucum', /not held here/],
    ['http://example.org/vs/partial', /held only in part/],
    ['http://example.org/vs/loop-a', /includes itself/],
    ['http://example.org/vs/excludes-unknown', /not held here|not known here/],
    ['http://example.org/vs/nowhere', /not known here/],
  ])('%s cannot be expanded here', (url, reason) => {
    expect(codes(url)).toMatch(reason);
  });
});

describe('Terminology lookups', () => {
  const terminology = new Terminology([animals, partial, ...sets], ['http://example.org/vs/pets', 'http://example.org/vs/ucum']);

  test('a code with its system, and a bare code (as in a `code` element)', () => {
    expect(terminology.contains('http://example.org/vs/pets', A, 'cat')).toBe(true);
    expect(terminology.contains('http://example.org/vs/pets', A, 'bird')).toBe(false);
    expect(terminology.contains('http://example.org/vs/pets', 'http://example.org/cs/other', 'cat')).toBe(false);
    expect(terminology.contains('http://example.org/vs/pets', undefined, 'dog')).toBe(true);
  });

  test('unknown answers stay unknown, and are listed with the reason', () => {
    expect(terminology.contains('http://example.org/vs/ucum', 'http://unitsofmeasure.org', 'mg')).toBeUndefined();
    expect(terminology.unexpandable().get('http://example.org/vs/ucum')).toMatch(/not held here/);
  });

  test('value sets not named at start are expanded on first use', () => {
    expect(terminology.contains('http://example.org/vs/not-dogs', A, 'puppy')).toBe(true);
  });
});
