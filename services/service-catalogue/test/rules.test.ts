import type { Endpoint, OperationOutcome, Organization } from '@medplum/fhirtypes';
import { endpoint, INFORMATION_TYPE, organization } from './fixtures.ts';
import { FHIR, issueCode, useFederatedCatalogue } from './support/federated-catalogue.ts';
import { owners } from './owners.ts';

// The catalogue's rules for what is written (NTK-R4 … NTK-R12), each refusal a clear 4xx that leaves
// the store as it was.
const catalogue = useFederatedCatalogue();

const { post, put } = catalogue;
const code = issueCode;
const newOrg = async (name: string) => (await post('/fhir/Organization', organization(name)).expect(201)).body as Organization;
const rows = async () =>
  Number(
    (
      await catalogue
        .svc()
        .kernel.db.query<{ n: string }>(
          'SELECT (SELECT count(*) FROM res_organization_history) + (SELECT count(*) FROM res_endpoint_history) + (SELECT count(*) FROM ntk_lookup) AS n',
        )
    ).rows[0]!.n,
  );

async function refused(send: () => PromiseLike<{ status: number; body: OperationOutcome }>, status: number, errorCode: string): Promise<OperationOutcome> {
  const before = await rows();
  const res = await send();
  expect({ status: res.status, code: code(res.body) }).toEqual({ status, code: errorCode });
  expect(res.body.issue[0]!.diagnostics).toBeTruthy();
  expect(await rows()).toBe(before);
  return res.body;
}

