import { FhirError } from '@ndi-mesh/kernel';
import { END_REASON_SYSTEM, isEndReason, type EndReason } from './end-reason.ts';
import { entryKeyOf, sameEntryKey, type IndexEntry, type IndexEvent } from './index-entry.ts';
import type { SharingEventType } from './sharing-event.ts';

/** PDI-R5: how far ahead of our clock a provider's clock may run. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** PDI-R6, as skltp/ei's MAX_NUMBER_OF_ENGAGEMENTS. */
export const MAX_BATCH_EVENTS = 1000;

/**
 * The patient data index's update rules, numbered as the national engagement index numbers its
 * own (skltp/ei, Update-R1 … R7) so the guide, the code and the tests can name the same rule.
 * implementation-guides/patient-data-index/rules.md prints this table and explains each choice.
 */
export const PDI_RULES = {
  'PDI-R1': 'The same event twice changes nothing: an event whose digest the index already holds is a duplicate.',
  'PDI-R2':
    'Latest wins: an entry reflects the event with the latest occurredAt; at the same instant ended beats started; a remaining tie goes to the larger digest. An older event is recorded in the history but changes nothing.',
  'PDI-R3': "The reporter owns the report: careProvider must be the caller's own organisation HSA-id.",
  'PDI-R4': 'An ended event carries an end reason from the pdi-end-reason code system; a started event carries none.',
  'PDI-R5': `No event from the future: occurredAt may be at most ${MAX_CLOCK_SKEW_MS / 60_000} minutes ahead of the index's clock (clock skew).`,
  'PDI-R6': 'A batch holds 1 to 1,000 events; a larger or empty one is refused whole.',
  'PDI-R7':
    'Several events for the same entry in one batch are all recorded and merged by PDI-R1 and PDI-R2; the result is the same as sending them one at a time in any order.',
  'PDI-R8': 'A batch is applied event by event: good events are applied, each bad one is refused with its position and reason.',
  'PDI-R9':
    'The patient is a valid personnummer or samordningsnummer, stored only as a keyed pseudonym; a local patient identifier is stored only sealed, and dropped when it repeats the national one.',
  'PDI-R10': 'An ended entry is kept (without the local identifier) so that a late, older started cannot revive it; a lookup returns active entries only.',
} as const;

export type PdiRule = keyof typeof PDI_RULES;

/** PDI-R3. `expression` points at the careProvider parameter when the caller knows it. */
export function checkReporter(careProvider: string, callerOrganisation: string, expression?: string): void {
  if (careProvider !== callerOrganisation) {
    throw new FhirError('MESH-AUTH-005', {
      diagnostics: `PDI-R3: a care provider reports only for itself; this event names ${careProvider}, the caller acts for ${callerOrganisation}`,
      ...(expression ? { expression } : {}),
    });
  }
}

/** PDI-R4. */
export function checkEndReason(eventType: SharingEventType, endReason: string | undefined, expression?: string): asserts endReason is EndReason | undefined {
  const at = expression ? { expression } : {};
  if (eventType === 'ended' && endReason === undefined) {
    throw new FhirError('MESH-PDI-002', { diagnostics: 'PDI-R4: an ended event says why sharing ended (parameter endReason)', ...at });
  }
  if (eventType === 'started' && endReason !== undefined) {
    throw new FhirError('MESH-PDI-003', { diagnostics: 'PDI-R4: a started event carries no endReason', ...at });
  }
  if (endReason !== undefined && !isEndReason(endReason)) {
    throw new FhirError('MESH-PDI-004', { diagnostics: `PDI-R4: unknown end reason; use a code of ${END_REASON_SYSTEM}`, ...at });
  }
}

/** PDI-R5. `occurredAt` is an ISO instant. */
export function checkNotInFuture(occurredAt: string, now: Date, expression?: string): void {
  const ahead = Date.parse(occurredAt) - now.getTime();
  if (ahead > MAX_CLOCK_SKEW_MS) {
    throw new FhirError('MESH-PDI-005', {
      diagnostics: `PDI-R5: occurredAt ${occurredAt} is ${Math.round(ahead / 1000)} s ahead of the index's clock (${now.toISOString()}); at most ${MAX_CLOCK_SKEW_MS / 60_000} minutes of clock skew is allowed`,
      ...(expression ? { expression } : {}),
    });
  }
}

/** PDI-R6. */
export function checkBatchSize(count: number): void {
  if (count < 1 || count > MAX_BATCH_EVENTS) {
    throw new FhirError('MESH-PDI-006', `PDI-R6: a batch holds 1 to ${MAX_BATCH_EVENTS} events; this one holds ${count}`);
  }
}

const TYPE_RANK: Readonly<Record<SharingEventType, number>> = { started: 0, ended: 1 };

