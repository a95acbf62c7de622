import type { Db } from '@ndi-mesh/kernel';
import type { IndexEvent } from '../../src/domain/index-entry.ts';
import { openLocalPatient } from '../../src/domain/index-event.ts';
import type { SharingEvent } from '../../src/domain/sharing-event.ts';
import { allEntriesFor, applyEvents, entriesFor, historyFor } from '../../src/store/index-store.ts';
import { indexEvent, LOCAL_SYSTEM, newPseudonymiser, OTHER_PROVIDER, PROVIDER, sharingEvent } from '../domain/fixtures.ts';
import { indexDatabase, SCHEMA } from './database.ts';

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await indexDatabase('pdi_store'));
});
afterAll(async () => close?.());

const p = newPseudonymiser();
const at = (day: string) => `2026-02-${day}T08:00:00.000Z`;
const apply = (events: readonly IndexEvent[]) => db.transaction((tx) => applyEvents(tx, events));
const forPatient =
  (patient: SharingEvent['patient']) =>
  (extra: Partial<SharingEvent> = {}) =>
    indexEvent(p, { patient, ...extra });

describe('schema', () => {
  test('the history is hash-partitioned by pseudonym into 16 partitions; the current entries are one table', async () => {
    const { rows } = await db.query<{ parent: string; strategy: string; partitions: number }>(
      `SELECT c.relname AS parent, pt.partstrat AS strategy, count(i.inhrelid)::int AS partitions
         FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_inherits i ON i.inhparent = c.oid
        WHERE n.nspname = $1 GROUP BY c.relname, pt.partstrat ORDER BY c.relname`,
      [SCHEMA],
    );
    expect(rows).toEqual([{ parent: 'index_event', strategy: 'h', partitions: 16 }]);
  });

  test('a lookup reads the entries through their primary key', async () => {
    const pseudonym = p.pseudonym(sharingEvent().patient);
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT * FROM index_entry e WHERE e.pseudonym = decode($1, 'hex') AND e.state = 'active'`,
      [pseudonym],
    );
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index Scan using index_entry_pkey|Bitmap Index Scan on index_entry_pkey/);
  });
});

describe('applyEvents and the lookups', () => {
  test('a started event makes an active entry the lookup finds, with its local identifier', async () => {
    const patient = sharingEvent().patient;
    const event = forPatient(patient)({ localPatient: { system: LOCAL_SYSTEM, value: 'MRN-42' }, occurredAt: at('01') });
    expect((await apply([event])).outcomes).toEqual([{ outcome: 'applied' }]);
    const entries = await entriesFor(db, p.pseudonym(patient));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ careProvider: PROVIDER, system: event.system, state: 'active', occurredAt: at('01'), keyId: p.keyId });
    expect(openLocalPatient(entries[0]!, p)).toEqual({ system: LOCAL_SYSTEM, value: 'MRN-42' });
  });

  test('a patient at two providers has two entries; an unknown patient none', async () => {
    const e = forPatient(sharingEvent().patient);
    await apply([e({ careProvider: PROVIDER }), e({ careProvider: OTHER_PROVIDER })]);
    expect((await entriesFor(db, e().pseudonym)).map((x) => x.careProvider).sort()).toEqual([PROVIDER, OTHER_PROVIDER].sort());
    expect(await entriesFor(db, p.pseudonym(sharingEvent().patient))).toEqual([]);
  });

  test('PDI-R1: a batch sent twice changes nothing and writes no second history', async () => {
    const e = forPatient(sharingEvent().patient);
    const batch = [e({ occurredAt: at('01') }), e({ occurredAt: at('02'), eventType: 'ended', endReason: 'record-closed' })];
    await apply(batch);
    const before = await allEntriesFor(db, batch[0]!.pseudonym);
    expect((await apply(batch)).outcomes).toEqual([
      { outcome: 'duplicate', rule: 'PDI-R1' },
      { outcome: 'duplicate', rule: 'PDI-R1' },
    ]);
    expect(await allEntriesFor(db, batch[0]!.pseudonym)).toEqual(before);
    expect(await historyFor(db, batch[0]!.pseudonym)).toHaveLength(2);
  });

  test('PDI-R2 and R10: a late started older than the stored ended is recorded but does not revive the entry', async () => {
    const e = forPatient(sharingEvent().patient);
    await apply([e({ occurredAt: at('05'), eventType: 'ended', endReason: 'patient-objected' })]);
    expect((await apply([e({ occurredAt: at('01'), localPatient: { system: LOCAL_SYSTEM, value: 'MRN-7' } })])).outcomes).toEqual([
      { outcome: 'superseded', rule: 'PDI-R2' },
    ]);
    expect(await entriesFor(db, e().pseudonym)).toEqual([]);
    const [entry] = await allEntriesFor(db, e().pseudonym);
    expect(entry).toMatchObject({ state: 'ended', endReason: 'patient-objected', occurredAt: at('05') });
    expect(entry).not.toHaveProperty('localPatient');
    const history = await historyFor(db, e().pseudonym);
    expect(history.map((h) => [h.eventType, h.occurredAt, h.outcome])).toEqual([
      ['started', at('01'), 'superseded'],
      ['ended', at('05'), 'applied'],
    ]);
    expect(openLocalPatient(history[0]!, p)).toEqual({ system: LOCAL_SYSTEM, value: 'MRN-7' });
  });

  test('PDI-R7: started, ended and started again in one batch end active, each recorded', async () => {
    const e = forPatient(sharingEvent().patient);
    const result = await apply([e({ occurredAt: at('03') }), e({ occurredAt: at('02'), eventType: 'ended', endReason: 'other' }), e({ occurredAt: at('01') })]);
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['applied', 'superseded', 'superseded']);
    expect(await entriesFor(db, e().pseudonym)).toMatchObject([{ state: 'active', occurredAt: at('03') }]);
    expect(await historyFor(db, e().pseudonym)).toHaveLength(3);
  });

  test('an entry moves from active to ended and back as later events arrive', async () => {
    const e = forPatient(sharingEvent().patient);
    await apply([e({ occurredAt: at('01') })]);
    await apply([e({ occurredAt: at('02'), eventType: 'ended', endReason: 'patient-moved' })]);
    expect(await entriesFor(db, e().pseudonym)).toEqual([]);
    await apply([e({ occurredAt: at('03') })]);
    expect(await entriesFor(db, e().pseudonym)).toMatchObject([{ state: 'active', occurredAt: at('03') }]);
  });

  test('a failed batch leaves nothing behind', async () => {
    const e = forPatient(sharingEvent().patient);
    const broken = { ...e({ occurredAt: at('02') }), keyId: null } as unknown as IndexEvent;
    await expect(apply([e({ occurredAt: at('01') }), broken])).rejects.toThrow();
    expect(await allEntriesFor(db, e().pseudonym)).toEqual([]);
    expect(await historyFor(db, e().pseudonym)).toEqual([]);
  });
});

describe('the history is append-only', () => {
  test('updating or deleting history, through the table or a partition, is refused', async () => {
    const e = forPatient(sharingEvent().patient);
    await apply([e({ occurredAt: at('01') })]);
    await expect(db.query(`UPDATE index_event SET outcome = 'superseded'`)).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM index_event')).rejects.toThrow(/append-only/);
    const { rows } = await db.query<{ partition: string }>(
      `SELECT tableoid::regclass::text AS partition FROM index_event WHERE pseudonym = decode($1, 'hex')`,
      [e().pseudonym],
    );
    expect(rows[0]!.partition).toMatch(/^index_event_p\d\d$/);
    // The partition's name comes from the catalogue, not from input.
    await expect(db.query(`DELETE FROM ${rows[0]!.partition}`)).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE index_event')).rejects.toThrow(/append-only/);
    expect(await historyFor(db, e().pseudonym)).toHaveLength(1);
  });
});

describe('table invariants hold whatever writes', () => {
  test('an ended entry without a reason, or with a local identifier, is refused by the table', async () => {
    const pseudonym = `decode('${'ab'.repeat(32)}', 'hex')`;
    await expect(
      db.query(`INSERT INTO index_entry (pseudonym, care_provider, registering_system, key_id, state, occurred_at, digest)
                VALUES (${pseudonym}, 'x', 'y', 'k', 'ended', now(), ${pseudonym})`),
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.query(`INSERT INTO index_entry (pseudonym, care_provider, registering_system, key_id, state, occurred_at, end_reason, local_patient, digest)
                VALUES (${pseudonym}, 'x', 'y', 'k', 'ended', now(), 'other', '\\x01', ${pseudonym})`),
    ).rejects.toThrow(/check constraint/);
  });
});
