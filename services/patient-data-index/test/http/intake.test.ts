import { PURPOSE, type BasisInput } from '@ndi-mesh/kernel';
import type { TestService } from '@ndi-mesh/kernel/testing';
import { allEntriesFor, historyFor } from '../../src/store/index-store.ts';
import { Pseudonymiser } from '../../src/domain/pseudonym.ts';
import { nextPatient, OTHER_PROVIDER, parameters, PROVIDER, sharingEvent } from '../domain/fixtures.ts';
import { as, code, startPdiMesh, type PdiMesh } from '../support/mesh.ts';

// Intake over HTTP: real tokens from a real anchor, a real PostgreSQL database.
let mesh: PdiMesh;
let ehr: TestService;
let national: TestService;
let pseudonymiser: Pseudonymiser;
const reporting: BasisInput = { organisation: { hsaId: PROVIDER, name: 'Region Test' }, purposeOfUse: PURPOSE.administration };

beforeAll(async () => {
  mesh = await startPdiMesh();
  ehr = await mesh.caller('ehr', ['care-provider-system'], PROVIDER);
  national = await mesh.caller('national', ['national-service']);
  // The index's own key, to look at what it stored (the test reads the store, not the API).
  const { loadPseudonymiser } = await import('../../src/domain/pseudonym-key.ts');
  pseudonymiser = (await loadPseudonymiser({ dataDir: mesh.pdi.kernel.settings.dataDir })).pseudonymiser;
});
afterAll(async () => mesh?.close());

const ehrCalls = () => as(ehr, mesh.pdi, reporting);
const entries = (patient: { system: string; value: string }) => allEntriesFor(mesh.pdi.kernel.db, pseudonymiser.pseudonym(patient));

