import type { Db } from '@ndi-mesh/kernel';
import type { IndexEvent } from '../../src/domain/index-entry.ts';
import type { SharingEvent } from '../../src/domain/sharing-event.ts';
import { allEntriesFor, applyEvents, historyFor } from '../../src/store/index-store.ts';
import { indexEvent, newPseudonymiser, sharingEvent } from '../domain/fixtures.ts';
import { indexDatabase } from './database.ts';

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await indexDatabase('pdi_concurrency', 8));
});
afterAll(async () => close?.());

const p = newPseudonymiser();
const apply = (events: readonly IndexEvent[]) => db.transaction((tx) => applyEvents(tx, events));
const patients = (n: number): SharingEvent['patient'][] => Array.from({ length: n }, () => sharingEvent().patient);

describe('concurrent batches stay consistent', () => {
  test('a started and a later ended for the same new entries, sent at once, always end ended (either commit order)', async () => {
    for (let round = 0; round < 10; round++) {
      const who = patients(50);
      const starts = who.map((patient) => indexEvent(p, { patient, occurredAt: '2026-02-01T08:00:00.000Z' }));
      const ends = who.map((patient) => indexEvent(p, { patient, eventType: 'ended', endReason: 'patient-moved', occurredAt: '2026-02-02T08:00:00.000Z' }));
      const [a, b] = await Promise.all(round % 2 ? [apply(starts), apply(ends)] : [apply(ends), apply(starts)]);
      // Whichever committed first, every event was recorded exactly once and counted as such.
      expect([...a.outcomes, ...b.outcomes].every((o) => o.outcome !== 'duplicate')).toBe(true);
      for (const patient of who) {
        const pseudonym = p.pseudonym(patient);
        expect(await allEntriesFor(db, pseudonym)).toMatchObject([{ state: 'ended' }]);
        expect(await historyFor(db, pseudonym)).toHaveLength(2);
      }
    }
  });

  test('the same batch sent by two replicas at once is applied once', async () => {
    const batch = patients(100).map((patient) => indexEvent(p, { patient }));
    const results = await Promise.all([apply(batch), apply(batch), apply(batch)]);
    const applied = results.flatMap((r) => r.outcomes).filter((o) => o.outcome === 'applied');
    expect(applied).toHaveLength(100);
    for (const e of batch.slice(0, 10)) expect(await historyFor(db, e.pseudonym)).toHaveLength(1);
  });

  test('batches that touch the same patients in opposite orders do not deadlock', async () => {
    const who = patients(200);
    const forward = who.map((patient, i) => indexEvent(p, { patient, occurredAt: `2026-02-01T08:${String(i % 60).padStart(2, '0')}:00.000Z` }));
    const backward = [...who]
      .reverse()
      .map((patient) => indexEvent(p, { patient, eventType: 'ended', endReason: 'record-closed', occurredAt: '2026-02-03T08:00:00.000Z' }));
    const runs = await Promise.allSettled([apply(forward), apply(backward), apply([...forward].reverse()), apply([...backward].reverse())]);
    expect(runs.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    for (const patient of who.slice(0, 20)) expect(await allEntriesFor(db, p.pseudonym(patient))).toMatchObject([{ state: 'ended' }]);
  });
});
