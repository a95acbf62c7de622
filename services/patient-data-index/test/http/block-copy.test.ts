import type { Bundle, Communication, Consent, DocumentReference, Task } from '@medplum/fhirtypes';
import { PURPOSE } from '@ndi-mesh/kernel';
import type { TestService } from '@ndi-mesh/kernel/testing';
import { nextPatient, parameters } from '../domain/fixtures.ts';
import { ADDRESS_A, ADDRESS_B, HOLDER_A, HOLDER_B, reportingFor, REQUESTER, treating } from '../support/actors.ts';
import { breakGlassRequest, notificationOf, outerBlockOf } from '../support/blocks.ts';
import { as, auditsAbout, code, startPdiMesh, type PdiMesh } from '../support/mesh.ts';

// The index's copy of the block register (PDI-L2, PDI-L3, NSF-R16) against the real consent
// registry: pushes as wake-ups, catch-up after a restart, deciding while the registry is down, and
// break-glass asked of the registry. The tests run in order: the later ones restart the index and
// then stop the registry for good.
type Person = { system: string; value: string };

let mesh: PdiMesh;
let ehrA: TestService;
let ehrB: TestService;
let requester: TestService;
let national: TestService;
const emergency = { ...treating, purposeOfUse: PURPOSE.emergency };

beforeAll(async () => {
  mesh = await startPdiMesh({
    providers: [
      { hsaId: HOLDER_A, name: 'Region A', endpoints: [{ address: ADDRESS_A, types: ['patient-summary'] }] },
      { hsaId: HOLDER_B, name: 'Region B', endpoints: [{ address: ADDRESS_B, types: ['patient-summary'] }] },
    ],
  });
  ehrA = await mesh.caller('ehr-a', ['care-provider-system'], HOLDER_A);
  ehrB = await mesh.caller('ehr-b', ['care-provider-system'], HOLDER_B);
  requester = await mesh.caller('ehr-requester', ['care-provider-system'], REQUESTER);
  national = await mesh.caller('another-national-service', ['national-service']);
});
afterAll(async () => mesh?.close());

const key = (p: Person) => `${p.system}|${p.value}`;

/** A patient with data at A and B. */
async function patientAtAandB(): Promise<Person> {
  const patient = nextPatient();
  for (const [ehr, hsaId] of [
    [ehrA, HOLDER_A],
    [ehrB, HOLDER_B],
  ] as const) {
    const res = await as(ehr, mesh.pdi, reportingFor(hsaId)).post('/fhir/$sharing-event', parameters({ patient, careProvider: hsaId }));
    expect(res.status).toBe(200);
  }
  return patient;
}

const locate = (patient: Person, basis = treating) =>
  as(requester, mesh.pdi, basis).get(`/fhir/$locate?patient=${encodeURIComponent(key(patient))}&information-type=patient-summary`);
const custodians = async (patient: Person, basis = treating): Promise<string[]> => {
  const res = await locate(patient, basis);
  expect(res.status).toBe(200);
  return ((res.body as Bundle).entry ?? [])
    .filter((e) => e.search?.mode === 'match')
    .map((e) => (e.resource as DocumentReference).custodian!.identifier!.value!)
    .sort();
};
const both = [HOLDER_A, HOLDER_B].sort();

let blockedB: Person;
let glassPatient: Person;

test('a push is only a wake-up: a forged cancellation from another national service lifts nothing; a care provider may not push', async () => {
  const patient = await patientAtAandB();
  const block = await mesh.register(patient, outerBlockOf(patient, HOLDER_B));
  expect(await custodians(patient)).toEqual([HOLDER_A]);

  // Another national service pushes a later version of the block, cancelled: the index reads the registry's feed instead.
  const forged: Consent = { ...block, status: 'inactive', meta: { ...block.meta, versionId: String(Number(block.meta!.versionId) + 1) } };
  const pushed = await as(national, mesh.pdi).post('/fhir/$consent-notification', notificationOf(forged));
  expect(pushed.status).toBe(200);
  expect(await custodians(patient)).toEqual([HOLDER_A]);

  const byProvider = await as(ehrB, mesh.pdi, reportingFor(HOLDER_B)).post('/fhir/$consent-notification', notificationOf(forged));
  expect([byProvider.status, code(byProvider.body)]).toEqual([403, 'MESH-AUTH-003']);
  expect(await custodians(patient)).toEqual([HOLDER_A]);

  // The patient's own cancellation at the registry does lift it.
  await mesh.cancel(patient, block.id!);
  expect(await custodians(patient)).toEqual(both);
});

