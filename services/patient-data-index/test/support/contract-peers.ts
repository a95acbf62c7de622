/**
 * A CONTRACT FIXTURE, not the real service. The service catalogue is stood in for by this small
 * but real HTTP server, answering the index exactly as contract C1 (`Endpoint/$lookup`) says over
 * the providers the test sets, and recording each lookup (the index's cache is tested by them).
 * The consent registry is the real one (support/mesh.ts). Nothing here is imported by the service.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, Endpoint, Organization } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM, isHsaId } from '@ndi-mesh/kernel';

const INFORMATION_TYPE_SYSTEM = 'https://ndi-mesh.se/fhir/CodeSystem/information-type';
const INFORMATION_TYPES = ['patient-summary', 'eprescription', 'edispensation', 'laboratory-results', 'medical-imaging', 'discharge-report'];

// ---- C1: the service catalogue's Endpoint/$lookup -------------------------------------------------

export interface CatalogueProvider {
  readonly hsaId: string;
  readonly name: string;
  /** Each endpoint with the information types it serves. */
  readonly endpoints: readonly { readonly address: string; readonly types: readonly string[]; readonly status?: Endpoint['status'] }[];
}

export interface CataloguePeer {
  readonly url: string;
  /** Every $lookup query received, in order. */
  readonly lookups: URLSearchParams[];
  close(): Promise<void>;
}

export async function startCataloguePeer(providers: readonly CatalogueProvider[]): Promise<CataloguePeer> {
  const orgs = providers.map((p, i) => ({
    provider: p,
    organization: {
      resourceType: 'Organization',
      id: `org-${i}`,
      active: true,
      identifier: [{ system: HSA_ID_SYSTEM, value: p.hsaId }],
      name: p.name,
    } satisfies Organization,
  }));
  const lookups: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const [path, raw = ''] = (req.url ?? '').split('?', 2) as [string, string?];
    if (req.method !== 'GET' || path !== '/fhir/Endpoint/$lookup') return send(res, 404, outcome('MESH-HTTP-004', 'not served'));
    const query = new URLSearchParams(raw);
    lookups.push(query);
    const asked = query.getAll('organization');
    const type = query.get('information-type');
    if (asked.length === 0 || type === null) return send(res, 400, outcome('MESH-OP-001', 'organization and information-type are required'));
    if (asked.length > 100) return send(res, 400, outcome('MESH-OP-001', 'at most 100 organizations'));
    if (!INFORMATION_TYPES.includes(type)) return send(res, 400, outcome('MESH-OP-001', 'unknown information type'));
    const hsaIds: string[] = [];
    for (const a of asked) {
      const [system, value] = a.split('|');
      if (system !== HSA_ID_SYSTEM || !isHsaId(value)) return send(res, 400, outcome('MESH-ID-003', `bad HSA-id ${a}`));
      hsaIds.push(value!);
    }
    const entry: NonNullable<Bundle['entry']> = [];
    for (const { provider, organization } of orgs) {
      if (!hsaIds.includes(provider.hsaId)) continue;
      const matching = provider.endpoints
        .map((e, j) => ({ e, id: `${organization.id}-ep-${j}` }))
        .filter(({ e }) => (e.status ?? 'active') === 'active' && e.types.includes(type));
      for (const { e, id } of matching) {
        const endpoint: Endpoint = {
          resourceType: 'Endpoint',
          id,
          status: 'active',
          connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
          name: `${provider.name} ${type}`,
          managingOrganization: { reference: `Organization/${organization.id}` },
          payloadType: e.types.map((t) => ({ coding: [{ system: INFORMATION_TYPE_SYSTEM, code: t }] })),
          address: e.address,
        };
        entry.push({ fullUrl: `${base()}/fhir/Endpoint/${id}`, resource: endpoint, search: { mode: 'match' } });
      }
      if (matching.length) entry.push({ fullUrl: `${base()}/fhir/Organization/${organization.id}`, resource: organization, search: { mode: 'include' } });
    }
    send(res, 200, { resourceType: 'Bundle', type: 'searchset', total: entry.filter((e) => e.search?.mode === 'match').length, entry } satisfies Bundle);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base(),
    lookups,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function outcome(code: string, diagnostics: string) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { coding: [{ code }] }, diagnostics }] };
}

function send(res: ServerResponse<IncomingMessage>, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
}
