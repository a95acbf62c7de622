import type { Bundle, DocumentReference, Provenance } from '@medplum/fhirtypes';
import type { TestService } from '@ndi-mesh/kernel/testing';
import { LOCAL_SYSTEM, nextPatient, parameters } from '../domain/fixtures.ts';
import { HOLDER_A, patientAccess, reportingFor, treating } from '../support/actors.ts';
import { optOut } from '../support/blocks.ts';
import { as, auditsAbout, code, startPdiMesh, type PdiMesh } from '../support/mesh.ts';

// PDI-L6: the patient's own view of the index, through an access service.
let mesh: PdiMesh;
let ehr: TestService;
let access: TestService;

beforeAll(async () => {
  mesh = await startPdiMesh();
  ehr = await mesh.caller('ehr-a', ['care-provider-system'], HOLDER_A);
  access = await mesh.caller('access', ['access-service']);
});
afterAll(async () => mesh?.close());

const view = (patient: { system: string; value: string }, basis = patientAccess(patient), caller = access) =>
  as(caller, mesh.pdi, basis).get(`/fhir/$patient-view?patient=${encodeURIComponent(`${patient.system}|${patient.value}`)}`);

test('the patient sees every system that holds or held their data, with every event, blocks notwithstanding', async () => {
  const patient = nextPatient();
  const report = (body: unknown) => as(ehr, mesh.pdi, reportingFor(HOLDER_A)).post('/fhir/$sharing-event', body);
  const current = 'https://ehr.region-a.example';
  const old = 'https://old.region-a.example';
  await report(parameters({ patient, careProvider: HOLDER_A, system: current, localPatient: { system: LOCAL_SYSTEM, value: 'MRN-7' } }));
  await report(parameters({ patient, careProvider: HOLDER_A, system: old, occurredAt: '2026-01-01T08:00:00Z' }));
  await report(
    parameters({ patient, careProvider: HOLDER_A, system: old, eventType: 'ended', endReason: 'record-closed', occurredAt: '2026-01-15T08:00:00Z' }),
  );
  // A late, older started: recorded, superseded (PDI-R2), and shown to the patient as such.
  await report(parameters({ patient, careProvider: HOLDER_A, system: old, occurredAt: '2026-01-10T08:00:00Z' }));
  await mesh.register(patient, optOut(patient));

  const res = await view(patient);
  expect(res.status).toBe(200);
  const bundle = res.body as Bundle;
  const docs = bundle.entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource as DocumentReference);
  expect(docs.map((d) => [d.author![0]!.identifier!.value, d.status]).sort()).toEqual([
    [current, 'current'],
    [old, 'superseded'],
  ]);
  expect(docs.find((d) => d.status === 'current')!.context!.sourcePatientInfo!.identifier!.value).toBe('MRN-7');
  const events = bundle.entry!.filter((e) => e.resource?.resourceType === 'Provenance');
  expect(events).toHaveLength(4);
  const oldUrl = bundle.entry!.find((e) => (e.resource as DocumentReference).author?.[0]?.identifier?.value === old)!.fullUrl;
  const oldEvents = events.map((e) => e.resource as Provenance).filter((p) => p.target[0]!.reference === oldUrl);
  expect(oldEvents.map((p) => [p.occurredDateTime, p.activity!.coding![0]!.code, p.reason?.[0]?.coding?.[0]?.code, p.policy![0]!.split('#')[1]])).toEqual([
    ['2026-01-01T08:00:00.000Z', 'started', undefined, 'applied'],
    ['2026-01-10T08:00:00.000Z', 'started', undefined, 'superseded-PDI-R2'],
    ['2026-01-15T08:00:00.000Z', 'ended', 'record-closed', 'applied'],
  ]);
  expect(oldEvents[0]!.agent[0]!.onBehalfOf!.identifier!.value).toBe(HOLDER_A);
  // The patient's own view asks nobody's permission: the opt-out in force at the copy hid nothing, and the registry was not asked.
  expect((await auditsAbout(mesh.registry, patient)).filter((a) => a.outcomeDesc?.startsWith('$decide'))).toEqual([]);
  // PDI-L4 for the view: its AuditEvent had committed when the answer arrived.
  const viewed = (await auditsAbout(mesh.pdi, patient)).filter((a) => a.outcomeDesc === '$patient-view');
  expect(viewed.map((a) => [a.action, a.outcome])).toEqual([['R', '0']]);
});

test('only for the patient the access service acts for; never for a care provider system', async () => {
  const patient = nextPatient();
  const someoneElse = nextPatient();
  const other = await view(someoneElse, patientAccess(patient));
  expect([other.status, code(other.body)]).toEqual([403, 'MESH-AUTH-004']);
  const refused = (await auditsAbout(mesh.pdi, someoneElse)).map((a) => [a.outcome, a.outcomeDesc]);
  expect(refused).toEqual([['4', '$patient-view: MESH-AUTH-004']]);
  const byEhr = await view(patient, { ...treating, organisation: { hsaId: HOLDER_A } }, ehr);
  expect([byEhr.status, code(byEhr.body)]).toEqual([403, 'MESH-AUTH-003']);
  const { rows } = await mesh.pdi.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM res_auditevent WHERE content->>'outcome' = '4'`);
  expect(rows[0]!.n).toBeGreaterThanOrEqual(2);
});
