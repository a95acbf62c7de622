import type { AuditFacts } from '../src/audit/audit-event.ts';
import { AuditTrail, MAX_ROWS_PER_FLUSH } from '../src/audit/audit-trail.ts';
import { auditEventType } from '../src/audit/audit-type.ts';
import { FhirError } from '../src/errors/index.ts';
import type { RequestContext } from '../src/http/context.ts';
import { PERSONNUMMER_SYSTEM } from '../src/identifiers/index.ts';
import { openDb, type Db } from '../src/storage/db.ts';
import { ensureResourceTables } from '../src/storage/resource-tables.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

// Reads are audited before their answer is released, by group commit: records that arrive while
// a flush runs go together in the next one, one INSERT, and each caller learns when its own
// record has committed, or that it failed.
const type = auditEventType();
const ctx: RequestContext = {
  requestId: 'req-1',
  fhirBase: 'http://127.0.0.1:8080/fhir',
  caller: { authenticated: true, trustMarks: [], entityId: 'https://journal.example.se', organisation: { hsaId: 'SE2321000016-A1B2' } },
};
const readOf = (marker: string): AuditFacts => ({
  interaction: 'read',
  action: 'R',
  outcome: 'success',
  what: 'Patient/p1',
  patients: [{ system: PERSONNUMMER_SYSTEM, value: '191212121212' }],
  description: marker,
});

let database: TestDatabase;
let db: Db;
/** Rows of each INSERT the trail sent, in order. */
let inserts: number[];
/** The database as the trail sees it: every statement counted. */
let counted: Db;

