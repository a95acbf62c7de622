import type { ServiceDefinition } from '../src/service.ts';
import { PERSONNUMMER_SYSTEM, syntheticPersonnummer } from '../src/identifiers/index.ts';
import { startTestService, type TestService } from '../src/testing/index.ts';
import { createPatient, personalPatients } from './support/personal-data.ts';

// A read of personal data is answered only after its AuditEvent has committed: the record is
// there when the answer arrives, an answer waits while its record cannot be written, and when the
// record fails the read fails (5xx) without the data.
const personal: ServiceDefinition = {
  name: 'audit-release-test',
  title: 'Audit before release',
  description: 'A kernel service holding personal data',
  defaultPort: 0,
  resourceTypes: [personalPatients(['read', 'vread', 'search-type', 'create', 'history-instance'])],
  operations: () => [
    {
      name: 'peek',
      level: 'system',
      affectsState: false,
      readOnly: true,
      documentation: 'A read-only operation that audits through its auditRead before it answers.',
      handler: async ({ auditRead }) => {
        await auditRead({ interaction: 'operation', action: 'E', outcome: 'success', description: '$peek' });
        return { status: 200, body: { resourceType: 'Parameters', parameter: [{ name: 'peeked', valueBoolean: true }] } };
      },
    },
  ],
};

let svc: TestService;
const pnr = syntheticPersonnummer();
let id: string;
beforeAll(async () => {
  svc = await startTestService(personal);
  id = await createPatient(svc, pnr, 'Släppsson');
});
afterAll(async () => svc?.close());

/** Committed AuditEvents of this interaction, straight from the table (what a crash would leave). */
const audited = async (subtype: string, what?: string): Promise<number> =>
  (
    await svc.kernel.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM res_auditevent WHERE content->'subtype'->0->>'code' = $1 AND ($2::text IS NULL OR content->'entity'->0->'what'->>'reference' = $2)`,
      [subtype, what ?? null],
    )
  ).rows[0]!.n;

const reads: [string, string, () => string][] = [
  ['read', 'read', () => `/fhir/Patient/${id}`],
  ['vread', 'vread', () => `/fhir/Patient/${id}/_history/1`],
  ['search', 'search-type', () => `/fhir/Patient?identifier=${PERSONNUMMER_SYSTEM}|${pnr}`],
  ['history', 'history-instance', () => `/fhir/Patient/${id}/_history`],
];

test.each(reads)('a %s has its AuditEvent committed when the answer arrives', async (_name, subtype, url) => {
  const before = await audited(subtype);
  await svc.http.get(url()).expect(200);
  expect(await audited(subtype)).toBe(before + 1);
});

test('concurrent reads are each audited before their answer', async () => {
  const before = await audited('read', `Patient/${id}`);
  const counts = await Promise.all(
    Array.from({ length: 12 }, async () => {
      await svc.http.get(`/fhir/Patient/${id}`).expect(200);
      return audited('read', `Patient/${id}`);
    }),
  );
  // Every answer found at least its own record (and all earlier ones) already committed.
  for (const n of counts) expect(n).toBeGreaterThan(before);
  expect(await audited('read', `Patient/${id}`)).toBe(before + 12);
});

test('an answer waits while its audit record cannot be written', async () => {
  const locker = await svc.kernel.db.pool.connect();
  let answered = false;
  let pending: Promise<{ status: number }> | undefined;
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE res_auditevent IN EXCLUSIVE MODE'); // blocks INSERT, not SELECT
    pending = svc.http.get(`/fhir/Patient/${id}`).then((r) => {
      answered = true;
      return r;
    });
    // Wait until the read's audit INSERT is the one blocked on the lock ...
    for (;;) {
      const { rows } = await svc.kernel.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"res_auditevent\"%'",
      );
      if (rows[0]!.n > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    // ... and a full round trip to the same server later, the read has still not answered.
    await svc.http.get('/health').expect(200);
    expect(answered).toBe(false);
  } finally {
    await locker.query('COMMIT');
    locker.release();
  }
  expect((await pending!).status).toBe(200);
  expect(answered).toBe(true);
});

describe('when the audit record cannot be written', () => {
  beforeAll(async () => {
    // Every new AuditEvent is refused; the rows already there stay valid.
    await svc.kernel.db.query('ALTER TABLE res_auditevent ADD CONSTRAINT refuse_all CHECK (false) NOT VALID');
  });
  afterAll(async () => {
    await svc.kernel.db.query('ALTER TABLE res_auditevent DROP CONSTRAINT refuse_all');
  });

  test.each(reads)('a %s answers 5xx with an OperationOutcome and none of the data', async (_name, _subtype, url) => {
    const res = await svc.http.get(url());
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(pnr);
    expect(text).not.toContain(id);
    expect(text).not.toContain('Släppsson');
  });

  test('a read-only operation auditing through auditRead answers 5xx, not its result', async () => {
    const res = await svc.http.get('/fhir/$peek');
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});

test('after a failed audit, reads are audited and answered again', async () => {
  const before = await audited('read');
  const res = await svc.http.get(`/fhir/Patient/${id}`).expect(200);
  expect(res.body.id).toBe(id);
  expect(await audited('read')).toBe(before + 1);
});

test('a read-only operation audits through auditRead before it answers', async () => {
  const before = await audited('operation');
  await svc.http.get('/fhir/$peek').expect(200);
  expect(await audited('operation')).toBe(before + 1);
});

test("a read inside a transaction Bundle is audited in the Bundle's transaction", async () => {
  const before = await audited('read', `Patient/${id}`);
  const res = await svc.http
    .post('/fhir')
    .set('content-type', 'application/fhir+json')
    .send(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'GET', url: `Patient/${id}` } }] }))
    .expect(200);
  expect(res.body.entry[0].resource.id).toBe(id);
  expect(await audited('read', `Patient/${id}`)).toBe(before + 1);
});

test('a read inside a batch Bundle is audited before the batch answers', async () => {
  const before = await audited('read', `Patient/${id}`);
  await svc.http
    .post('/fhir')
    .set('content-type', 'application/fhir+json')
    .send(JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${id}` } }] }))
    .expect(200);
  expect(await audited('read', `Patient/${id}`)).toBe(before + 1);
});

test('a read-only operation is answered in a batch Bundle, and refused in a transaction Bundle, which it could only hold up', async () => {
  const bundle = (type: string) =>
    svc.http
      .post('/fhir')
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Bundle', type, entry: [{ request: { method: 'GET', url: '$peek' } }] }));
  const before = await audited('operation');
  const batch = await bundle('batch').expect(200);
  expect(batch.body.entry[0].response.status).toBe('200');
  expect(await audited('operation')).toBe(before + 1);
  const refused = await bundle('transaction').expect(400);
  expect(refused.body.issue[0].diagnostics).toMatch(/\$peek runs outside any transaction/);
  expect(await audited('operation')).toBe(before + 1);
});