describe('organisations', () => {
  test('NTK-R4: an HSA-id with a bad format is refused (400 MESH-ID-003) naming the element', async () => {
    // No token can name a malformed HSA-id, so the writer acts for a well-formed one.
    const auth = await owners(catalogue.svc()).bearer('SE2321000016-W001');
    const send = (hsaId: string) =>
      catalogue
        .svc()
        .http.post('/fhir/Organization')
        .set('authorization', auth)
        .set('content-type', FHIR)
        .send(JSON.stringify(organization('Bad HSA', hsaId)));
    const body = await refused(() => send('SE2321000017-A1'), 400, 'MESH-ID-003');
    expect(body.issue[0]!.expression).toEqual(['Organization.identifier[0].value']);
    expect(body.issue[0]!.diagnostics).toMatch(/check digit/);
    await refused(() => send('SE2321000016-Å1'), 400, 'MESH-ID-003');
  });

  test('NTK-R5: an organisation keeps its HSA-id (422 MESH-NTK-006)', async () => {
    const org = await newOrg('Fast HSA');
    const moved = { ...org, identifier: [{ system: 'urn:oid:1.2.752.129.2.1.4.1', value: 'SE2321000016-Z999' }] };
    // The caller acts for the organisation as it is now.
    const res = await owners(catalogue.svc()).asOwner(
      catalogue.svc().http.put(`/fhir/Organization/${org.id}`).set('content-type', FHIR).send(JSON.stringify(moved)),
      org,
    );
    expect({ status: res.status, code: code(res.body) }).toEqual({ status: 422, code: 'MESH-NTK-006' });
  });

  test('NTK-R6: one organisation per HSA-id (409 MESH-NTK-005), also when two register at once', async () => {
    const org = await newOrg('Unik');
    await refused(() => post('/fhir/Organization', { ...organization('Dubblett'), identifier: org.identifier }), 409, 'MESH-NTK-005');
    const twin = organization('Samtidig');
    const results = await Promise.all([post('/fhir/Organization', twin), post('/fhir/Organization', twin), post('/fhir/Organization', twin)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });
});

describe('endpoints', () => {
  let org: Organization;
  beforeAll(async () => {
    org = await newOrg('Regelprövad');
  });

  test.each([
    ['http, not https', 'http://fhir.example.se/r4'],
    ['not a URL', 'fhir.example.se/r4'],
    ['credentials in the URL', 'https://user:secret@fhir.example.se/r4'],
    ['a fragment', 'https://fhir.example.se/r4#top'],
    ['white space', 'https://fhir.example.se/r 4'],
  ])('NTK-R7: an address with %s is refused (422 MESH-FHIR-008)', async (_why, address) => {
    const body = await refused(() => post('/fhir/Endpoint', { ...endpoint(org.id!), address }), 422, 'MESH-FHIR-008');
    expect(body.issue.some((i) => i.expression?.[0] === 'Endpoint.address')).toBe(true);
  });

  test('NTK-R8: an unknown information type is refused (422 MESH-FHIR-008)', async () => {
    await refused(
      () => post('/fhir/Endpoint', { ...endpoint(org.id!), payloadType: [{ coding: [{ system: INFORMATION_TYPE, code: 'horoscope' }] }] }),
      422,
      'MESH-FHIR-008',
    );
  });

  test('NTK-R9: the managing organisation must be in the catalogue (422 MESH-NTK-004)', async () => {
    await refused(() => post('/fhir/Endpoint', endpoint('does-not-exist')), 422, 'MESH-NTK-004');
    await refused(
      () => post('/fhir/Endpoint', { ...endpoint(org.id!), managingOrganization: { reference: `https://elsewhere.example/Organization/${org.id}` } }),
      422,
      'MESH-NTK-004',
    );
  });

  test('NTK-R10: a period that ends before it starts is refused (422)', async () => {
    const res = await post('/fhir/Endpoint', { ...endpoint(org.id!), period: { start: '2027-01-01', end: '2026-01-01' } });
    expect(res.status).toBe(422);
    expect(['MESH-NTK-003', 'MESH-FHIR-008']).toContain(code(res.body));
  });

  describe('NTK-R11: no overlapping active endpoints', () => {
    let owner: Organization;
    beforeAll(async () => {
      owner = await newOrg('Överlapp');
      await post('/fhir/Endpoint', { ...endpoint(owner.id!, 'laboratory-results'), period: { start: '2026-01-01', end: '2026-06-30' } }).expect(201);
    });

    test('the same type and connection type over an overlapping period is refused with a message naming the other endpoint', async () => {
      const body = await refused(
        () => post('/fhir/Endpoint', { ...endpoint(owner.id!, 'laboratory-results'), period: { start: '2026-06-30' } }),
        422,
        'MESH-NTK-002',
      );
      expect(body.issue[0]!.diagnostics).toMatch(/Endpoint\/[0-9a-f-]{36} .*laboratory-results/);
      await refused(() => post('/fhir/Endpoint', endpoint(owner.id!, 'laboratory-results')), 422, 'MESH-NTK-002');
    });

    test('a successor that starts where the other ends, another connection type, another type, or a non-active endpoint is accepted', async () => {
      await post('/fhir/Endpoint', { ...endpoint(owner.id!, 'laboratory-results'), period: { start: '2026-07-01' } }).expect(201);
      await post('/fhir/Endpoint', {
        ...endpoint(owner.id!, 'laboratory-results'),
        connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'ihe-xds' },
      }).expect(201);
      await post('/fhir/Endpoint', endpoint(owner.id!, 'medical-imaging')).expect(201);
      await post('/fhir/Endpoint', endpoint(owner.id!, 'laboratory-results', 'off')).expect(201);
    });

    test('switching an off endpoint on is checked too; an endpoint never clashes with itself', async () => {
      const off = (await post('/fhir/Endpoint', endpoint(owner.id!, 'laboratory-results', 'off')).expect(201)).body as Endpoint;
      await refused(() => put(`/fhir/Endpoint/${off.id}`, { ...off, status: 'active' }), 422, 'MESH-NTK-002');
      const imaging = (await catalogue.svc().http.get(`/fhir/Endpoint?organization=${owner.id}&payload-type=medical-imaging`)).body.entry[0]
        .resource as Endpoint;
      await put(`/fhir/Endpoint/${imaging.id}`, { ...imaging, name: 'Röntgen' }).expect(200);
    });

    test('two overlapping endpoints written at once: exactly one is accepted', async () => {
      const o = await newOrg('Samtidiga endpoints');
      const results = await Promise.all(Array.from({ length: 4 }, () => post('/fhir/Endpoint', endpoint(o.id!, 'discharge-report'))));
      expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422, 422]);
    });
  });

  test('NTK-R12: every change is kept as a version', async () => {
    const ep = (await post('/fhir/Endpoint', endpoint(org.id!, 'edispensation')).expect(201)).body as Endpoint;
    await put(`/fhir/Endpoint/${ep.id}`, { ...ep, period: { end: '2030-01-01' } }).expect(200);
    await put(`/fhir/Endpoint/${ep.id}`, { ...ep, status: 'off' }).expect(200);
    const history = await catalogue.svc().http.get(`/fhir/Endpoint/${ep.id}/_history`).expect(200);
    expect(history.body.entry.map((e: { resource: Endpoint }) => e.resource.status)).toEqual(['off', 'active', 'active']);
  });
});
