import type { Bundle, OperationOutcome, Organization } from '@medplum/fhirtypes';
import { endpoint, organization } from './fixtures.ts';
import { FHIR, issueCode, useFederatedCatalogue } from './support/federated-catalogue.ts';

// The kernel's FHIR interactions, exercised through the first real service on it.
const catalogue = useFederatedCatalogue();

const { post, put } = catalogue;

async function rowCounts(): Promise<Record<string, number>> {
  const q = async (table: string) => Number((await catalogue.svc().kernel.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  return {
    organization: await q('res_organization'),
    history: await q('res_organization_history'),
    endpoint: await q('res_endpoint'),
    audit: await q('res_auditevent'),
    outbox: await q('outbox'),
  };
}

describe('metadata', () => {
  test('serves an R4 CapabilityStatement built from the registered types', async () => {
    const res = await catalogue.svc().http.get('/fhir/metadata').expect(200);
    expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
    expect(res.body.resourceType).toBe('CapabilityStatement');
    expect(res.body.fhirVersion).toBe('4.0.1');
    const types = res.body.rest[0].resource.map((r: { type: string }) => r.type);
    expect(types).toEqual(expect.arrayContaining(['Organization', 'Endpoint', 'AuditEvent']));
    const ep = res.body.rest[0].resource.find((r: { type: string }) => r.type === 'Endpoint');
    expect(ep.searchParam.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['organization', 'payload-type', 'status']));
    expect(ep.profile).toBe('https://ndi-mesh.se/fhir/StructureDefinition/se-endpoint');
  });
});

describe('create, read, update, history', () => {
  test('create answers 201 with Location, ETag and the stored resource; read and vread return it', async () => {
    const res = await post('/fhir/Organization', organization('Vårdcentralen Tolvan')).expect(201);
    const org = res.body as Organization;
    expect(org.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(org.meta?.versionId).toBe('1');
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers.location).toMatch(new RegExp(`/fhir/Organization/${org.id}/_history/1$`));
    const read = await catalogue.svc().http.get(`/fhir/Organization/${org.id}`).expect(200);
    expect(read.body).toEqual(org);
    expect(read.headers.etag).toBe('W/"1"');
    await catalogue.svc().http.get(`/fhir/Organization/${org.id}/_history/1`).expect(200);
  });

  test('update with the right If-Match makes version 2; a stale one is refused with 412 and changes nothing', async () => {
    const org = (await post('/fhir/Organization', organization('Region Test')).expect(201)).body as Organization;
    const v2 = await put(`/fhir/Organization/${org.id}`, { ...org, name: 'Region Test Nord' })
      .set('if-match', 'W/"1"')
      .expect(200);
    expect(v2.body.meta.versionId).toBe('2');
    const stale = await put(`/fhir/Organization/${org.id}`, { ...org, name: 'Lost update' })
      .set('if-match', 'W/"1"')
      .expect(412);
    expect(issueCode(stale.body)).toBe('MESH-FHIR-005');
    expect((await catalogue.svc().http.get(`/fhir/Organization/${org.id}`)).body.name).toBe('Region Test Nord');
    const malformed = await put(`/fhir/Organization/${org.id}`, org).set('if-match', 'version 2').expect(400);
    expect(issueCode(malformed.body)).toBe('MESH-FHIR-009');
    const hist = await catalogue.svc().http.get(`/fhir/Organization/${org.id}/_history`).expect(200);
    expect(hist.body.type).toBe('history');
    expect(hist.body.entry.map((e: { resource: Organization }) => e.resource.name)).toEqual(['Region Test Nord', 'Region Test']);
    expect((await catalogue.svc().http.get(`/fhir/Organization/${org.id}/_history/1`)).body.name).toBe('Region Test');
    await catalogue.svc().http.get(`/fhir/Organization/${org.id}/_history/3`).expect(404);
  });

  test('the server owns meta.versionId and meta.lastUpdated', async () => {
    const res = await post('/fhir/Organization', { ...organization('Meta'), meta: { versionId: '99', lastUpdated: '2001-01-01T00:00:00Z' } }).expect(201);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.body.meta.lastUpdated).not.toBe('2001-01-01T00:00:00Z');
  });

  test('Prefer: return=minimal answers without a body', async () => {
    const res = await post('/fhir/Organization', organization('Minimal')).set('prefer', 'return=minimal').expect(201);
    expect(res.text).toBe('');
    expect(res.headers.location).toBeDefined();
  });

  test('every write is audited with what was written', async () => {
    const org = (await post('/fhir/Organization', organization('Audited')).expect(201)).body as Organization;
    const audit = await catalogue.svc().http.get(`/fhir/AuditEvent?entity=Organization/${org.id}&subtype=create`).expect(200);
    expect(audit.body.entry).toHaveLength(1);
    expect(audit.body.entry[0].resource.action).toBe('C');
    expect(audit.body.entry[0].resource.entity[0].what.reference).toBe(`Organization/${org.id}/_history/1`);
  });
});

