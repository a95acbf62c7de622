import { countryAllows, countryPolicyFrom, MYHEALTH_EU_CATEGORIES } from '../../src/domain/country-policy.ts';
import { refusal } from './expect-refusal.ts';

describe('countryPolicyFrom', () => {
  test('reads country codes and categories', () => {
    const policy = countryPolicyFrom({ FI: MYHEALTH_EU_CATEGORIES, PT: ['eprescription'] });
    expect(countryAllows(policy, 'FI', 'patient-summary')).toBe(true);
    expect(countryAllows(policy, 'PT', 'eprescription')).toBe(true);
    expect(countryAllows(policy, 'PT', 'patient-summary')).toBe(false);
  });

  test('a country it does not name receives nothing', () => {
    expect(countryAllows(countryPolicyFrom({ FI: ['patient-summary'] }), 'EE', 'patient-summary')).toBe(false);
  });

  test('an empty list is a country that receives nothing for now', () => {
    expect(countryAllows(countryPolicyFrom({ FI: [] }), 'FI', 'patient-summary')).toBe(false);
  });

  test.each<[string, unknown]>([
    ['not an object', ['FI']],
    ['null', null],
    ['a lower-case country code', { fi: ['patient-summary'] }],
    ['a three-letter code', { FIN: ['patient-summary'] }],
    ['Sweden itself', { SE: ['patient-summary'] }],
    ['categories not in a list', { FI: 'patient-summary' }],
    ['an unknown category', { FI: ['patient-summary', 'genome'] }],
  ])('refuses %s (MESH-NSF-009)', (_, input) => {
    refusal(() => countryPolicyFrom(input), 'MESH-NSF-009');
  });
});
