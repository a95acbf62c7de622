import fc from 'fast-check';
import { FhirError, PERSONNUMMER_SYSTEM } from '@ndi-mesh/kernel';
import { END_REASONS, type EndReason } from '../../src/domain/end-reason.ts';
import type { IndexEntry, IndexEvent } from '../../src/domain/index-entry.ts';
import { openLocalPatient } from '../../src/domain/index-event.ts';
import {
  applyEvent,
  checkBatchSize,
  checkEndReason,
  checkNotInFuture,
  checkReporter,
  MAX_CLOCK_SKEW_MS,
  PDI_RULES,
  planBatch,
} from '../../src/domain/index-rules.ts';
import { indexEvent, LOCAL_SYSTEM, newPseudonymiser, NOW, OTHER_PROVIDER, PROVIDER, sharingEvent } from './fixtures.ts';

const p = newPseudonymiser();
const patient = sharingEvent().patient;
const at = (iso: string) => `2026-02-${iso}.000Z`;
const started = (day: string, extra: object = {}) => indexEvent(p, { patient, eventType: 'started', occurredAt: at(day), ...extra });
const ended = (day: string, endReason: EndReason = 'patient-moved') => indexEvent(p, { patient, eventType: 'ended', occurredAt: at(day), endReason });

function fold(events: readonly IndexEvent[], from?: IndexEntry): IndexEntry | undefined {
  return events.reduce<IndexEntry | undefined>((entry, e) => applyEvent(entry, e).next, from);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof FhirError) return err.code;
    throw err;
  }
  return 'accepted';
}

test('every rule has an id PDI-Rn and a sentence', () => {
  expect(Object.keys(PDI_RULES)).toEqual(Array.from({ length: 10 }, (_, i) => `PDI-R${i + 1}`));
});

describe('PDI-R1: the same event twice changes nothing', () => {
  test('applying an event again leaves the entry as it was', () => {
    const e = started('01T08:00:00');
    const first = applyEvent(undefined, e);
    expect(first.changed).toBe(true);
    const again = applyEvent(first.next, e);
    expect(again).toEqual({ next: first.next, changed: false });
  });

  test('two reports of one event have one digest; a different event has another', () => {
    const a = started('01T08:00:00');
    const b = indexEvent(p, { patient, eventType: 'started', occurredAt: at('01T08:00:00') });
    expect(b.digest).toBe(a.digest);
    expect(started('01T08:00:01').digest).not.toBe(a.digest);
    expect(started('01T08:00:00', { localPatient: { system: LOCAL_SYSTEM, value: 'MRN-1' } }).digest).not.toBe(a.digest);
  });

  test('a batch reports a known event and a repeat within the batch as duplicates, and records neither', () => {
    const known = started('01T08:00:00');
    const fresh = ended('02T08:00:00');
    const plan = planBatch(new Map(), new Set([known.digest]), [known, fresh, fresh]);
    expect(plan.outcomes).toEqual([{ outcome: 'duplicate', rule: 'PDI-R1' }, { outcome: 'applied' }, { outcome: 'duplicate', rule: 'PDI-R1' }]);
    expect(plan.history.map((h) => h.digest)).toEqual([fresh.digest]);
  });
});

