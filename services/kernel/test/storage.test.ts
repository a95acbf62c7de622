import { fork } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditEventType } from '../src/audit/audit-type.ts';
import { defineResourceType, lookupExpression } from '../src/fhir/registry.ts';
import { migrate } from '../src/storage/migrate.ts';
import { ensureResourceTables } from '../src/storage/resource-tables.ts';
import { openDb, outsideTransaction, type Db } from '../src/storage/db.ts';
import { enqueue, OutboxDispatcher, type OutboxMessage } from '../src/storage/outbox.ts';
import { ResourceStore } from '../src/storage/resource-store.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase('storage');
  db = await openDb({ connectionString: database.url, schema: 'storage_test', poolSize: 6 });
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mig-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

describe('migrations', () => {
  test('replicas starting together apply each migration exactly once, in order', async () => {
    const dir = await migrationsDir({
      '001_a.sql': 'CREATE TABLE mig_a (n int); INSERT INTO mig_a VALUES (1);',
      '002_b.sql': 'INSERT INTO mig_a SELECT n + 1 FROM mig_a;',
    });
    const others = await Promise.all([1, 2, 3].map(() => openDb({ connectionString: database.url, schema: 'storage_test', poolSize: 1 })));
    const applied = await Promise.all([db, ...others].map((d) => migrate(d, [{ name: 'svc', dir }])));
    await Promise.all(others.map((d) => d.close()));
    expect(applied.flat().sort()).toEqual(['svc/001_a.sql', 'svc/002_b.sql']);
    expect((await db.query('SELECT n FROM mig_a ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 2 }]);
  });

  test('a migration changed after it was applied stops the start', async () => {
    const dir = await migrationsDir({ '001_c.sql': 'CREATE TABLE mig_c (n int);' });
    await migrate(db, [{ name: 'changed', dir }]);
    await writeFile(join(dir, '001_c.sql'), 'CREATE TABLE mig_c (n bigint);');
    await expect(migrate(db, [{ name: 'changed', dir }])).rejects.toThrow(/changed after it was applied/);
  });

  test('a failing migration leaves nothing behind', async () => {
    const dir = await migrationsDir({ '001_ok.sql': 'CREATE TABLE mig_ok (n int);', '002_bad.sql': 'CREATE TABLE mig_bad (n nonsense_type);' });
    await expect(migrate(db, [{ name: 'failing', dir }])).rejects.toThrow();
    expect((await db.query("SELECT to_regclass('mig_ok') AS t")).rows[0]!.t).toBeNull();
    expect((await db.query("SELECT count(*)::int AS n FROM schema_migrations WHERE source = 'failing'")).rows[0]!.n).toBe(0);
  });
});

describe('pooled connections', () => {
  // With one connection, a transaction that waited for a second would hang for ever: the guard
  // must refuse it at once (the test would time out otherwise).
  let single: Db;
  beforeAll(async () => {
    single = await openDb({ connectionString: database.url, schema: 'storage_test', poolSize: 1 });
  });
  afterAll(() => single.close());

  test('a transaction that asks the pool for a second connection is refused at once and rolls back', async () => {
    await single.query('CREATE TABLE IF NOT EXISTS pool_guard (n int)');
    await expect(
      single.transaction(async (tx) => {
        await tx.query('INSERT INTO pool_guard VALUES ($1)', [1]);
        await single.query('SELECT count(*) FROM pool_guard WHERE n = $1', [1]);
      }),
    ).rejects.toThrow(/inside a transaction/);
    await expect(single.transaction(async () => single.transaction(async () => 1))).rejects.toThrow(/inside a transaction/);
    expect((await single.query('SELECT count(*)::int AS n FROM pool_guard')).rows[0]!.n).toBe(0);
  });

  test('work a transaction starts without waiting for it, and work after it ends, may use the pool', async () => {
    let woken: Promise<unknown> | undefined;
    let after: Promise<unknown> = Promise.resolve();
    await single.transaction(async (tx) => {
      await tx.query('SELECT 1');
      woken = outsideTransaction(() => new Promise((r) => setTimeout(r, 20)).then(() => single.query('SELECT 2 AS n')));
      after = new Promise((r) => setTimeout(r, 20)).then(() => single.query('SELECT 3 AS n'));
    });
    expect(((await woken) as { rows: unknown[] }).rows).toEqual([{ n: 2 }]);
    expect(((await after) as { rows: unknown[] }).rows).toEqual([{ n: 3 }]);
  });
});

describe('outbox', () => {
  beforeAll(async () => {
    const kernel = fileURLToPath(new URL('../migrations', import.meta.url));
    await migrate(db, [{ name: 'kernel', dir: kernel }]);
  });

  test('a message leaves only if its transaction commits', async () => {
    await expect(
      db.transaction(async (tx) => {
        await enqueue(tx, 'test.rolled-back', { n: 1 });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await db.transaction((tx) => enqueue(tx, 'test.committed', { n: 2 }));
    const { rows } = await db.query("SELECT topic FROM outbox WHERE topic LIKE 'test.%'");
    expect(rows.map((r) => r.topic)).toEqual(['test.committed']);
  });

  test('delivery is retried with backoff after a failure, and recorded once it succeeds', async () => {
    await db.transaction((tx) => enqueue(tx, 'test.flaky', { n: 3 }));
    const seen: OutboxMessage[] = [];
    let fail = true;
    const d = new OutboxDispatcher(
      db,
      {
        'test.flaky': async (m) => {
          seen.push(m);
          if (fail) throw new Error('receiver down');
        },
      },
      { backoffMs: () => 0 },
    );
    expect(await d.drain()).toBe(0);
    const failed = (await db.query("SELECT attempts, last_error, delivered_at FROM outbox WHERE topic = 'test.flaky'")).rows[0];
    expect(failed).toMatchObject({ attempts: 1, last_error: 'receiver down', delivered_at: null });
    fail = false;
    expect(await d.drain()).toBe(1);
    const done = (await db.query("SELECT attempts, last_error, delivered_at FROM outbox WHERE topic = 'test.flaky'")).rows[0]!;
    expect(done.attempts).toBe(2);
    expect(done.delivered_at).not.toBeNull();
    expect(seen.map((m) => m.payload)).toEqual([{ n: 3 }, { n: 3 }]);
    expect(await d.drain()).toBe(0);
  });

  test('handlers run with no transaction held, and a lease that ran out is delivered again', async () => {
    const single = await openDb({ connectionString: database.url, schema: 'storage_test', poolSize: 1 });
    try {
      // One connection: a handler that uses the pool would wait for ever if the claim held it.
      await single.transaction((tx) => enqueue(tx, 'test.pooled', { n: 4 }));
      const used = new OutboxDispatcher(single, { 'test.pooled': async () => void (await single.query('SELECT 1')) });
      expect(await used.drain()).toBe(1);

      // A dispatcher that claims a message and never finishes (a process that stopped): once its
      // lease runs out, another delivers the message.
      await single.transaction((tx) => enqueue(tx, 'test.leased', { n: 5 }));
      let release!: () => void;
      const stuck = new OutboxDispatcher(single, { 'test.leased': () => new Promise<void>((r) => (release = r)) }, { leaseMs: 200 });
      const stuckRun = stuck.drain();
      const delivered: unknown[] = [];
      const other = new OutboxDispatcher(single, { 'test.leased': async (m) => void delivered.push(m.payload) });
      await new Promise((r) => setTimeout(r, 50));
      expect(await other.drain()).toBe(0);
      await new Promise((r) => setTimeout(r, 250));
      expect(await other.drain()).toBe(1);
      expect(delivered).toEqual([{ n: 5 }]);
      release();
      await stuckRun;
    } finally {
      await single.close();
    }
  });
});

describe('a process killed in the middle of a write', () => {
  test('leaves no partial resource, audit or outbox row', async () => {
    const child = fork(fileURLToPath(new URL('./support/write-then-hang.ts', import.meta.url)), [database.url], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const written = await new Promise<{ id: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { id: string }));
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    // The child has written the resource, its history, its audit and its outbox row, uncommitted.
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const check = await openDb({ connectionString: database.url, schema: 'crash_test', poolSize: 1 });
    try {
      const count = async (sql: string, values: unknown[] = [written.id]) => Number((await check.query<{ n: string }>(sql, values)).rows[0]!.n);
      // Wait for the server to notice the dead connection and roll its transaction back.
      for (let i = 0; i < 50 && (await count("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'crash-writer'", [])) > 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(await count('SELECT count(*) AS n FROM res_organization WHERE id = $1')).toBe(0);
      expect(await count('SELECT count(*) AS n FROM res_organization_history WHERE id = $1')).toBe(0);
      expect(await count("SELECT count(*) AS n FROM res_auditevent WHERE content::text LIKE '%' || $1 || '%'")).toBe(0);
      expect(await count("SELECT count(*) AS n FROM outbox WHERE payload->>'id' = $1")).toBe(0);
    } finally {
      await check.close();
    }
  });
});

describe('resource tables', () => {
  const indexesOf = async (table: string) =>
    (await db.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1', [table])).rows
      .map((r) => r.indexname)
      .sort();

  test("an unindexed search parameter keeps its column but no index, and an earlier version's index is dropped", async () => {
    const indexed = defineResourceType({ type: 'Basic', interactions: ['read'], searchParams: ['code', 'author'] });
    await db.transaction((tx) => ensureResourceTables(tx, [indexed]));
    expect(await indexesOf('res_basic')).toContain('res_basic_sp_code_idx');
    const lean = defineResourceType({ ...indexed, unindexed: ['code'] });
    await db.transaction((tx) => ensureResourceTables(tx, [lean]));
    const after = await indexesOf('res_basic');
    expect(after).not.toContain('res_basic_sp_code_idx');
    expect(after).toContain('res_basic_sp_author_idx');
    const columns = await db.query(
      "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'res_basic' AND column_name = 'sp_code'",
    );
    expect(columns.rowCount).toBe(1);
    expect(() => defineResourceType({ ...indexed, unindexed: ['status'] })).toThrow(/unindexed status/);
  });

  test('a lookup parameter is found by its exact key through a btree index, with one plan for every value', async () => {
    const flags = defineResourceType({ type: 'Flag', interactions: ['read'], searchParams: ['identifier', 'patient'], lookups: ['identifier'] });
    await db.transaction((tx) => ensureResourceTables(tx, [flags]));
    expect(await indexesOf('res_flag')).toEqual(expect.arrayContaining(['res_flag_sp_identifier_idx', 'res_flag_sp_identifier_lookup_idx']));
    const store = new ResourceStore();
    await db.transaction(async (tx) => {
      for (let i = 0; i < 200; i++)
        await store.create(tx, flags, {
          resourceType: 'Flag',
          status: 'active',
          code: { text: 'x' },
          subject: { reference: 'Patient/p' },
          identifier: [{ system: 'urn:s', value: `v${i}` }],
        });
      await tx.query('ANALYZE res_flag');
    });
    const sql = `SELECT content->'identifier'->0->>'value' AS value FROM res_flag WHERE ${lookupExpression(flags, 'identifier')} = $1`;
    // The exact key: not the system alone (`urn:s|`) nor the value under any system (`*|v7`), which the column also holds.
    const found = async (key: string) => (await db.query<{ value: string }>(sql, [key])).rows.map((r) => r.value);
    expect(await found('urn:s|v7')).toEqual(['v7']);
    expect(await found('urn:s|')).toEqual([]);
    expect(await found('*|v7')).toEqual([]);
    // A prepared statement plans an equality on the btree generically after its first custom plans
    // (a GIN overlap would be planned afresh on every call), and that plan uses the index.
    await db.transaction(async (tx) => {
      await tx.query(`PREPARE lookup_plan(text) AS ${sql.replace('$1', '$1::text')}`);
      for (let i = 0; i < 7; i++) await tx.query(`EXECUTE lookup_plan('urn:s|v${i}')`);
      const { rows } = await tx.query<{ generic_plans: number }>("SELECT generic_plans::int FROM pg_prepared_statements WHERE name = 'lookup_plan'");
      expect(rows[0]!.generic_plans).toBeGreaterThan(0);
      const plan = (await tx.query<{ 'QUERY PLAN': string }>("EXPLAIN EXECUTE lookup_plan('urn:s|v3')")).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/res_flag_sp_identifier_lookup_idx/);
      await tx.query('DEALLOCATE lookup_plan');
    });
    expect(() => defineResourceType({ type: 'Flag', interactions: ['read'], searchParams: ['date'], lookups: ['date'] })).toThrow(/lookup date/);
    expect(() => lookupExpression(flags, 'patient')).toThrow(/not declared a lookup/);
  });

  test('resource JSON is compressed with lz4 where the server has it, and stays so on the next start', async () => {
    const type = defineResourceType({ type: 'Library', interactions: ['read'] });
    await db.transaction((tx) => ensureResourceTables(tx, [type]));
    await db.transaction((tx) => ensureResourceTables(tx, [type]));
    const { rows: settings } = await db.query<{ lz4: boolean }>(
      "SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'",
    );
    const { rows } = await db.query<{ table: string; method: string }>(
      `SELECT c.relname AS table, a.attcompression AS method FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relname IN ('res_library', 'res_library_history') AND a.attname = 'content'`,
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.method).toBe(settings[0]!.lz4 ? 'l' : '');
  });

  test('the audit trail indexes who and whom, not its handful of actions and outcomes', async () => {
    await db.transaction((tx) => ensureResourceTables(tx, [auditEventType()]));
    const indexes = await indexesOf('res_auditevent');
    for (const column of ['patient_identifier', 'agent_identifier', 'entity', 'date']) expect(indexes).toContain(`res_auditevent_sp_${column}_idx`);
    for (const column of ['action', 'outcome', 'subtype']) expect(indexes).not.toContain(`res_auditevent_sp_${column}_idx`);
  });
});