describe('conditional create and update', () => {
  test('If-None-Exist returns the existing match instead of creating a second', async () => {
    const org = organization('Villkorad');
    const hsa = org.identifier![0]!.value!;
    const first = await post('/fhir/Organization', org).set('if-none-exist', `identifier=urn:oid:1.2.752.129.2.1.4.1|${hsa}`).expect(201);
    const second = await post('/fhir/Organization', org).set('if-none-exist', `identifier=urn:oid:1.2.752.129.2.1.4.1|${hsa}`).expect(200);
    expect(second.body.id).toBe(first.body.id);
  });

  test('conditional update creates when nothing matches, updates the one match, refuses several', async () => {
    const org = organization('PUT by identifier');
    const q = `identifier=urn:oid:1.2.752.129.2.1.4.1|${org.identifier![0]!.value}`;
    const created = await put(`/fhir/Organization?${q}`, org).expect(201);
    const updated = await put(`/fhir/Organization?${q}`, { ...org, name: 'Renamed' }).expect(200);
    expect(updated.body.id).toBe(created.body.id);
    expect(updated.body.meta.versionId).toBe('2');
    await post('/fhir/Organization', organization('Twin')).expect(201);
    await post('/fhir/Organization', organization('Twin')).expect(201);
    const many = await put('/fhir/Organization?name:contains=Twin', organization('Twin')).expect(412);
    expect(issueCode(many.body)).toBe('MESH-FHIR-007');
  });
});

describe('search', () => {
  let orgId: string;
  beforeAll(async () => {
    orgId = (await post('/fhir/Organization', organization('Sökbar Vårdgivare')).expect(201)).body.id;
    await post('/fhir/Endpoint', endpoint(orgId, 'patient-summary')).expect(201);
    await post('/fhir/Endpoint', endpoint(orgId, 'laboratory-results')).expect(201);
    await post('/fhir/Endpoint', endpoint(orgId, 'eprescription', 'off')).expect(201);
  });

  test('two parameters narrow the result', async () => {
    const res = await catalogue.svc().http.get(`/fhir/Endpoint?organization=${orgId}&status=active`).expect(200);
    expect(res.body.type).toBe('searchset');
    expect(res.body.total).toBe(2);
    const both = await catalogue
      .svc()
      .http.get(`/fhir/Endpoint?organization=Organization/${orgId}&payload-type=https://ndi-mesh.se/fhir/CodeSystem/information-type|laboratory-results`);
    expect(both.body.entry.map((e: { resource: { payloadType: { coding: { code: string }[] }[] } }) => e.resource.payloadType[0]!.coding[0]!.code)).toEqual([
      'laboratory-results',
    ]);
  });

  test('string search is prefix, case- and accent-insensitive', async () => {
    const res = await catalogue.svc().http.get('/fhir/Organization?name=sokbar').expect(200);
    expect(res.body.entry.map((e: { resource: Organization }) => e.resource.id)).toEqual([orgId]);
  });

  test('_count pages with a next link that continues without repeats', async () => {
    const first = await catalogue.svc().http.get(`/fhir/Endpoint?organization=${orgId}&_count=2`).expect(200);
    expect(first.body.entry).toHaveLength(2);
    const next = first.body.link.find((l: { relation: string }) => l.relation === 'next').url as string;
    const second = await catalogue
      .svc()
      .http.get(next.replace(/^https?:\/\/[^/]+/, ''))
      .expect(200);
    expect(second.body.entry).toHaveLength(1);
    expect(second.body.link.find((l: { relation: string }) => l.relation === 'next')).toBeUndefined();
    const ids = [...first.body.entry, ...second.body.entry].map((e: { resource: { id: string } }) => e.resource.id);
    expect(new Set(ids).size).toBe(3);
  });

  test('_include and _revinclude follow organization references', async () => {
    const inc = await catalogue.svc().http.get(`/fhir/Endpoint?organization=${orgId}&_include=Endpoint:organization`).expect(200);
    const included = inc.body.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'include');
    expect(included.map((e: { resource: Organization }) => e.resource.id)).toEqual([orgId]);
    const rev = await catalogue.svc().http.get(`/fhir/Organization?_id=${orgId}&_revinclude=Endpoint:organization`).expect(200);
    expect(rev.body.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'include')).toHaveLength(3);
  });

  test('_summary=count and _total=accurate count without listing', async () => {
    const res = await catalogue.svc().http.get(`/fhir/Endpoint?organization=${orgId}&_summary=count`).expect(200);
    expect(res.body.total).toBe(3);
    expect(res.body.entry).toEqual([]);
  });

  test('date search on the endpoint period', async () => {
    const org = (await post('/fhir/Organization', organization('Tidsstyrd')).expect(201)).body.id as string;
    await post('/fhir/Endpoint', { ...endpoint(org), period: { start: '2027-01-01', end: '2027-12-31' } }).expect(201);
    expect((await catalogue.svc().http.get(`/fhir/Endpoint?organization=${org}&period=ge2027-06-01`)).body.total).toBe(1);
    expect((await catalogue.svc().http.get(`/fhir/Endpoint?organization=${org}&period=gt2028-01-01`)).body.total).toBe(0);
    expect((await catalogue.svc().http.get(`/fhir/Endpoint?organization=${org}&period=lt2026-01-01`)).body.total).toBe(0);
    const total = async (q: string) => (await catalogue.svc().http.get(`/fhir/Endpoint?organization=${org}&${q}`).expect(200)).body.total;
    expect(await total('period=eq2027')).toBe(1);
    expect(await total('period=ne2027')).toBe(0);
    expect(await total('period=sa2026-12-31')).toBe(1);
    expect(await total('period=eb2028-01-01')).toBe(1);
    expect(await total('period=le2027-01-01')).toBe(1);
    expect(await total('period=lt2027-01-01,gt2027-12-31')).toBe(0);
    expect(await total('_lastUpdated=gt2020-01-01')).toBe(1);
    expect(await total('_lastUpdated=le2020')).toBe(0);
    expect(await total('period:missing=false')).toBe(1);
  });
});

