import { cancelRevoke } from '../../src/domain/index.ts';
import { consentToRevoke, revokeToConsent } from '../../src/fhir/consent-revoke.ts';
import { refusal } from './expect-refusal.ts';
import { consent, emergency, NOW, OTHER_PATIENT, PATIENT, PROVIDER_A, PROVIDER_B, PROVIDER_C } from './fixtures.ts';

describe('ending a revoke early (cancelRevoke)', () => {
  test('the patient withdraws their own consent, never a break-glass and never for another patient', () => {
    const ended = cancelRevoke(consent(), { type: 'patient', patient: PATIENT }, NOW);
    expect(ended.revoke.status).toBe('cancelled');
    expect(ended.cancellation).toEqual({ at: NOW, by: { type: 'patient', patient: PATIENT } });
    refusal(() => cancelRevoke(emergency(), { type: 'patient', patient: PATIENT }, NOW), 'MESH-NSF-006');
    refusal(() => cancelRevoke(consent(), { type: 'patient', patient: OTHER_PATIENT }, NOW), 'MESH-NSF-006');
  });

  test('a care provider ends one it recorded or was granted; another provider may not; the operator needs a reason', () => {
    expect(cancelRevoke(emergency(), { type: 'care-provider', organisation: PROVIDER_B }, NOW).revoke.status).toBe('cancelled');
    expect(
      cancelRevoke(consent({ recordedBy: { type: 'care-provider', organisation: PROVIDER_A } }), { type: 'care-provider', organisation: PROVIDER_A }, NOW)
        .revoke.status,
    ).toBe('cancelled');
    refusal(() => cancelRevoke(consent(), { type: 'care-provider', organisation: PROVIDER_C }, NOW), 'MESH-NSF-006');
    refusal(() => cancelRevoke(consent(), { type: 'operator', id: 'op' }, NOW), 'MESH-NSF-008');
    expect(cancelRevoke(consent(), { type: 'operator', id: 'op' }, NOW, 'case 12').cancellation.reason).toBe('case 12');
  });

  test('only an active revoke is ended', () => {
    refusal(() => cancelRevoke(consent({ status: 'cancelled' }), { type: 'patient', patient: PATIENT }, NOW), 'MESH-NSF-007');
  });
});

describe('the revoke as a Consent (profile consent-revoke)', () => {
  test('consent and emergency revokes survive the round trip through FHIR', () => {
    // performer names organisations and professionals, as for blocks; a break-glass grantee keeps the unit.
    const recorder = { type: 'care-provider' as const, organisation: PROVIDER_B, professional: emergency().grantee.professional! };
    for (const revoke of [consent({ blockIds: ['b1', 'b2'] }), emergency({ recordedBy: recorder })])
      expect(consentToRevoke(revokeToConsent(revoke))).toEqual(revoke);
  });
});