test('break-glass: an emergency locate by the professional who broke the glass permits the blocked provider, and the registry records the use', async () => {
  glassPatient = await patientAtAandB();
  await mesh.register(glassPatient, outerBlockOf(glassPatient, HOLDER_B));
  expect(await custodians(glassPatient, emergency)).toEqual([HOLDER_A]);

  const glass = await as(requester, mesh.registry, emergency).post('/fhir/$break-glass', breakGlassRequest(glassPatient, 'Unconscious on arrival.'));
  if (glass.status !== 201) throw new Error(`break-glass refused: ${glass.status} ${JSON.stringify(glass.body)}`);
  const revoke = glass.body as Consent;
  await mesh.drain();

  expect(await custodians(glassPatient, emergency)).toEqual(both);
  // Only under emergency purpose: for treatment the block stands, decided on the copy.
  expect(await custodians(glassPatient)).toEqual([HOLDER_A]);

  // The release was asked of the registry, which audited it, put it on B's follow-up list and told the patient.
  const trail = await auditsAbout(mesh.registry, glassPatient);
  const decides = trail.filter((a) => a.outcomeDesc?.startsWith('$decide'));
  expect(decides.map((a) => a.agent[0]!.who?.identifier?.value)).toEqual([mesh.pdi.url]);
  expect(trail.filter((a) => a.outcomeDesc?.startsWith(`break-glass use: revoke ${revoke.id}`))).toHaveLength(1);
  const tasks = await as(ehrB, mesh.registry, reportingFor(HOLDER_B)).get(`/fhir/Task?owner=${HOLDER_B}`);
  expect(tasks.status).toBe(200);
  const followUp = ((tasks.body as Bundle<Task>).entry ?? []).map((e) => e.resource!).filter((t) => t.focus?.reference === `Consent/${revoke.id}`);
  expect(followUp.map((t) => [t.status, t.owner?.identifier?.value])).toEqual([['requested', HOLDER_B]]);
  const notices = await mesh.asPatient(glassPatient).get('/fhir/Communication');
  expect(((notices.body as Bundle<Communication>).entry ?? []).map((e) => e.resource!.about?.[0]?.reference)).toEqual([`Consent/${revoke.id}`]);
});

test('a block registered and a block cancelled while the index is stopped are in force after it starts again (catch-up from its cursor)', async () => {
  const patient = await patientAtAandB();
  const onB = await mesh.register(patient, outerBlockOf(patient, HOLDER_B));
  expect(await custodians(patient)).toEqual([HOLDER_A]);

  await mesh.stopIndex();
  await mesh.register(patient, outerBlockOf(patient, HOLDER_A));
  await mesh.cancel(patient, onB.id!);
  await mesh.startIndex();

  expect(await custodians(patient)).toEqual([HOLDER_B]);
  // It caught up on its stored subscription rather than subscribing again.
  const { rows } = await mesh.registry.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM res_subscription WHERE NOT deleted`);
  expect(rows[0]!.n).toBe(1);
  // It came back at another address and moved its Subscription there: pushes reach it again.
  const other = await patientAtAandB();
  await mesh.register(other, outerBlockOf(other, HOLDER_B));
  expect(await custodians(other)).toEqual([HOLDER_A]);
  const endpoints = await mesh.registry.kernel.db.query<{ endpoint: string }>(
    `SELECT content->'channel'->>'endpoint' AS endpoint FROM res_subscription WHERE NOT deleted`,
  );
  expect(endpoints.rows.map((r) => new URL(r.endpoint).origin)).toEqual([mesh.pdi.url]);
  blockedB = patient;
});

describe('with the consent registry stopped', () => {
  beforeAll(async () => mesh.stopRegistry());

  test('the index keeps deciding from its copy, blocks included (NSF-R16)', async () => {
    expect((await fetch(`${mesh.pdi.url}/ready`)).status).toBe(200);
    const res = await locate(blockedB);
    expect(res.status).toBe(200);
    expect(await custodians(blockedB)).toEqual([HOLDER_B]);
    expect(JSON.stringify(res.body)).not.toContain(HOLDER_A);
    expect(await custodians(glassPatient)).toEqual([HOLDER_A]);
  });

  test('a release under break-glass, which only the registry may record, answers 503 MESH-SRV-001 with no data', async () => {
    const res = await locate(glassPatient, emergency);
    expect([res.status, code(res.body)]).toEqual([503, 'MESH-SRV-001']);
    for (const trace of [HOLDER_A, HOLDER_B, ADDRESS_A, ADDRESS_B]) expect(JSON.stringify(res.body)).not.toContain(trace);
  });
});