describe('bad input gets a 4xx OperationOutcome and leaves the store unchanged', () => {
  const cases: [string, () => Promise<{ status: number; body: OperationOutcome }>, number, string][] = [
    [
      'malformed JSON',
      () => catalogue.svc().http.post('/fhir/Organization').set('content-type', FHIR).send('{"resourceType": "Organization",'),
      400,
      'MESH-HTTP-001',
    ],
    ['wrong content type', () => catalogue.svc().http.post('/fhir/Organization').set('content-type', 'text/plain').send('hello'), 415, 'MESH-HTTP-002'],
    ['unknown resource type', () => post('/fhir/Spaceship', { resourceType: 'Spaceship' }), 404, 'MESH-HTTP-004'],
    ['invalid resource (bad required code)', () => post('/fhir/Endpoint', { ...endpoint('x'), status: 'xyz' }), 422, 'MESH-FHIR-008'],
    ['missing required element', () => post('/fhir/Organization', { resourceType: 'Organization', active: true }), 422, 'MESH-FHIR-008'],
    ['body type differs from URL', () => post('/fhir/Organization', { resourceType: 'Endpoint' }), 400, 'MESH-FHIR-003'],
    ['oversized body', () => post('/fhir/Organization', { ...organization('x'), alias: ['a'.repeat(1_100_000)] }), 413, 'MESH-HTTP-003'],
    ['unsupported method', () => catalogue.svc().http.patch('/fhir/Organization/abc').set('content-type', FHIR).send('{}'), 405, 'MESH-HTTP-005'],
    [
      'update of a resource that does not exist',
      () => put('/fhir/Organization/does-not-exist', { ...organization('x'), id: 'does-not-exist' }),
      405,
      'MESH-FHIR-014',
    ],
    ['an XML body is asked for', () => catalogue.svc().http.get('/fhir/Organization').set('accept', 'application/fhir+xml'), 406, 'MESH-HTTP-006'],
    ['invalid id', () => catalogue.svc().http.get('/fhir/Organization/' + 'x'.repeat(65)), 400, 'MESH-FHIR-010'],
    ['unknown search parameter', () => catalogue.svc().http.get('/fhir/Organization?colour=blue'), 400, 'MESH-SEARCH-001'],
    ['unsupported modifier', () => catalogue.svc().http.get('/fhir/Organization?name:fuzzy=x'), 400, 'MESH-SEARCH-003'],
    ['bad date', () => catalogue.svc().http.get('/fhir/Endpoint?period=2024-13-01'), 400, 'MESH-SEARCH-002'],
    ['bad _count', () => catalogue.svc().http.get('/fhir/Organization?_count=ten'), 400, 'MESH-SEARCH-004'],
    ['forged cursor', () => catalogue.svc().http.get('/fhir/Organization?_cursor=bm90LWEtY3Vyc29y'), 400, 'MESH-SEARCH-004'],
    ['a Bundle that is not batch or transaction', () => post('/fhir', { resourceType: 'Bundle', type: 'collection' }), 400, 'MESH-FHIR-011'],
  ];
  test.each(cases)('%s', async (_name, send, status, code) => {
    const before = await rowCounts();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(issueCode(res.body)).toBe(code);
    expect(res.body.issue[0]!.diagnostics).toBeTruthy();
    expect(await rowCounts()).toEqual(before);
  });

  test('the validator names the element at fault', async () => {
    const res = await post('/fhir/Endpoint', { ...endpoint('x'), status: 'xyz' }).expect(422);
    expect(res.body.issue.some((i: { expression?: string[] }) => i.expression?.[0] === 'Endpoint.status')).toBe(true);
  });

  test('SQL-looking search values are data, not SQL', async () => {
    const before = await rowCounts();
    for (const value of ["x' OR '1'='1", "'; DROP TABLE res_organization; --", 'a%_\\', "Robert'); DELETE FROM outbox;--"]) {
      const res = await catalogue
        .svc()
        .http.get(`/fhir/Organization?name=${encodeURIComponent(value)}`)
        .expect(200);
      expect(res.body.total).toBe(0);
      await catalogue
        .svc()
        .http.get(`/fhir/Organization?identifier=${encodeURIComponent(value)}`)
        .expect(200);
    }
    expect(await rowCounts()).toEqual(before);
  });
});

