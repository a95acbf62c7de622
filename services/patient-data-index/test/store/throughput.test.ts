import { performance } from 'node:perf_hooks';
import { PERSONNUMMER_SYSTEM, type Db } from '@ndi-mesh/kernel';
import { toIndexEvent } from '../../src/domain/index-event.ts';
import type { IndexEvent } from '../../src/domain/index-entry.ts';
import { applyEvents, entriesFor } from '../../src/store/index-store.ts';
import { EHR_SYSTEM, LOCAL_SYSTEM, newPseudonymiser, sharingEvent } from '../domain/fixtures.ts';
import { indexDatabase } from './database.ts';

// A measurement, printed and not asserted: timing belongs to `npm run bench`, not to a test that
// a busy machine could fail. What is asserted is that the work was actually done.

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await indexDatabase('pdi_throughput'));
});
afterAll(async () => close?.());

const p = newPseudonymiser();
const BATCHES = 10;
const BATCH = 1000;

test('events/s for batches of 1,000 and lookup latency', async () => {
  // The store sees only pseudonyms, and 10,000 patients are more than Skatteverket's test list
  // holds, so the load names its patients by opaque stand-ins (toIndexEvent does not validate).
  const patients = Array.from({ length: BATCHES * BATCH }, (_, i) => ({ system: PERSONNUMMER_SYSTEM, value: `load-${i}` }));
  const pseudonymiseStart = performance.now();
  const batches: IndexEvent[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    batches.push(
      patients
        .slice(b * BATCH, (b + 1) * BATCH)
        .map((patient, i) =>
          toIndexEvent(
            i % 5 === 4
              ? sharingEvent({ patient, system: EHR_SYSTEM, eventType: 'ended', endReason: 'record-closed' })
              : sharingEvent({ patient, system: EHR_SYSTEM, localPatient: { system: LOCAL_SYSTEM, value: `MRN-${b}-${i}` } }),
            p,
          ),
        ),
    );
  }
  const pseudonymiseMs = performance.now() - pseudonymiseStart;

  // Warm-up batch (connections, plans), then the measured ones; then each again as a second
  // event per entry (an update rather than an insert).
  await db.transaction((tx) => applyEvents(tx, batches[0]!));
  const insertStart = performance.now();
  for (const batch of batches.slice(1)) await db.transaction((tx) => applyEvents(tx, batch));
  const insertMs = performance.now() - insertStart;
  const updates = batches.slice(1).map((batch) => batch.map((e) => ({ ...e, occurredAt: '2026-02-05T08:00:00.000Z', digest: p.digest([e.digest, 'later']) })));
  const updateStart = performance.now();
  for (const batch of updates) await db.transaction((tx) => applyEvents(tx, batch));
  const updateMs = performance.now() - updateStart;

  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM index_entry');
  expect(rows[0]!.n).toBe(BATCHES * BATCH);

  const lookups = patients.slice(0, 2000).map((patient) => p.pseudonym(patient));
  for (const pseudonym of lookups.slice(0, 200)) await entriesFor(db, pseudonym);
  const times: number[] = [];
  let found = 0;
  for (const pseudonym of lookups) {
    const t = performance.now();
    found += (await entriesFor(db, pseudonym)).length;
    times.push(performance.now() - t);
  }
  expect(found).toBe(lookups.length * 0.8);
  times.sort((a, b) => a - b);
  const q = (f: number) => times[Math.min(times.length - 1, Math.floor(f * times.length))]!;
  const events = (BATCHES - 1) * BATCH;
  console.log(
    [
      `PDI store on this machine (${BATCHES - 1} batches of ${BATCH}, ${BATCHES * BATCH} entries, one connection):`,
      `  pseudonymise + seal + digest: ${Math.round((BATCHES * BATCH) / (pseudonymiseMs / 1000))} events/s`,
      `  applyEvents, new entries:      ${Math.round(events / (insertMs / 1000))} events/s (${(insertMs / (BATCHES - 1)).toFixed(1)} ms a batch)`,
      `  applyEvents, later events:     ${Math.round(events / (updateMs / 1000))} events/s (${(updateMs / (BATCHES - 1)).toFixed(1)} ms a batch)`,
      `  entriesFor (round trip):       p50 ${(q(0.5) * 1000).toFixed(0)} µs, p99 ${(q(0.99) * 1000).toFixed(0)} µs over ${times.length} lookups`,
    ].join('\n'),
  );
});
