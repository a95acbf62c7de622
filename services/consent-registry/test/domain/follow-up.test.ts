import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CodeSystem } from '@medplum/fhirtypes';
import { assertMayReview } from '../../src/domain/follow-up.ts';
import type { Actor } from '../../src/domain/model.ts';
import { FOLLOW_UP_TASK_CODE, PATIENT_NOTICE_CODE, REVIEW_OUTCOME_DISPLAY } from '../../src/follow-up/resources.ts';
import { refusal } from './expect-refusal.ts';
import { DOCTOR_A1, PATIENT, PROVIDER_A, PROVIDER_B } from './fixtures.ts';

// NSF-R13, the owner's side: the information owner reviews each emergency access to its data once.
describe('NSF-R13 reviewing a break-glass access on the follow-up list', () => {
  const open = { owner: PROVIDER_A, open: true };
  const owner: Actor = { type: 'care-provider', organisation: PROVIDER_A, professional: DOCTOR_A1 };

  test('the owner records its finding; justified needs no note, not justified says why', () => {
    expect(() => assertMayReview(open, owner, 'justified', undefined)).not.toThrow();
    expect(() => assertMayReview(open, owner, 'not-justified', 'no emergency: the patient was conscious')).not.toThrow();
    refusal(() => assertMayReview(open, owner, 'not-justified', undefined), 'MESH-NSF-012', 'note');
    refusal(() => assertMayReview(open, owner, 'not-justified', '   '), 'MESH-NSF-012', 'note');
  });

  test('nobody but the owner reviews: another provider, the patient, the operator', () => {
    for (const by of [
      { type: 'care-provider', organisation: PROVIDER_B },
      { type: 'patient', patient: PATIENT },
      { type: 'operator', id: 'support' },
    ] satisfies Actor[])
      refusal(() => assertMayReview(open, by, 'justified', undefined), 'MESH-AUTH-005');
  });

  test('an item is reviewed once', () => {
    refusal(() => assertMayReview({ ...open, open: false }, owner, 'justified', undefined), 'MESH-NSF-011');
  });
});

// The codes the follow-up resources carry are the ones the guide's code system defines (fhir-profiles).
test('every follow-up code the service writes is defined in the consent-follow-up CodeSystem', () => {
  const path = resolve(import.meta.dirname, '../../../../fhir-profiles/fsh-generated/resources/CodeSystem-consent-follow-up.json');
  const system = JSON.parse(readFileSync(path, 'utf8')) as CodeSystem;
  const defined = new Set(system.concept?.map((c) => c.code));
  expect(system.url).toBe(FOLLOW_UP_TASK_CODE.system);
  expect(PATIENT_NOTICE_CODE.system).toBe(system.url);
  for (const code of [FOLLOW_UP_TASK_CODE.code, PATIENT_NOTICE_CODE.code, ...Object.keys(REVIEW_OUTCOME_DISPLAY)])
    expect([code, defined.has(code)]).toEqual([code, true]);
});