describe('batch and transaction', () => {
  test('a transaction creates entries together and resolves urn:uuid references between them', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:2b2e4e4b-0c1f-4a8e-9a51-000000000001',
          resource: organization('Transaktion AB'),
          request: { method: 'POST', url: 'Organization' },
        },
        { resource: endpoint('placeholder'), request: { method: 'POST', url: 'Endpoint' } },
      ],
    };
    bundle.entry[1]!.resource = { ...endpoint('x'), managingOrganization: { reference: 'urn:uuid:2b2e4e4b-0c1f-4a8e-9a51-000000000001' } } as never;
    const res = await post('/fhir', bundle).expect(200);
    expect(res.body.type).toBe('transaction-response');
    const orgId = res.body.entry[0].resource.id;
    expect(res.body.entry[1].resource.managingOrganization.reference).toBe(`Organization/${orgId}`);
    expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['201', '201']);
  });

  test('a transaction with one invalid entry writes nothing and names the entry', async () => {
    const before = await rowCounts();
    const res = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: organization('Should not persist'), request: { method: 'POST', url: 'Organization' } },
        { resource: { ...endpoint('x'), status: 'nonsense' }, request: { method: 'POST', url: 'Endpoint' } },
      ],
    }).expect(422);
    expect(res.body.issue[0].diagnostics).toMatch(/Bundle\.entry\[1\]/);
    expect(await rowCounts()).toEqual(before);
  });

  test('a batch applies the good entries and reports each bad one', async () => {
    const res = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: organization('Batch ett'), request: { method: 'POST', url: 'Organization' } },
        { resource: { resourceType: 'Organization', active: true }, request: { method: 'POST', url: 'Organization' } },
        { request: { method: 'GET', url: 'Organization/not-there' } },
      ],
    }).expect(200);
    expect(res.body.type).toBe('batch-response');
    expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['201', '422', '404']);
    expect(res.body.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
  });

  test('a Bundle with more entries than allowed is refused whole', async () => {
    const entry = Array.from({ length: 1001 }, () => ({ request: { method: 'GET', url: 'Organization?_count=1' } }));
    const res = await post('/fhir', { resourceType: 'Bundle', type: 'batch', entry }).expect(400);
    expect(issueCode(res.body)).toBe('MESH-FHIR-012');
  });
});

describe('health', () => {
  test('/health and /ready answer; /metrics is Prometheus text', async () => {
    await catalogue.svc().http.get('/health').expect(200);
    await catalogue.svc().http.get('/ready').expect(200);
    const m = await catalogue.svc().http.get('/metrics').expect(200);
    expect(m.text).toMatch(/http_server_request_duration_seconds_bucket/);
  });

  test('a W3C traceparent is honoured', async () => {
    const res = await catalogue.svc().http.get('/fhir/metadata').set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01').expect(200);
    expect(res.headers['x-request-id']).toBeDefined();
    expect(res.headers['x-trace-id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});

export type { Bundle };
