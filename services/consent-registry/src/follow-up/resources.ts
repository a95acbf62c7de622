import type { Communication, Task } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM } from '@ndi-mesh/kernel';
import type { Actor, FollowUpItem, ReviewOutcome } from '../domain/index.ts';
import { iso } from '../fhir/instants.ts';

/** Identifier system of the follow-up records: one per revoke, information owner and day (the idempotency key). */
export const FOLLOW_UP_ID_SYSTEM = 'https://ndi-mesh.se/fhir/NamingSystem/break-glass-follow-up';
export const FOLLOW_UP_TASK_CODE = { system: 'https://ndi-mesh.se/fhir/CodeSystem/consent-follow-up', code: 'break-glass-review' } as const;
export const PATIENT_NOTICE_CODE = { system: 'https://ndi-mesh.se/fhir/CodeSystem/consent-follow-up', code: 'break-glass-notice' } as const;
/** The owner's finding, as the reviewed Task's `businessStatus`. */
export const REVIEW_OUTCOME_DISPLAY: Record<ReviewOutcome, string> = { justified: 'Justified', 'not-justified': 'Not justified' };

/**
 * The key of one use of break-glass for follow-up: the revoke, the information owner whose data
 * was released, and the UTC day. Repeated $decide calls the same day under the same revoke for
 * the same owner are one review item and one notice; every call is still audited on its own.
 */
export function followUpKey(revokeId: string, owner: string, at: number): string {
  return `${revokeId}:${owner}:${iso(at).slice(0, 10)}`;
}

const hsa = (value: string) => ({ system: HSA_ID_SYSTEM, value });

function whoOpened(item: FollowUpItem): string {
  const r = item.requester;
  return [r.professional && `professional ${r.professional}`, r.careUnit && `care unit ${r.careUnit}`, `organisation ${r.organisation}`]
    .filter(Boolean)
    .join(', ');
}

/** The information owner's review item (NSF-R13): owned by the owner's HSA-id, `requested` until the owner handles it. */
export function followUpTask(item: FollowUpItem, revokeId: string, key: string): Task {
  return {
    resourceType: 'Task',
    identifier: [{ system: FOLLOW_UP_ID_SYSTEM, value: key }],
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: { coding: [{ ...FOLLOW_UP_TASK_CODE, display: 'Review emergency access (break-glass)' }] },
    description: `Review: ${whoOpened(item)} read blocked data of yours in an emergency (break-glass, revoke ${revokeId}).`,
    focus: { reference: `Consent/${revokeId}` },
    for: { type: 'Patient', identifier: { ...item.patient } },
    authoredOn: iso(item.at),
    owner: { type: 'Organization', identifier: hsa(item.owner) },
    input: [
      { type: { text: 'requesting organisation' }, valueIdentifier: hsa(item.requester.organisation) },
      ...(item.requester.careUnit ? [{ type: { text: 'requesting care unit' }, valueIdentifier: hsa(item.requester.careUnit) }] : []),
      ...(item.requester.professional ? [{ type: { text: 'requesting professional' }, valueIdentifier: hsa(item.requester.professional) }] : []),
      ...(item.careUnit ? [{ type: { text: 'care unit holding the data' }, valueIdentifier: hsa(item.careUnit) }] : []),
      ...item.blockIds.map((id) => ({ type: { text: 'lifted block' }, valueReference: { reference: `Consent/${id}` } })),
    ],
  };
}

/**
 * The notice to the patient ("the patient is told afterwards", NSF-R13): stored here as a
 * completed Communication, which the access service reads for the patient it authenticated.
 */
export function patientNotice(item: FollowUpItem, revokeId: string, key: string): Communication {
  return {
    resourceType: 'Communication',
    identifier: [{ system: FOLLOW_UP_ID_SYSTEM, value: key }],
    status: 'completed',
    category: [{ coding: [{ ...PATIENT_NOTICE_CODE, display: 'Emergency access to blocked data' }] }],
    subject: { type: 'Patient', identifier: { ...item.patient } },
    recipient: [{ type: 'Patient', identifier: { ...item.patient } }],
    about: [{ reference: `Consent/${revokeId}` }],
    sent: iso(item.at),
    payload: [
      {
        contentString: `In an emergency, ${whoOpened(item)} read data you have blocked, held by care provider ${item.owner}. The care provider reviews every such access.`,
      },
    ],
  };
}

/**
 * The follow-up Task once its owner has reviewed it (NSF-R13): `completed`, the finding as
 * `businessStatus`, and a note saying who found what, when, and why.
 */
export function reviewedTask(task: Task, outcome: ReviewOutcome, note: string | undefined, by: Extract<Actor, { type: 'care-provider' }>, at: number): Task {
  const display = REVIEW_OUTCOME_DISPLAY[outcome];
  return {
    ...task,
    status: 'completed',
    businessStatus: { coding: [{ system: FOLLOW_UP_TASK_CODE.system, code: outcome, display }] },
    ...(task.authoredOn ? { executionPeriod: { start: task.authoredOn, end: iso(at) } } : {}),
    lastModified: iso(at),
    note: [
      ...(task.note ?? []),
      {
        authorReference: by.professional
          ? { type: 'Practitioner', identifier: hsa(by.professional) }
          : { type: 'Organization', identifier: hsa(by.organisation) },
        time: iso(at),
        text: note?.trim() ? `${display}: ${note.trim()}` : display,
      },
    ],
  };
}
