import { assertMayCancel, cancelBlock } from '../../src/domain/cancel-rules.ts';
import { decide } from '../../src/domain/decide.ts';
import type { Actor } from '../../src/domain/model.ts';
import { refusal } from './expect-refusal.ts';
import {
  DOCTOR_A1,
  GUARDIAN,
  NOW,
  OTHER_PATIENT,
  PATIENT,
  POLICY,
  PROVIDER_A,
  PROVIDER_B,
  general,
  guardianBlock,
  optOut,
  outer,
  patientAccessBlock,
  seal,
  treatment,
} from './fixtures.ts';

const patient: Actor = { type: 'patient', patient: PATIENT };
const representative: Actor = { type: 'patient', patient: PATIENT, representative: GUARDIAN };
const providerA: Actor = { type: 'care-provider', organisation: PROVIDER_A, professional: DOCTOR_A1 };
const providerB: Actor = { type: 'care-provider', organisation: PROVIDER_B };
const operator: Actor = { type: 'operator', id: 'support-7' };
const atProviderA = { type: 'care-provider', organisation: PROVIDER_A } as const;

describe('the patient cancels their own blocks', () => {
  test.each([
    ['an opt-out', optOut()],
    ['a general block', general()],
    ['a seal', seal()],
    ['a block registered for them at the provider', outer({ createdBy: atProviderA })],
  ])('%s', (_, b) => {
    const cancelled = cancelBlock(b, patient, NOW);
    expect(cancelled).toEqual({ ...b, status: 'cancelled', cancellation: { at: NOW, by: patient } });
    expect(decide(treatment(), [cancelled], [], POLICY, NOW).effect).toBe('permit');
  });

  test("a representative acting in the patient's name likewise", () => {
    expect(cancelBlock(outer(), representative, NOW).status).toBe('cancelled');
  });

  test("but not a clinician's restriction of their own or a guardian's access", () => {
    refusal(() => cancelBlock(patientAccessBlock(), patient, NOW), 'MESH-NSF-006');
    refusal(() => cancelBlock(guardianBlock(), representative, NOW), 'MESH-NSF-006');
  });

  test("nor another patient's block", () => {
    refusal(() => cancelBlock(outer(), { type: 'patient', patient: OTHER_PATIENT }, NOW), 'MESH-NSF-006');
  });
});

describe('a care provider cancels only blocks it registered', () => {
  test('its own registration', () => {
    expect(cancelBlock(outer({ createdBy: atProviderA }), providerA, NOW).status).toBe('cancelled');
    expect(cancelBlock(patientAccessBlock(), providerA, NOW).status).toBe('cancelled');
  });

  test("a block the patient set in the access service, even on the provider's own data", () => {
    const error = refusal(() => cancelBlock(outer(), providerA, NOW), 'MESH-NSF-006');
    expect(error.status).toBe(403);
  });

  test('a block another provider registered', () => {
    refusal(() => cancelBlock(general({ createdBy: atProviderA }), providerB, NOW), 'MESH-NSF-006');
  });
});

describe('the operator cancels any block, with a reason', () => {
  test('with a reason', () => {
    const cancelled = cancelBlock(patientAccessBlock(), operator, NOW, 'registered on the wrong patient, ticket 4711');
    expect(cancelled.cancellation).toEqual({ at: NOW, by: operator, reason: 'registered on the wrong patient, ticket 4711' });
  });

  test('without one', () => {
    refusal(() => cancelBlock(outer(), operator, NOW), 'MESH-NSF-008', 'reason');
    refusal(() => cancelBlock(outer(), operator, NOW, '  '), 'MESH-NSF-008');
  });
});

test('MESH-NSF-007 a block no longer active cannot be cancelled again', () => {
  const error = refusal(() => assertMayCancel(outer({ status: 'cancelled' }), patient), 'MESH-NSF-007');
  expect(error.status).toBe(409);
  refusal(() => assertMayCancel(outer({ status: 'entered-in-error' }), operator, 'again'), 'MESH-NSF-007');
});
