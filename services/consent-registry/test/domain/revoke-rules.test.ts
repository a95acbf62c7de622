import { DEFAULT_REVOKE_LIMITS, validateRevoke } from '../../src/domain/revoke-rules.ts';
import type { Revoke } from '../../src/domain/model.ts';
import { refusal } from './expect-refusal.ts';
import {
  DAY_MS,
  DOCTOR_B1,
  DOCTOR_B2,
  HOUR_MS,
  NOW,
  OTHER_PATIENT,
  PROVIDER_A,
  PROVIDER_B,
  UNIT_B1,
  consent,
  emergency,
  general,
  optOut,
  outer,
  patientAccessBlock,
  seal,
} from './fixtures.ts';

/** Revokes as they arrive to be recorded: starting now. */
const newConsent = (fields: Partial<Revoke> = {}) => consent({ period: { start: NOW, end: NOW + 7 * DAY_MS }, ...fields });
const newEmergency = (fields: Partial<Revoke> = {}) => emergency({ period: { start: NOW, end: NOW + 4 * HOUR_MS }, ...fields });

const outerBlock = outer();
const generalBlock = general();
const optOutBlock = optOut();
const sealBlock = seal();
const patientAccess = patientAccessBlock();
const cancelled = outer({ status: 'cancelled' });
const othersBlock = outer({ patient: OTHER_PATIENT });
const blocks = [outerBlock, generalBlock, optOutBlock, sealBlock, patientAccess, cancelled, othersBlock];

describe('accepted', () => {
  test.each<[string, Revoke]>([
    ['a consent given in the access service for an organisation', newConsent()],
    [
      'a consent recorded at the provider for one professional, naming blocks',
      newConsent({
        grantee: { organisation: PROVIDER_B, professional: DOCTOR_B2 },
        blockIds: [outerBlock.id, optOutBlock.id, generalBlock.id],
        recordedBy: { type: 'care-provider', organisation: PROVIDER_B, professional: DOCTOR_B2 },
      }),
    ],
    ['a consent as long as allowed', newConsent({ period: { start: NOW, end: NOW + DEFAULT_REVOKE_LIMITS.consentMaxMs } })],
    ['break-glass by the professional themself', newEmergency()],
    ['break-glass as long as allowed', newEmergency({ period: { start: NOW, end: NOW + DEFAULT_REVOKE_LIMITS.emergencyMaxMs } })],
  ])('%s', (_, r) => {
    expect(validateRevoke(r, blocks, NOW)).toBe(r);
  });
});

describe('MESH-NSF-003 a revoke needs a reason', () => {
  test.each([
    ['consent', newConsent({ reason: '' })],
    ['emergency', newEmergency({ reason: '   ' })],
    ['emergency, reason missing altogether', newEmergency({ reason: undefined as never })],
  ])('%s', (_, r) => {
    refusal(() => validateRevoke(r, blocks, NOW), 'MESH-NSF-003', 'reason');
  });
});

describe('MESH-NSF-001 / MESH-NSF-004 the window is bounded, not backdated, not too long', () => {
  test('ending before it starts', () => {
    refusal(() => validateRevoke(newConsent({ period: { start: NOW, end: NOW - 1 } }), blocks, NOW), 'MESH-NSF-001', 'period.end');
  });

  test('with no end', () => {
    refusal(() => validateRevoke(newConsent({ period: { start: NOW } as never }), blocks, NOW), 'MESH-NSF-004');
  });

  test('a consent longer than allowed', () => {
    refusal(() => validateRevoke(newConsent({ period: { start: NOW, end: NOW + 31 * DAY_MS } }), blocks, NOW), 'MESH-NSF-004');
  });

  test('break-glass longer than allowed', () => {
    refusal(() => validateRevoke(newEmergency({ period: { start: NOW, end: NOW + 9 * HOUR_MS } }), blocks, NOW), 'MESH-NSF-004');
  });

  test('backdated: it would permit what was already refused', () => {
    refusal(() => validateRevoke(newConsent({ period: { start: NOW - DAY_MS, end: NOW + DAY_MS } }), blocks, NOW), 'MESH-NSF-004');
  });

  test('break-glass scheduled for later', () => {
    refusal(() => validateRevoke(newEmergency({ period: { start: NOW + HOUR_MS, end: NOW + 2 * HOUR_MS } }), blocks, NOW), 'MESH-NSF-004');
  });

  test('a consent may start later', () => {
    const r = newConsent({ period: { start: NOW + DAY_MS, end: NOW + 2 * DAY_MS } });
    expect(validateRevoke(r, blocks, NOW)).toBe(r);
  });

  test('tighter limits from the settings apply', () => {
    refusal(() => validateRevoke(newEmergency(), blocks, NOW, { ...DEFAULT_REVOKE_LIMITS, emergencyMaxMs: HOUR_MS }), 'MESH-NSF-004');
  });
});

describe('MESH-NSF-002 break-glass is personal and names no blocks', () => {
  test('without a professional', () => {
    refusal(
      () => validateRevoke(newEmergency({ grantee: { organisation: PROVIDER_B, careUnit: UNIT_B1 } }), blocks, NOW),
      'MESH-NSF-002',
      'grantee.professional',
    );
  });

  test('naming blocks the requester cannot know of', () => {
    refusal(() => validateRevoke(newEmergency({ blockIds: [outerBlock.id] }), blocks, NOW), 'MESH-NSF-002', 'blockIds');
  });
});

describe('MESH-NSF-010 who records it', () => {
  test('break-glass recorded for someone else', () => {
    const r = newEmergency({ recordedBy: { type: 'care-provider', organisation: PROVIDER_B, professional: DOCTOR_B2 } });
    refusal(() => validateRevoke(r, blocks, NOW), 'MESH-NSF-010', 'recordedBy');
  });

  test('break-glass recorded by another organisation', () => {
    const r = newEmergency({ recordedBy: { type: 'care-provider', organisation: PROVIDER_A, professional: DOCTOR_B1 } });
    refusal(() => validateRevoke(r, blocks, NOW), 'MESH-NSF-010');
  });

  test('a consent recorded by the operator', () => {
    refusal(() => validateRevoke(newConsent({ recordedBy: { type: 'operator', id: 'support-7' } }), blocks, NOW), 'MESH-NSF-010');
  });

  test('a consent given by another patient', () => {
    refusal(() => validateRevoke(newConsent({ recordedBy: { type: 'patient', patient: OTHER_PATIENT } }), blocks, NOW), 'MESH-NSF-010');
  });
});

describe('MESH-NSF-005 a consent names only active care blocks of the patient', () => {
  test.each([
    ['a seal', () => sealBlock.id],
    ["a clinician's restriction", () => patientAccess.id],
    ['a cancelled block', () => cancelled.id],
    ["another patient's block", () => othersBlock.id],
    ['a block that does not exist', () => 'no-such-block'],
  ])('%s', (_, id) => {
    refusal(() => validateRevoke(newConsent({ blockIds: [outerBlock.id, id()] }), blocks, NOW), 'MESH-NSF-005', 'blockIds[1]');
  });
});

test('a malformed grantee is refused with the identifier code', () => {
  refusal(() => validateRevoke(newConsent({ grantee: { organisation: 'Region X' } }), blocks, NOW), 'MESH-ID-003', 'grantee.organisation');
});