/**
 * PDI-R2's total order on what an entry can reflect. It is total (no two different events are
 * equal, because the digest breaks the last tie), so "keep the larger" is commutative, associative
 * and idempotent: the index ends in the same state whatever order events arrive in.
 *
 * Ended beats started at the same instant because the two facts contradict each other and only
 * one can be acted on: answering "not shared" errs on the side of the patient's privacy, costs a
 * requester nothing it could not get by asking the provider again, and the provider can always
 * restore sharing with a later started event. Claiming "shared" wrongly would send requesters to a
 * provider that has stopped sharing, or has withdrawn a registration made in error.
 */
export function compareEvents(a: OrderKey, b: OrderKey): number {
  const at = Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
  if (at !== 0) return Math.sign(at);
  const rank = TYPE_RANK[eventTypeOf(a)] - TYPE_RANK[eventTypeOf(b)];
  if (rank !== 0) return Math.sign(rank);
  return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
}

type OrderKey = Pick<IndexEvent, 'occurredAt' | 'digest'> & ({ readonly eventType: SharingEventType } | { readonly state: IndexEntry['state'] });

function eventTypeOf(x: OrderKey): SharingEventType {
  return 'eventType' in x ? x.eventType : x.state === 'active' ? 'started' : 'ended';
}

/** The entry an event leaves behind when it wins. */
export function entryFromEvent(event: IndexEvent): IndexEntry {
  const base = {
    pseudonym: event.pseudonym,
    careProvider: event.careProvider,
    system: event.system,
    keyId: event.keyId,
    occurredAt: event.occurredAt,
    digest: event.digest,
  };
  if (event.eventType === 'started') return { ...base, state: 'active', ...(event.localPatient ? { localPatient: event.localPatient } : {}) };
  // PDI-R10: the tombstone keeps the order key and the reason, not the local identifier.
  return { ...base, state: 'ended', ...(event.endReason ? { endReason: event.endReason } : {}) };
}

/** PDI-R1 and PDI-R2 for one event against the entry it belongs to (undefined: none yet). */
export function applyEvent(current: IndexEntry | undefined, event: IndexEvent): { next: IndexEntry; changed: boolean } {
  if (current === undefined) return { next: entryFromEvent(event), changed: true };
  if (!sameEntryKey(current, event)) throw new Error('applyEvent: the event belongs to another entry');
  if (event.digest === current.digest) return { next: current, changed: false };
  if (compareEvents(event, current) <= 0) return { next: current, changed: false };
  return { next: entryFromEvent(event), changed: true };
}

export type EventOutcome =
  /** The event changed its entry when it arrived. */
  | { readonly outcome: 'applied' }
  /** PDI-R2: recorded in the history, but a later event already decides the entry. */
  | { readonly outcome: 'superseded'; readonly rule: 'PDI-R2' }
  /** PDI-R1: the index already holds this very event; nothing was written. */
  | { readonly outcome: 'duplicate'; readonly rule: 'PDI-R1' };

export interface HistoryRecord extends IndexEvent {
  readonly outcome: 'applied' | 'superseded';
}

export interface BatchPlan {
  /** One per input event, in input order. */
  readonly outcomes: readonly EventOutcome[];
  /** The events to append to the history (duplicates left out). */
  readonly history: readonly HistoryRecord[];
  /** The entries whose state changed, each once, in its final state. */
  readonly entries: readonly IndexEntry[];
}

/**
 * PDI-R7: folds a batch into the entries it touches. `current` holds the stored entries of the
 * batch's keys (by entryKeyOf), `knownDigests` the digests among the batch's that the history
 * already holds. Pure: the store reads both under a lock, calls this, and writes the plan.
 */
export function planBatch(current: ReadonlyMap<string, IndexEntry>, knownDigests: ReadonlySet<string>, events: readonly IndexEvent[]): BatchPlan {
  const state = new Map(current);
  const changed = new Set<string>();
  const seen = new Set(knownDigests);
  const outcomes: EventOutcome[] = [];
  const history: HistoryRecord[] = [];
  for (const event of events) {
    if (seen.has(event.digest)) {
      outcomes.push({ outcome: 'duplicate', rule: 'PDI-R1' });
      continue;
    }
    seen.add(event.digest);
    const key = entryKeyOf(event);
    const { next, changed: didChange } = applyEvent(state.get(key), event);
    if (didChange) {
      state.set(key, next);
      changed.add(key);
      outcomes.push({ outcome: 'applied' });
    } else {
      outcomes.push({ outcome: 'superseded', rule: 'PDI-R2' });
    }
    history.push({ ...event, outcome: didChange ? 'applied' : 'superseded' });
  }
  return { outcomes, history, entries: [...changed].map((key) => state.get(key)!) };
}
