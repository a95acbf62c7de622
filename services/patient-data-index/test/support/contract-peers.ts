/**
 * CONTRACT FIXTURES, not the real services. The service catalogue and the consent registry are
 * built beside the index; until they run end to end, these small but real HTTP servers answer the
 * index exactly as contracts C1 (`Endpoint/$lookup`) and C3 (`$decide`) say, over fixed data the
 * test sets. The consent peer is a kernel service enrolled at the test's real trust anchor, so the
 * index reaches it through a real token exchange with its national-service trust mark, as it will
 * reach the real registry. Nothing here is imported by the service.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, Endpoint, Organization, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { FhirError, HSA_ID_SYSTEM, isHsaId, TRUST_MARK, type Caller, type ServiceDefinition } from '@ndi-mesh/kernel';
import { startTestService, type TestAnchor, type TestService } from '@ndi-mesh/kernel/testing';

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

// ---- C3: the consent registry's $decide --------------------------------------------------------------

export interface ConsentState {
  /** `system|value` of patients who opted out: every provider but the requester's own is denied. */
  readonly optedOut: Set<string>;
  /** Blocks: the patient's records at `owner` are denied to every other organisation, or only to `requester`. */
  readonly blocks: { readonly patient: string; readonly owner: string; readonly requester?: string }[];
  /** How the peer behaves: as the contract says, or broken in one of the ways the index must survive. */
  mode: 'ok' | 'error' | 'malformed' | 'slow';
}

export interface ConsentCall {
  readonly caller: Caller;
  readonly body: Parameters;
}

export interface ConsentPeer {
  readonly url: string;
  readonly state: ConsentState;
  readonly calls: ConsentCall[];
  readonly service: TestService;
  close(): Promise<void>;
}

export async function startConsentPeer(anchor: TestAnchor, slowMs = 3000): Promise<ConsentPeer> {
  const state: ConsentState = { optedOut: new Set(), blocks: [], mode: 'ok' };
  const calls: ConsentCall[] = [];
  const def: ServiceDefinition = {
    name: 'consent-contract-peer',
    title: 'C3 contract fixture',
    description: 'Answers $decide as contract C3 says, over data the test sets',
    defaultPort: 0,
    resourceTypes: [],
    operations: () => [
      {
        name: 'decide',
        level: 'system',
        affectsState: false,
        handler: async ({ ctx, request }) => {
          const body = request.body as Parameters;
          calls.push({ caller: ctx.caller, body });
          if (state.mode === 'error') return { status: 500, body: new FhirError('MESH-SRV-500', 'fixture told to fail').toOperationOutcome() };
          if (state.mode === 'slow') await new Promise((r) => setTimeout(r, slowMs));
          const decisions = decide(state, body);
          if (state.mode === 'malformed') decisions.pop();
          return { status: 200, body: { resourceType: 'Parameters', parameter: decisions } };
        },
      },
    ],
    trust: { policy: { default: { anyTrustMark: [TRUST_MARK.nationalService] } } },
  };
  const service = await startTestService(def, {}, { anchor, trustMarks: ['national-service'], authorised: false });
  return { url: service.url!, state, calls, service, close: () => service.close() };
}

function decide(state: ConsentState, body: Parameters): ParametersParameter[] {
  const param = (name: string) => body.parameter?.find((p) => p.name === name);
  const patient = param('patient')?.valueIdentifier;
  const requester = param('requester')?.part?.find((p) => p.name === 'organization')?.valueIdentifier?.value;
  if (!patient?.system || !patient.value || !requester) throw new FhirError('MESH-OP-001', 'patient and requester.organization are required');
  const key = `${patient.system}|${patient.value}`;
  const records = (body.parameter ?? []).filter((p) => p.name === 'record');
  if (records.length === 0) throw new FhirError('MESH-OP-001', 'at least one record');
  return records.map((record, index) => {
    const owner = record.part?.find((p) => p.name === 'owner')?.valueIdentifier?.value;
    const own = owner === requester;
    const blocked =
      state.optedOut.has(key) || state.blocks.some((b) => b.patient === key && b.owner === owner && (b.requester === undefined || b.requester === requester));
    return {
      name: 'decision',
      part: [
        { name: 'index', valueInteger: index },
        { name: 'result', valueCode: own || !blocked ? 'permit' : 'deny' },
      ],
    };
  });
}

function outcome(code: string, diagnostics: string) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { coding: [{ code }] }, diagnostics }] };
}

function send(res: ServerResponse<IncomingMessage>, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
}
