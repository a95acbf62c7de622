import { PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM, SKATTEVERKET_TEST_SAMORDNINGSNUMMER, type Db } from '@ndi-mesh/kernel';
import { toIndexEvent } from '../../src/domain/index-event.ts';
import type { SharingEvent } from '../../src/domain/sharing-event.ts';
import { applyEvents } from '../../src/store/index-store.ts';
import { LOCAL_SYSTEM, newPseudonymiser, nextPatient, sharingEvent } from '../domain/fixtures.ts';
import { HOLDER_A, HOLDER_B } from '../support/actors.ts';
import { consentRevoke, optOut, outerBlockOf } from '../support/blocks.ts';
import { startPdiMesh } from '../support/mesh.ts';
import { indexDatabase, SCHEMA } from './database.ts';

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await indexDatabase('pdi_pseudonyms'));
});
afterAll(async () => close?.());

const p = newPseudonymiser();
type Patient = { system: string; value: string };

/** Every way a national identifier is commonly written: 12 digits, 10 digits, with a hyphen. */
function forms(value: string): string[] {
  const ten = value.slice(2);
  return [value, ten, `${value.slice(0, 8)}-${value.slice(8)}`, `${ten.slice(0, 6)}-${ten.slice(6)}`];
}

interface Hit {
  table: string;
  column: string;
  needle: string;
}

/**
 * Looks for each needle in every column of every table in the schema (partitions included):
 * text, varchar, json and jsonb as text; bytea byte for byte; any other type as its text form.
 */
async function scan(
  needles: readonly string[],
  on: { db: Db; schema: string } = { db, schema: SCHEMA },
): Promise<{ hits: Hit[]; columns: number; tables: string[] }> {
  const { rows: columns } = await on.db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE' ORDER BY 1, 2`,
    [on.schema],
  );
  const hits: Hit[] = [];
  for (const col of columns) {
    // Table and column names come from the catalogue, quoted; the needles are parameters.
    const target = `"${col.table_name.replace(/"/g, '""')}"`;
    const column = `"${col.column_name.replace(/"/g, '""')}"`;
    const test = col.data_type === 'bytea' ? `position(convert_to(n, 'UTF8') in t.${column}) > 0` : `strpos(t.${column}::text, n) > 0`;
    const { rows } = await on.db.query<{ needle: string }>(`SELECT DISTINCT n AS needle FROM ${target} t, unnest($1::text[]) AS n WHERE ${test}`, [needles]);
    for (const r of rows) hits.push({ table: col.table_name, column: col.column_name, needle: r.needle });
  }
  return { hits, columns: columns.length, tables: [...new Set(columns.map((c) => c.table_name))] };
}

test('no table holds a national identifier after events are loaded (PDI-R9)', async () => {
  const samordningsnummer = SKATTEVERKET_TEST_SAMORDNINGSNUMMER.slice(0, 100);
  const events: SharingEvent[] = [];
  for (let i = 0; i < 300; i++) {
    const patient = i % 3 === 0 ? { system: SAMORDNINGSNUMMER_SYSTEM, value: samordningsnummer[i / 3]! } : sharingEvent().patient;
    // Some providers use the personnummer itself, written their own way, as the local id.
    const localPatient =
      i % 4 === 0 ? { system: LOCAL_SYSTEM, value: `${patient.value.slice(0, 8)}-${patient.value.slice(8)}` } : { system: LOCAL_SYSTEM, value: `MRN-${i}` };
    events.push(sharingEvent({ patient, localPatient, occurredAt: '2026-02-01T08:00:00.000Z' }));
    if (i % 2 === 0) events.push(sharingEvent({ patient, eventType: 'ended', endReason: 'patient-moved', occurredAt: '2026-02-02T08:00:00.000Z' }));
  }
  await db.transaction((tx) =>
    applyEvents(
      tx,
      events.map((e) => toIndexEvent(e, p)),
    ),
  );
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM index_event');
  expect(rows[0]!.n).toBe(events.length);

  const needles = [...new Set(events.flatMap((e) => forms(e.patient.value)))];
  const { hits, columns } = await scan(needles);
  expect(columns).toBeGreaterThan(100); // both tables and the history's 16 partitions were scanned
  expect(hits).toEqual([]);
  // Nor the local identifiers: they are sealed.
  expect((await scan(['MRN-1', 'MRN-299'])).hits).toEqual([]);
});

test("no table holds a national identifier after the copy of the block register took the registry's blocks (PDI-R9)", async () => {
  const mesh = await startPdiMesh();
  try {
    const patients = [nextPatient(), nextPatient(), { system: SAMORDNINGSNUMMER_SYSTEM, value: SKATTEVERKET_TEST_SAMORDNINGSNUMMER.at(-1)! }, nextPatient()];
    const [blocked, optingOut, coordinated, lifted] = patients as [Patient, Patient, Patient, Patient];
    const block = await mesh.register(blocked, outerBlockOf(blocked, HOLDER_A));
    await mesh.register(blocked, consentRevoke(blocked, HOLDER_B, [block.id!], new Date(Date.now() + 86_400_000).toISOString()));
    await mesh.register(optingOut, optOut(optingOut));
    await mesh.register(coordinated, outerBlockOf(coordinated, HOLDER_B));
    const cancelled = await mesh.register(lifted, outerBlockOf(lifted, HOLDER_A));
    await mesh.cancel(lifted, cancelled.id!);

    const index = { db: mesh.pdi.kernel.db, schema: mesh.pdi.kernel.settings.schema };
    // Every version the registry sent is held: five Consents, the cancelled one as its tombstone.
    const { rows } = await index.db.query<{ n: number; active: number }>(
      'SELECT count(*)::int AS n, count(*) FILTER (WHERE active)::int AS active FROM local_block',
    );
    expect(rows[0]).toEqual({ n: 5, active: 4 });
    const { hits, tables } = await scan([...new Set(patients.flatMap((p) => forms(p.value)))], index);
    expect(tables).toEqual(expect.arrayContaining(['local_block', 'local_block_cursor']));
    expect(hits).toEqual([]);
  } finally {
    await mesh.close();
  }
});

test('the scan finds an identifier where one is stored (so the test above can fail)', async () => {
  const planted = sharingEvent().patient.value;
  await db.query('CREATE TABLE scan_control (note text, raw bytea, doc jsonb)');
  try {
    await db.query("INSERT INTO scan_control VALUES ($1, NULL, NULL), (NULL, convert_to($2, 'UTF8'), NULL), (NULL, NULL, $3)", [
      `patient ${planted.slice(2, 8)}-${planted.slice(8)}`,
      planted,
      JSON.stringify({ identifier: { system: PERSONNUMMER_SYSTEM, value: planted } }),
    ]);
    const { hits } = await scan(forms(planted));
    expect([...new Set(hits.map((h) => h.column))].sort()).toEqual(['doc', 'note', 'raw']);
  } finally {
    await db.query('DROP TABLE scan_control');
  }
});
