import { validateBlock } from '../../src/domain/validate-block.ts';
import type { Block } from '../../src/domain/model.ts';
import { refusal } from './expect-refusal.ts';
import {
  DAY_MS,
  DOCTOR_A1,
  GUARDIAN,
  NOW,
  OTHER_PATIENT,
  PATIENT,
  PROVIDER_A,
  PROVIDER_B,
  UNIT_A1,
  general,
  guardianBlock,
  inner,
  optOut,
  outer,
  patientAccessBlock,
  seal,
} from './fixtures.ts';

describe('a well-formed block of each kind is accepted as is', () => {
  test.each([
    ['opt-out', optOut()],
    ['outer', outer({ category: 'laboratory-results', dataPeriod: { from: NOW - 90 * DAY_MS, to: NOW - DAY_MS } })],
    ['inner', inner()],
    ['general', general()],
    ['seal', seal({ audience: { accessors: ['patient', 'representative'] } })],
    ['patient-access', patientAccessBlock()],
    ['guardian-access', guardianBlock({ audience: { accessors: ['guardian'], persons: [GUARDIAN] } })],
    ["registered at the provider on the patient's request", outer({ createdBy: { type: 'care-provider', organisation: PROVIDER_A, careUnit: UNIT_A1 } })],
    ['registered by the operator', general({ createdBy: { type: 'operator', id: 'support-7' } })],
  ])('%s', (_, b) => {
    expect(validateBlock(b)).toBe(b);
  });
});

describe('MESH-NSF-001 periods and windows that run backwards', () => {
  test('a block ending before it starts', () => {
    refusal(() => validateBlock(outer({ period: { start: NOW, end: NOW - DAY_MS } })), 'MESH-NSF-001', 'period.end');
  });

  test('a block ending as it starts is empty, and refused too', () => {
    refusal(() => validateBlock(outer({ period: { start: NOW, end: NOW } })), 'MESH-NSF-001');
  });

  test('an information time window ending before it starts', () => {
    refusal(() => validateBlock(outer({ dataPeriod: { from: NOW, to: NOW - 1 } })), 'MESH-NSF-001', 'dataPeriod.to');
  });
});

describe('MESH-NSF-002 fields that do not fit the kind', () => {
  test.each<[string, Block, string]>([
    ['an opt-out held by one provider', optOut({ owner: PROVIDER_A }), 'owner'],
    ['an opt-out of one category', optOut({ category: 'patient-summary' }), 'category'],
    ['an opt-out with a time window', optOut({ dataPeriod: { from: NOW - DAY_MS } }), 'dataPeriod'],
    ['a care-provider block for all providers', outer({ owner: 'all-providers' }), 'owner'],
    ['an inner block naming no care unit', inner({ scope: { level: 'inner' } }), 'scope.careUnits'],
    ['a general block naming a care unit', general({ scope: { level: 'outer', careUnits: [UNIT_A1] } }), 'scope.careUnits'],
    ['a general block with a provider as owner', general({ owner: PROVIDER_A }), 'owner'],
    ['an inner seal', seal({ scope: { level: 'inner', careUnits: [UNIT_A1] } }), 'scope.level'],
    ['an outer block with an audience', outer({ audience: { accessors: ['patient'] } }), 'audience'],
    ['a seal with an empty audience', seal({ audience: { accessors: [] } }), 'audience.accessors'],
    ['a guardian block naming an empty list of guardians', guardianBlock({ audience: { accessors: ['guardian'], persons: [] } }), 'audience.persons'],
    ['a guardian block keeping out the patient', guardianBlock({ audience: { accessors: ['guardian', 'patient'] } }), 'audience.accessors'],
    ['a patient-access block without a reason', patientAccessBlock({ reason: ' ' }), 'reason'],
    ['a patient-access block for all providers', patientAccessBlock({ owner: 'all-providers' }), 'owner'],
    ['an unknown category', outer({ category: 'x-rays' as never }), 'category'],
    ['an unknown kind', outer({ kind: 'everything' as never }), 'kind'],
    ['a block registered already cancelled', outer({ status: 'cancelled' }), 'status'],
    ['a window with neither end', outer({ dataPeriod: {} }), 'dataPeriod'],
  ])('%s', (_, b, expression) => {
    refusal(() => validateBlock(b), 'MESH-NSF-002', expression);
  });
});

describe('MESH-NSF-010 who may register what', () => {
  test("a patient cannot block another patient's data", () => {
    refusal(() => validateBlock(outer({ createdBy: { type: 'patient', patient: OTHER_PATIENT } })), 'MESH-NSF-010', 'createdBy');
  });

  test("a patient cannot register a clinician's restriction", () => {
    refusal(() => validateBlock(patientAccessBlock({ createdBy: { type: 'patient', patient: PATIENT } })), 'MESH-NSF-010');
  });

  test('a provider cannot block data another provider holds', () => {
    refusal(() => validateBlock(outer({ createdBy: { type: 'care-provider', organisation: PROVIDER_B } })), 'MESH-NSF-010');
  });

  test("a provider can register a general block on the patient's request", () => {
    const b = general({ createdBy: { type: 'care-provider', organisation: PROVIDER_B } });
    expect(validateBlock(b)).toBe(b);
  });

  test("a clinician's restriction names the professional who decided it", () => {
    refusal(() => validateBlock(guardianBlock({ createdBy: { type: 'care-provider', organisation: PROVIDER_A } })), 'MESH-NSF-010');
    const b = guardianBlock({ createdBy: { type: 'care-provider', organisation: PROVIDER_A, professional: DOCTOR_A1 } });
    expect(validateBlock(b)).toBe(b);
  });

  test("the operator cannot register a clinician's restriction", () => {
    refusal(() => validateBlock(patientAccessBlock({ createdBy: { type: 'operator', id: 'support-7' } })), 'MESH-NSF-010');
  });
});

describe('identifiers', () => {
  test('a malformed owner HSA-id', () => {
    refusal(() => validateBlock(outer({ owner: 'SE123-x' })), 'MESH-ID-003', 'owner');
  });

  test('a malformed care unit', () => {
    refusal(() => validateBlock(inner({ scope: { level: 'inner', careUnits: [UNIT_A1, 'unit-2'] } })), 'MESH-ID-003', 'scope.careUnits[1]');
  });

  test('a personnummer with a wrong check digit', () => {
    const value = PATIENT.value.slice(0, 11) + String((Number(PATIENT.value[11]) + 1) % 10);
    refusal(() => validateBlock(outer({ patient: { ...PATIENT, value } })), 'MESH-ID-001', 'patient.value');
  });
});