beforeAll(async () => {
  database = await createTestDatabase('audit-trail');
  db = await openDb({ connectionString: database.url, schema: 'audit_trail_test', poolSize: 6 });
  await db.transaction((tx) => ensureResourceTables(tx, [type]));
  counted = {
    ...db,
    query: (text, values, options) => {
      if (text.startsWith('INSERT')) inserts.push(text.split('), (').length);
      return db.query(text, values, options);
    },
  };
});
beforeEach(() => {
  inserts = [];
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const stored = async (marker: string): Promise<number> =>
  (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM res_auditevent WHERE content->>'outcomeDesc' = $1", [marker])).rows[0]!.n;

test('concurrent reads share INSERTs, and each record is stored when its promise resolves', async () => {
  const trail = new AuditTrail(counted, 'audit-trail-test', type);
  const markers = Array.from({ length: 40 }, (_, i) => `concurrent-${i}`);
  const seenOnResolve = await Promise.all(markers.map((m) => trail.beforeRelease(ctx, readOf(m)).then(() => stored(m))));
  expect(seenOnResolve).toEqual(markers.map(() => 1));
  expect(inserts.length).toBeGreaterThan(0);
  expect(inserts.length).toBeLessThan(markers.length);
  expect(inserts.reduce((a, b) => a + b, 0)).toBe(markers.length);
  await trail.close();
});

test(`a flush carries at most ${MAX_ROWS_PER_FLUSH} records`, async () => {
  const trail = new AuditTrail(counted, 'audit-trail-test', type);
  const markers = Array.from({ length: 3 * MAX_ROWS_PER_FLUSH }, (_, i) => `many-${i}`);
  await Promise.all(markers.map((m) => trail.beforeRelease(ctx, readOf(m))));
  expect(Math.max(...inserts)).toBe(MAX_ROWS_PER_FLUSH);
  expect(inserts.reduce((a, b) => a + b, 0)).toBe(markers.length);
  expect((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM res_auditevent WHERE content->>'outcomeDesc' LIKE 'many-%'")).rows[0]!.n).toBe(
    markers.length,
  );
  await trail.close();
});

test('the stored record is the AuditEvent, searchable by patient, agent, subtype and date', async () => {
  const trail = new AuditTrail(counted, 'audit-trail-test', type);
  await trail.beforeRelease(ctx, readOf('columns'));
  const { rows } = await db.query<{ content: { resourceType: string; id: string; meta: { versionId: string } }; version_id: number; matches: boolean }>(
    `SELECT content, version_id,
            sp_patient_identifier && $2::text[] AND sp_agent_identifier && $3::text[] AND sp_subtype && $4::text[]
            AND sp_date_lo <= now() AND sp_date_hi > now() - interval '1 hour' AS matches
       FROM res_auditevent WHERE content->>'outcomeDesc' = $1`,
    ['columns', [`${PERSONNUMMER_SYSTEM}|191212121212`], ['urn:oid:1.2.752.129.2.1.4.1|SE2321000016-A1B2'], ['http://hl7.org/fhir/restful-interaction|read']],
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]!.matches).toBe(true);
  expect(rows[0]!.version_id).toBe(1);
  expect(rows[0]!.content).toMatchObject({ resourceType: 'AuditEvent', meta: { versionId: '1' } });
  await trail.close();
});

describe('a failing INSERT', () => {
  beforeAll(async () => {
    // Only the record marked `poison` is refused by the table; its whole flush fails with it.
    await db.query("ALTER TABLE res_auditevent ADD CONSTRAINT refuse_poison CHECK (content->>'outcomeDesc' IS DISTINCT FROM 'poison') NOT VALID");
  });
  afterAll(async () => {
    await db.query('ALTER TABLE res_auditevent DROP CONSTRAINT refuse_poison');
  });

  test('rejects every waiter of that flush, stores none of its records, and a later flush still works', async () => {
    const trail = new AuditTrail(counted, 'audit-trail-test', type);
    const lead = trail.beforeRelease(ctx, readOf('lead')); // no flush running: flushed at once, alone
    const joined = ['joined-a', 'poison', 'joined-b'].map((m) => trail.beforeRelease(ctx, readOf(m))); // arrive while it runs
    await expect(lead).resolves.toBeUndefined();
    const results = await Promise.allSettled(joined);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: '23514' });
    expect(inserts).toEqual([1, 3]);
    expect([await stored('lead'), await stored('joined-a'), await stored('poison'), await stored('joined-b')]).toEqual([1, 0, 0, 0]);

    await expect(trail.beforeRelease(ctx, readOf('after'))).resolves.toBeUndefined();
    expect(await stored('after')).toBe(1);
    await trail.close();
  });
});

test('close() waits for every queued record, and refuses reads after it', async () => {
  const trail = new AuditTrail(counted, 'audit-trail-test', type);
  const markers = Array.from({ length: 10 }, (_, i) => `closing-${i}`);
  const settled: string[] = [];
  const pending = markers.map((m) => trail.beforeRelease(ctx, readOf(m)).then(() => void settled.push(m)));
  await trail.close();
  expect(settled.sort()).toEqual([...markers].sort());
  expect(await Promise.all(markers.map(stored))).toEqual(markers.map(() => 1));
  await Promise.all(pending);

  const late = trail.beforeRelease(ctx, readOf('late'));
  await expect(late).rejects.toBeInstanceOf(FhirError);
  await expect(late).rejects.toMatchObject({ status: 503 });
  expect(await stored('late')).toBe(0);
});

test("write() stores the record in the caller's transaction: rolled back with it", async () => {
  const trail = new AuditTrail(counted, 'audit-trail-test', type);
  await expect(
    db.transaction(async (tx) => {
      await trail.write(tx, ctx, { ...readOf('rolled-back'), interaction: 'create', action: 'C' });
      throw new Error('the write failed after its audit');
    }),
  ).rejects.toThrow('the write failed after its audit');
  expect(await stored('rolled-back')).toBe(0);
  await db.transaction((tx) => trail.write(tx, ctx, { ...readOf('committed'), interaction: 'create', action: 'C' }));
  expect(await stored('committed')).toBe(1);
});
