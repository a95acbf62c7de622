import type { OperationOutcome } from '@medplum/fhirtypes';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { serviceCatalogue } from '../src/definition.ts';
import { organization } from './fixtures.ts';
import { owners } from './owners.ts';

// NTK-R1 and NTK-R2: anyone may read the address book; writing needs a care-provider-system or
// national-service trust mark, and a basis naming the caller's organisation.
const catalogue = serviceCatalogue;

let anchor: TestFederation;
let writer: TestService;
let anonymous: TestService;
beforeAll(async () => {
  anchor = await startTestFederation();
  writer = await startTestService(catalogue, {}, { anchor, trustMarks: ['national-service'] });
  anonymous = await startTestService(catalogue, {}, { anchor, trustMarks: ['ncp'], authorised: false });
});
afterAll(async () => {
  await writer?.close();
  await anonymous?.close();
  await anchor?.close();
});

const FHIR = 'application/fhir+json';
const code = (b: OperationOutcome) => b.issue[0]?.details?.coding?.[0]?.code;

test('NTK-R1/R2: a national service with a token writes its organisation; anyone reads', async () => {
  const org = organization('Region Auth');
  const created = await owners(writer)
    .asOwner(writer.http.post('/fhir/Organization').set('content-type', FHIR).send(JSON.stringify(org)), org)
    .expect(201);
  await anonymous.http.get('/fhir/metadata').expect(200);
  await writer.http.get(`/fhir/Organization/${created.body.id}`).expect(200);
});

test('NTK-R2: writing without a token is 401; with a token but without the trust mark it is 403 and audited', async () => {
  const none = await anonymous.http
    .post('/fhir/Organization')
    .set('content-type', FHIR)
    .send(JSON.stringify(organization('No token')))
    .expect(401);
  expect(code(none.body)).toBe('MESH-AUTH-001');
  const ncp = anonymous.kernel.trust!;
  const res = await ncp.client.fetch(`${anonymous.url}/fhir/Organization`, {
    method: 'POST',
    headers: { 'content-type': FHIR },
    body: JSON.stringify(organization('NCP')),
  });
  expect(res.status).toBe(403);
  expect(code((await res.json()) as OperationOutcome)).toBe('MESH-AUTH-003');
  const { rows } = await anonymous.kernel.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM res_auditevent WHERE content->>'outcome' = '4' AND content->>'action' = 'C'`,
  );
  expect(rows[0]!.n).toBe(1);
  const orgs = await anonymous.kernel.db.query<{ n: number }>('SELECT count(*)::int AS n FROM res_organization');
  expect(orgs.rows[0]!.n).toBe(0);
});

test('NTK-R2: a writer whose token names no organisation is refused (403 MESH-AUTH-004)', async () => {
  // `writer.http` carries a token without an authorisation basis.
  const res = await writer.http
    .post('/fhir/Organization')
    .set('content-type', FHIR)
    .send(JSON.stringify(organization('Nobody')))
    .expect(403);
  expect(code(res.body)).toBe('MESH-AUTH-004');
});

test('the audit trail is not public', async () => {
  const res = await anonymous.http.get('/fhir/AuditEvent').expect(401);
  expect(code(res.body)).toBe('MESH-AUTH-001');
});