describe('PDI-R2: latest occurredAt wins', () => {
  test('a later event replaces the entry', () => {
    const entry = fold([started('01T08:00:00'), ended('02T08:00:00')])!;
    expect(entry).toMatchObject({ state: 'ended', endReason: 'patient-moved', occurredAt: at('02T08:00:00') });
  });

  test('a late started older than the ended does not revive the entry', () => {
    const end = applyEvent(undefined, ended('02T08:00:00')).next;
    const late = applyEvent(end, started('01T08:00:00'));
    expect(late).toEqual({ next: end, changed: false });
  });

  test('a started after the ended restores sharing', () => {
    expect(fold([started('01T08:00:00'), ended('02T08:00:00'), started('03T08:00:00')])).toMatchObject({ state: 'active' });
  });

  test('at the same instant ended beats started, whichever arrives first', () => {
    // Twenty patients, so that no digest order could make this pass by luck.
    for (let i = 0; i < 20; i++) {
      const who = sharingEvent().patient;
      const s = indexEvent(p, { patient: who, eventType: 'started', occurredAt: at('01T08:00:00') });
      const e = indexEvent(p, { patient: who, eventType: 'ended', occurredAt: at('01T08:00:00'), endReason: 'registered-in-error' });
      expect(fold([s, e])).toMatchObject({ state: 'ended' });
      expect(fold([e, s])).toMatchObject({ state: 'ended' });
    }
  });

  test('two different ended events at the same instant settle on the same one in either order', () => {
    const a = ended('01T08:00:00', 'patient-moved');
    const b = ended('01T08:00:00', 'record-closed');
    expect(fold([a, b])).toEqual(fold([b, a]));
  });

  test('any arrival order of any events gives the same entry, and replaying them changes nothing (property)', () => {
    const reasons = Object.keys(END_REASONS) as EndReason[];
    const anEvent = fc.record({
      minute: fc.integer({ min: 0, max: 5 }),
      type: fc.constantFrom('started' as const, 'ended' as const),
      reason: fc.constantFrom(...reasons),
      local: fc.option(fc.constantFrom('MRN-1', 'MRN-2'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(anEvent, { minLength: 1, maxLength: 8 }), fc.func(fc.integer()), (specs, shuffleKey) => {
        const events = specs.map((s) =>
          indexEvent(p, {
            patient,
            eventType: s.type,
            occurredAt: `2026-02-01T08:0${s.minute}:00.000Z`,
            ...(s.type === 'ended' ? { endReason: s.reason } : {}),
            ...(s.local ? { localPatient: { system: LOCAL_SYSTEM, value: s.local } } : {}),
          }),
        );
        const shuffled = [...events].sort((x, y) => shuffleKey(x.digest) - shuffleKey(y.digest) || (x.digest < y.digest ? -1 : 1));
        const inOrder = fold(events)!;
        const permuted = fold(shuffled)!;
        // Sealed local ids carry random nonces: compare what they open to.
        const plain = (e: IndexEntry) => ({ ...e, localPatient: openLocalPatient(e, p) });
        expect(plain(permuted)).toEqual(plain(inOrder));
        expect(events.every((e) => !applyEvent(inOrder, e).changed)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('PDI-R3: the reporter owns the report', () => {
  test("an event for the caller's own organisation passes", () => {
    expect(codeOf(() => checkReporter(PROVIDER, PROVIDER))).toBe('accepted');
  });
  test('an event for another organisation is refused', () => {
    expect(codeOf(() => checkReporter(OTHER_PROVIDER, PROVIDER))).toBe('MESH-AUTH-005');
  });
});

describe('PDI-R4: ended carries a reason, started none', () => {
  test.each([
    ['ended', 'patient-deceased', 'accepted'],
    ['ended', undefined, 'MESH-PDI-002'],
    ['started', 'other', 'MESH-PDI-003'],
    ['started', undefined, 'accepted'],
    ['ended', 'bored', 'MESH-PDI-004'],
  ] as const)('%s with %s: %s', (type, reason, expected) => {
    expect(codeOf(() => checkEndReason(type, reason))).toBe(expected);
  });
});

describe('PDI-R5: no events from the future', () => {
  test('5 minutes of clock skew is allowed, a millisecond more is not', () => {
    expect(codeOf(() => checkNotInFuture(new Date(NOW.getTime() + MAX_CLOCK_SKEW_MS).toISOString(), NOW))).toBe('accepted');
    expect(codeOf(() => checkNotInFuture(new Date(NOW.getTime() + MAX_CLOCK_SKEW_MS + 1).toISOString(), NOW))).toBe('MESH-PDI-005');
  });
  test('any past instant is fine (a provider may report a backlog)', () => {
    expect(codeOf(() => checkNotInFuture('2001-01-01T00:00:00.000Z', NOW))).toBe('accepted');
  });
});

describe('PDI-R6: 1 to 1,000 events a batch', () => {
  test.each([
    [0, 'MESH-PDI-006'],
    [1, 'accepted'],
    [1000, 'accepted'],
    [1001, 'MESH-PDI-006'],
  ])('%i events: %s', (n, expected) => {
    expect(codeOf(() => checkBatchSize(n))).toBe(expected);
  });
});

describe('PDI-R7: events for one entry in one batch merge', () => {
  test('started, ended and started again in one batch leave one entry in its latest state, each event recorded', () => {
    const events = [ended('02T08:00:00'), started('01T08:00:00'), started('03T08:00:00')];
    const plan = planBatch(new Map(), new Set(), events);
    expect(plan.entries).toHaveLength(1);
    expect(plan.entries[0]).toMatchObject({ state: 'active', occurredAt: at('03T08:00:00') });
    expect(plan.outcomes).toEqual([{ outcome: 'applied' }, { outcome: 'superseded', rule: 'PDI-R2' }, { outcome: 'applied' }]);
    expect(plan.history.map((h) => h.outcome)).toEqual(['applied', 'superseded', 'applied']);
  });

  test('the batch ends where sending the events one at a time would', () => {
    const events = [started('01T08:00:00'), ended('04T08:00:00'), started('03T08:00:00'), indexEvent(p, { patient: sharingEvent().patient })];
    const plan = planBatch(new Map(), new Set(), events);
    let entries = new Map<string, IndexEntry>();
    for (const e of events) {
      const one = planBatch(entries, new Set(), [e]);
      entries = new Map([...entries, ...one.entries.map((x) => [`${x.pseudonym}|${x.careProvider}|${x.system}`, x] as const)]);
    }
    expect(new Set(plan.entries)).toEqual(new Set(entries.values()));
  });

  test('a planned batch leaves entries it did not change out of the write', () => {
    const current = applyEvent(undefined, ended('05T08:00:00')).next;
    const key = `${current.pseudonym}|${current.careProvider}|${current.system}`;
    const plan = planBatch(new Map([[key, current]]), new Set(), [started('01T08:00:00')]);
    expect(plan.entries).toEqual([]);
    expect(plan.history).toHaveLength(1);
  });
});

describe('PDI-R9: pseudonymised patient, sealed local identifier', () => {
  test('the index event holds neither the national identifier nor the local one in the clear', () => {
    const event = sharingEvent({ localPatient: { system: LOCAL_SYSTEM, value: 'MRN-778899' } });
    const stored = JSON.stringify(indexEvent(p, event));
    expect(stored).not.toContain(event.patient.value);
    expect(stored).not.toContain(event.patient.value.slice(2));
    expect(stored).not.toContain('MRN-778899');
  });

  test('the same patient at two providers has the same pseudonym; other patients do not', () => {
    const a = indexEvent(p, { patient, careProvider: PROVIDER });
    const b = indexEvent(p, { patient, careProvider: OTHER_PROVIDER });
    expect(a.pseudonym).toBe(b.pseudonym);
    expect(indexEvent(p, { patient: { system: PERSONNUMMER_SYSTEM, value: sharingEvent().patient.value } }).pseudonym).not.toBe(a.pseudonym);
  });
});

describe('PDI-R10: an ended entry is a tombstone', () => {
  test('it keeps state, time and reason but not the local identifier', () => {
    const entry = fold([started('01T08:00:00', { localPatient: { system: LOCAL_SYSTEM, value: 'MRN-1' } }), ended('02T08:00:00', 'patient-objected')])!;
    expect(entry).toMatchObject({ state: 'ended', endReason: 'patient-objected' });
    expect(entry).not.toHaveProperty('localPatient');
  });

  test('an active entry gives back its local identifier', () => {
    const entry = fold([started('01T08:00:00', { localPatient: { system: LOCAL_SYSTEM, value: 'MRN-1' } })])!;
    expect(openLocalPatient(entry, p)).toEqual({ system: LOCAL_SYSTEM, value: 'MRN-1' });
  });
});

test('applyEvent refuses an event of another entry (a bug, not input)', () => {
  const entry = applyEvent(undefined, started('01T08:00:00')).next;
  expect(() => applyEvent(entry, indexEvent(p, {}))).toThrow(/another entry/);
});