describe('$sharing-event', () => {
  test('a started event is applied; the same event again is a duplicate (PDI-R1)', async () => {
    const event = parameters();
    const first = await ehrCalls().post('/fhir/$sharing-event', event);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: 'applied' }] });
    const again = await ehrCalls().post('/fhir/$sharing-event', event);
    expect(again.body.parameter).toEqual([
      { name: 'outcome', valueCode: 'duplicate' },
      { name: 'rule', valueCode: 'PDI-R1' },
    ]);
    const patient = event.parameter![0]!.valueIdentifier as { system: string; value: string };
    expect(await entries(patient)).toMatchObject([{ careProvider: PROVIDER, state: 'active' }]);
  });

  test('order-tolerant: an ended that arrives first wins over an older started that arrives late (PDI-R2)', async () => {
    const patient = nextPatient();
    const ended = await ehrCalls().post(
      '/fhir/$sharing-event',
      parameters({ patient, eventType: 'ended', endReason: 'patient-moved', occurredAt: '2026-03-02T08:00:00.000Z' }),
    );
    expect(ended.body.parameter[0].valueCode).toBe('applied');
    const late = await ehrCalls().post('/fhir/$sharing-event', parameters({ patient, occurredAt: '2026-03-01T08:00:00.000Z' }));
    expect(late.body.parameter).toEqual([
      { name: 'outcome', valueCode: 'superseded' },
      { name: 'rule', valueCode: 'PDI-R2' },
    ]);
    expect(await entries(patient)).toMatchObject([{ state: 'ended', endReason: 'patient-moved' }]);
    expect(await historyFor(mesh.pdi.kernel.db, pseudonymiser.pseudonym(patient))).toHaveLength(2);
  });

  test.each([
    ['an invalid personnummer', () => parameters({ patient: { system: 'urn:oid:1.2.752.129.2.1.3.1', value: '199309132381' } }), 400, 'MESH-ID-001'],
    ['an invalid samordningsnummer', () => parameters({ patient: { system: 'urn:oid:1.2.752.129.2.1.3.3', value: '199309732381' } }), 400, 'MESH-ID-002'],
    ["an HSA-id that is not the caller's", () => parameters({ careProvider: OTHER_PROVIDER }), 403, 'MESH-AUTH-005'],
    ['an ended without a reason', () => parameters({ eventType: 'ended' }), 400, 'MESH-PDI-002'],
    ['a time in the future', () => parameters({ occurredAt: new Date(Date.now() + 3_600_000).toISOString() }), 400, 'MESH-PDI-005'],
    ['a body that is no Parameters', () => ({ resourceType: 'Bundle' }), 400, 'MESH-OP-001'],
  ])('%s is refused with a clear code and nothing is stored', async (_what, body, status, expected) => {
    const res = await ehrCalls().post('/fhir/$sharing-event', body());
    expect(res.status).toBe(status);
    expect(code(res.body)).toBe(expected);
    expect(JSON.stringify(res.body)).not.toContain('199309132381');
  });

  test('an unknown event type is refused (MESH-PDI-001) and the issue names the parameter', async () => {
    const body = parameters();
    const at = body.parameter!.findIndex((p) => p.name === 'eventType');
    body.parameter![at] = { name: 'eventType', valueCode: 'paused' };
    const res = await ehrCalls().post('/fhir/$sharing-event', body);
    expect(res.status).toBe(400);
    expect(code(res.body)).toBe('MESH-PDI-001');
    expect(res.body.issue[0].expression).toEqual([`Parameters.parameter[${at}].valueCode`]);
  });

  test('without a token: 401; a national service is no care provider system: 403, audited', async () => {
    const anonymous = await fetch(`${mesh.pdi.url}/fhir/$sharing-event`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(parameters()),
    });
    expect(anonymous.status).toBe(401);
    const res = await as(national, mesh.pdi, { organisation: { hsaId: PROVIDER }, purposeOfUse: PURPOSE.administration }).post(
      '/fhir/$sharing-event',
      parameters(),
    );
    expect(res.status).toBe(403);
    expect(code(res.body)).toBe('MESH-AUTH-003');
    const { rows } = await mesh.pdi.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM res_auditevent WHERE content->>'outcome' = '4'`);
    expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
  });

  test('a care provider system without an organisation in its basis is refused (PDI-R3 needs to know whom it acts for)', async () => {
    const res = await as(ehr, mesh.pdi).post('/fhir/$sharing-event', parameters());
    expect(res.status).toBe(403);
    expect(code(res.body)).toBe('MESH-AUTH-004');
  });
});

describe('$sharing-events (one transaction per batch)', () => {
  const bundle = (resources: unknown[], withRequest = true) => ({
    resourceType: 'Bundle',
    type: 'batch',
    entry: resources.map((resource) => ({ resource, ...(withRequest ? { request: { method: 'POST', url: '$sharing-event' } } : {}) })),
  });

  test('good entries are applied, each bad one is reported at its position (PDI-R8)', async () => {
    const patient = nextPatient();
    const good = [parameters({ patient }), parameters({ patient, eventType: 'ended', endReason: 'record-closed', occurredAt: '2026-02-02T08:00:00.000Z' })];
    const body = bundle([good[0], parameters({ careProvider: OTHER_PROVIDER }), parameters({ eventType: 'ended' }), good[1], good[0]]);
    const res = await ehrCalls().post('/fhir/$sharing-events', body);
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('batch-response');
    const statuses = res.body.entry.map((e: any) => e.response.status);
    expect(statuses).toEqual(['200', '403', '400', '200', '200']);
    expect(res.body.entry.map((e: any) => e.resource?.parameter?.[0]?.valueCode ?? code(e.response.outcome))).toEqual([
      'applied',
      'MESH-AUTH-005',
      'MESH-PDI-002',
      'applied',
      'duplicate',
    ]);
    expect(res.body.entry[2].response.outcome.issue[0].expression[0]).toMatch(/^Bundle\.entry\[2\]\.resource\.parameter/);
    expect(await entries(patient)).toMatchObject([{ state: 'ended', endReason: 'record-closed' }]);
  });

  test('an entry that asks for another interaction is refused on its own', async () => {
    const body = bundle([parameters()]);
    (body.entry[0] as any).request = { method: 'POST', url: 'Patient' };
    const res = await ehrCalls().post('/fhir/$sharing-events', body);
    expect(res.body.entry[0].response.status).toBe('400');
    expect(code(res.body.entry[0].response.outcome)).toBe('MESH-OP-001');
  });

  test('a collection Bundle without requests works too', async () => {
    const res = await ehrCalls().post('/fhir/$sharing-events', { ...bundle([parameters(), parameters()], false), type: 'collection' });
    expect(res.body.entry.map((e: any) => e.response.status)).toEqual(['200', '200']);
  });

  test('an empty batch and one of 1,001 events are refused whole (PDI-R6)', async () => {
    const empty = await ehrCalls().post('/fhir/$sharing-events', bundle([]));
    expect([empty.status, code(empty.body)]).toEqual([400, 'MESH-PDI-006']);
    const one = sharingEvent();
    const big = bundle(
      Array.from({ length: 1001 }, () => parameters({ patient: one.patient })),
      false,
    );
    const res = await ehrCalls().post('/fhir/$sharing-events', big);
    expect([res.status, code(res.body)]).toEqual([400, 'MESH-PDI-006']);
    expect(await entries(one.patient)).toEqual([]);
  });

  test('the same Bundle posted to the base as a FHIR batch is processed entry by entry', async () => {
    const patient = nextPatient();
    const res = await ehrCalls().post('/fhir', bundle([parameters({ patient }), parameters({ careProvider: OTHER_PROVIDER })]));
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: any) => e.response.status)).toEqual(['200', '403']);
    expect(res.body.entry[0].resource.parameter[0].valueCode).toBe('applied');
    expect(await entries(patient)).toMatchObject([{ state: 'active' }]);
  });

  test('throughput of 1,000-event batches over HTTP (printed, not asserted)', async () => {
    const batches = Array.from({ length: 5 }, (_, b) =>
      bundle(
        Array.from({ length: 1000 }, (_, i) => parameters({ patient: { system: 'urn:oid:1.2.752.129.2.1.3.1', value: nextPatientLike(b * 1000 + i) } })),
        false,
      ),
    );
    await ehrCalls().post('/fhir/$sharing-events', batches[0]);
    const start = performance.now();
    for (const b of batches.slice(1)) {
      const res = await ehrCalls().post('/fhir/$sharing-events', b);
      expect(res.body.entry.filter((e: any) => e.response.status === '200')).toHaveLength(1000);
    }
    const ms = performance.now() - start;
    console.log(`PDI $sharing-events over HTTP: ${Math.round(4000 / (ms / 1000))} events/s (${(ms / 4).toFixed(0)} ms per batch of 1,000, one client)`);
  });
});

/** Valid personnummer beyond the fixtures' list: Skatteverket's test series, born 1990, by index. */
function nextPatientLike(i: number): string {
  const day = new Date(Date.UTC(1990, 0, 1) + (i % 365) * 86_400_000).toISOString();
  const yymmdd = `${day.slice(2, 4)}${day.slice(5, 7)}${day.slice(8, 10)}`;
  const birth = String(200 + Math.floor(i / 365)).padStart(3, '0');
  const digits = `${yymmdd}${birth}`;
  let sum = 0;
  for (let k = 0; k < 9; k++) {
    let d = Number(digits[k]) * (k % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `19${digits}${(10 - (sum % 10)) % 10}`;
}
