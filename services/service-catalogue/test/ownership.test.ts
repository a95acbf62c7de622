import type { AuditEvent, Bundle, Endpoint, OperationOutcome, Organization } from '@medplum/fhirtypes';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { HSA_ID_SYSTEM, PURPOSE, TokenRequestError, type ServiceDefinition } from '@ndi-mesh/kernel';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { serviceCatalogue } from '../src/definition.ts';
import { operatorCaller } from '../src/domain/ownership.ts';
import { endpoint, organization } from './fixtures.ts';

// NTK-R3: only the owning organisation writes its organisation and its endpoints. The vendors are
// federation entities of their own, each a care provider's system whose trust mark carries its
// provider's HSA-id; they call the catalogue with real tokens from the catalogue's /auth/token.
const HSA_A = 'SE2321000016-A001';
const HSA_B = 'SE2321000016-B002';
const FHIR = 'application/fhir+json';

/** A care provider's EHR: a federation entity and nothing else. */
const vendorSystem: ServiceDefinition = {
  name: 'vendor-ehr',
  title: 'Vendor EHR',
  description: 'A care provider system',
  defaultPort: 0,
  resourceTypes: [],
  trust: { policy: { default: { public: true } } },
};

let anchor: TestFederation;
let catalogue: TestService;
let vendorA: TestService;
let vendorB: TestService;
beforeAll(async () => {
  anchor = await startTestFederation();
  catalogue = await startTestService(serviceCatalogue, {}, { anchor, trustMarks: ['national-service'] });
  vendorA = await startTestService(vendorSystem, {}, { anchor, trustMarks: ['care-provider-system'], hsaId: HSA_A });
  vendorB = await startTestService(vendorSystem, {}, { anchor, trustMarks: ['care-provider-system'], hsaId: HSA_B });
});
afterAll(async () => {
  for (const s of [vendorA, vendorB, catalogue]) await s?.close();
  await anchor?.close();
});

const code = (b: OperationOutcome) => b.issue[0]?.details?.coding?.[0]?.code;

/** A call to the catalogue from `vendor`, acting for `hsaId`. */
async function call(vendor: TestService, method: string, path: string, body?: unknown, hsaId = vendor === vendorA ? HSA_A : HSA_B) {
  const res = await vendor.kernel.trust!.client.fetch(`${catalogue.url}/fhir${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': FHIR },
    body: body === undefined ? undefined : JSON.stringify(body),
    basis: { organisation: { hsaId }, purposeOfUse: PURPOSE.administration },
  });
  return { status: res.status, body: (await res.json()) as any };
}

let orgA: Organization;
let epA: Endpoint;
beforeAll(async () => {
  orgA = (await call(vendorA, 'POST', '/Organization', organization('Vårdgivare A', HSA_A))).body;
  epA = (await call(vendorA, 'POST', '/Endpoint', endpoint(orgA.id!))).body;
  expect(epA.id).toBeDefined();
});

async function counts() {
  const q = async (t: string) => (await catalogue.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0]!.n;
  return { org: await q('res_organization_history'), ep: await q('res_endpoint_history'), change: await q('ntk_change') };
}

test('NTK-R3: the owner registers and updates its organisation and endpoint; the audit names its system and organisation', async () => {
  const renamed = await call(vendorA, 'PUT', `/Organization/${orgA.id}`, { ...orgA, name: 'Vårdgivare A (nytt namn)' });
  expect(renamed.status).toBe(200);
  const audit = await catalogue.http.get(`/fhir/AuditEvent?entity=Organization/${orgA.id}&subtype=update`).expect(200);
  const event = (audit.body as Bundle).entry![0]!.resource as AuditEvent;
  const who = event.agent.map((a) => a.who?.identifier?.value);
  expect(who).toContain(vendorA.url);
  expect(who).toContain(HSA_A);
  expect(event.agent.find((a) => a.who?.identifier?.system === HSA_ID_SYSTEM)?.who?.identifier?.value).toBe(HSA_A);
});

test('NTK-R3: another provider cannot change the organisation, add or change its endpoints (403 MESH-AUTH-005), and nothing is written', async () => {
  const before = await counts();
  const refusals = [
    await call(vendorB, 'PUT', `/Organization/${orgA.id}`, { ...orgA, name: 'Hijacked' }),
    await call(vendorB, 'POST', '/Endpoint', endpoint(orgA.id!, 'eprescription')),
    await call(vendorB, 'PUT', `/Endpoint/${epA.id}`, { ...epA, address: 'https://evil.example/r4' }),
    await call(vendorB, 'POST', '/Organization', organization('Not mine', 'SE2321000016-C003')),
  ];
  for (const r of refusals) {
    expect(r.status).toBe(403);
    expect(code(r.body)).toBe('MESH-AUTH-005');
  }
  // Moving A's endpoint under B's own organisation is still a change of A's endpoint.
  const orgB = (await call(vendorB, 'POST', '/Organization', organization('Vårdgivare B', HSA_B))).body as Organization;
  const moved = await call(vendorB, 'PUT', `/Endpoint/${epA.id}`, { ...epA, managingOrganization: { reference: `Organization/${orgB.id}` } });
  expect(moved.status).toBe(403);
  expect(code(moved.body)).toBe('MESH-AUTH-005');
  const after = await counts();
  expect(after.ep).toBe(before.ep);
  expect(after.org).toBe(before.org + 1); // B's own organisation only
  expect((await catalogue.http.get(`/fhir/Endpoint/${epA.id}`)).body.address).toBe(epA.address);
});

test("NTK-R3: a care provider's system cannot claim another organisation: the token is refused", async () => {
  await expect(call(vendorB, 'POST', '/Organization', organization('Claimed', HSA_A), HSA_A)).rejects.toThrow(TokenRequestError);
});

test('NTK-R3: a national service writes only its own organisation too', async () => {
  const token = await catalogue.kernel.trust!.client.token(catalogue.url!, {
    organisation: { hsaId: 'SE2321000016-N004' },
    purposeOfUse: PURPOSE.administration,
  });
  const res = await catalogue.http
    .put(`/fhir/Organization/${orgA.id}`)
    .set('authorization', `Bearer ${token}`)
    .set('content-type', FHIR)
    .send(JSON.stringify({ ...orgA, name: 'By the PDI' }))
    .expect(403);
  expect(code(res.body)).toBe('MESH-AUTH-005');
});

test("NTK-R3: the catalogue's own operator (in process, from the admin UI) may correct any organisation, and is audited as that person", async () => {
  const current = (await catalogue.http.get(`/fhir/Organization/${orgA.id}`)).body as Organization;
  const ctx = {
    requestId: 'op-1',
    fhirBase: `${catalogue.url}/fhir`,
    caller: operatorCaller(catalogue.url!, { hsaId: 'SE2321000016-P005', name: 'Support Person' }),
  };
  const res = await catalogue.kernel.router.handle(ctx, {
    method: 'PUT',
    segments: ['Organization', orgA.id!],
    query: new URLSearchParams(),
    body: { ...current, name: 'Corrected by support' },
  });
  expect(res.status).toBe(200);
  const audit = await catalogue.http.get(`/fhir/AuditEvent?entity=Organization/${orgA.id}&subtype=update`).expect(200);
  const names = (audit.body as Bundle).entry!.flatMap((e) => (e.resource as AuditEvent).agent.map((a) => a.who?.display));
  expect(names).toContain('Support Person');
});
