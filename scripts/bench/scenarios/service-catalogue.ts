import { randomUUID } from 'node:crypto';
import type { Bundle, Endpoint, Organization } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM } from '../../../services/kernel/src/identifiers/systems.ts';
import { syntheticHsaId } from '../../../services/kernel/src/identifiers/synthetic.ts';
import { PURPOSE } from '../../../services/kernel/src/trust/constants.ts';
import { createAll, inParallel } from '../fhir-client.ts';
import { pick, seededRng } from '../random.ts';
import type { Rng, Suite, SuiteContext } from '../types.ts';

/**
 * The service catalogue (NTK) under the load ARCHITECTURE.md "Performance" names, on a catalogue
 * of ORGANIZATIONS organisations with ENDPOINTS_PER_ORGANIZATION endpoints each:
 * - read by id and two-parameter search, without a token: reading the catalogue is public (NTK-R1);
 * - the same read with an access token, to show what verifying it costs on the hot path;
 * - create with validation and audit: a new active Endpoint of an organisation, written with that
 *   organisation's token. Only the owner may write its organisation and endpoints (NTK-R3), so a
 *   create of an Organization would need a token for every new HSA-id; an endpoint create runs
 *   the same validation and audit and more of the catalogue's rules (NTK-R7, R9–R11, R13).
 */
// BENCH_CATALOGUE_ORGANIZATIONS=10000 loads the national scale of issue 5 (10,000 organisations,
// 50,000 endpoints; about 100 s of loading) for the $lookup target.
const ORGANIZATIONS = Number(process.env.BENCH_CATALOGUE_ORGANIZATIONS ?? 1000);
const ENDPOINTS_PER_ORGANIZATION = 5;
const LOAD_CONCURRENCY = 8;
const INFORMATION_TYPE = 'https://ndi-mesh.se/fhir/CodeSystem/information-type';
const PAYLOADS = ['patient-summary', 'eprescription', 'edispensation', 'laboratory-results', 'medical-imaging', 'discharge-report'];
const FHIR_REST = { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' };

/** The catalogue's write policy (NTK-R2) accepts a care provider's system or a national service. */
const WRITER_MARKS = ['national-service'];

export interface CatalogueOrganization {
  readonly id: string;
  readonly hsaId: string;
  /** An access token whose authorisation basis names this organisation (it may write its own). */
  readonly token: string;
}

export interface CatalogueData {
  readonly organizations: readonly CatalogueOrganization[];
  readonly endpoints: readonly string[];
}

const dataDir = (ctx: SuiteContext) => `${ctx.tmpDir}/service-catalogue`;

function organization(name: string, hsaId: string): Organization {
  return { resourceType: 'Organization', identifier: [{ system: HSA_ID_SYSTEM, value: hsaId }], active: true, name };
}

/**
 * Each organisation serves a different information type on each endpoint, so its active ones
 * never clash (NTK-R11); the last is switched off, so `status=active` really filters.
 */
function endpoint(orgReference: string, n: number, host: string, extra: Partial<Endpoint> = {}): Endpoint {
  const payload = PAYLOADS[n % PAYLOADS.length]!;
  return {
    resourceType: 'Endpoint',
    status: n === ENDPOINTS_PER_ORGANIZATION - 1 ? 'off' : 'active',
    connectionType: FHIR_REST,
    name: `${payload} API`,
    managingOrganization: { reference: orgReference },
    payloadType: [{ coding: [{ system: INFORMATION_TYPE, code: payload }] }],
    address: `https://fhir.${host}.example.se/r4/${payload}`,
    ...extra,
  };
}

// Endpoints created under load are active, so each gets a one-second period of its own, far
// ahead: no two of them overlap (NTK-R11) and none clashes with the loaded ones' information type.
const FIRST_SLOT = Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 1e9) * 1000;
let slot = 0;
function scheduledEndpoint(org: CatalogueOrganization): Endpoint {
  const start = FIRST_SLOT + slot++ * 1000;
  return endpoint(`Organization/${org.id}`, 5, `planerad-${org.id.slice(0, 8)}`, {
    status: 'active',
    period: { start: new Date(start).toISOString(), end: new Date(start + 999).toISOString() },
  });
}

function isBundleWithEntries(body: string, min: number): string | undefined {
  const b = JSON.parse(body) as Bundle;
  if (b.resourceType !== 'Bundle' || b.type !== 'searchset') return `not a searchset Bundle: ${body.slice(0, 200)}`;
  const n = b.entry?.length ?? 0;
  return n >= min ? undefined : `the search found ${n} entries, expected at least ${min}`;
}

const isEndpoint = (body: string): string | undefined => (JSON.parse(body).resourceType === 'Endpoint' ? undefined : `not an Endpoint: ${body.slice(0, 200)}`);

const serviceCatalogue: Suite<CatalogueData> = {
  name: 'service-catalogue',
  kind: 'service',
  server: (ctx) => ({
    script: 'services/service-catalogue/src/main.ts',
    env: {
      DATABASE_URL: ctx.databaseUrl,
      DB_SCHEMA: ctx.schema('service_catalogue'),
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir(ctx),
      HOST: '127.0.0.1',
      ...ctx.trust?.serviceEnv(),
    },
    readyPath: '/ready',
  }),
  async prepare(baseUrl, ctx) {
    if (!ctx.trust) throw new Error('the service catalogue needs a trust anchor to accept writes');
    const caller = await ctx.trust.callerOf(baseUrl, dataDir(ctx), WRITER_MARKS);
    const rng = seededRng(20260101);
    const hsaIds = Array.from({ length: ORGANIZATIONS }, () => syntheticHsaId('organisation', rng));
    const started = Date.now();
    // One transaction per organisation, with its own token: the organisation and its endpoints.
    const loaded = await inParallel(hsaIds, LOAD_CONCURRENCY, async (hsaId, i) => {
      const token = await caller.token({ organisation: { hsaId }, purposeOfUse: PURPOSE.administration });
      const orgUrl = `urn:uuid:${randomUUID()}`;
      const host = `vardgivare-${i + 1}`;
      const ids = await createAll(
        `${baseUrl}/fhir`,
        [
          { fullUrl: orgUrl, resource: organization(`Vårdgivare ${String(i + 1).padStart(4, '0')}`, hsaId) },
          ...Array.from({ length: ENDPOINTS_PER_ORGANIZATION }, (_, n) => ({ resource: endpoint(orgUrl, n, host) })),
        ],
        token,
      );
      return { organization: { id: ids[0]!, hsaId, token }, endpoints: ids.slice(1) };
    });
    const seconds = (Date.now() - started) / 1000;
    const organizations = loaded.map((l) => l.organization);
    const endpoints = loaded.flatMap((l) => l.endpoints);
    ctx.log(
      `loaded ${organizations.length} Organizations and ${endpoints.length} Endpoints in ${seconds.toFixed(1)} s: a token and a transaction per organisation, ${LOAD_CONCURRENCY} at a time`,
    );
    return { organizations, endpoints };
  },
  scenarios: [
    {
      id: 'read',
      title: 'FHIR read by id (Endpoint), public',
      request: (d, rng) => ({ method: 'GET', path: `/fhir/Endpoint/${pick(d.endpoints, rng)}` }),
      expectStatus: 200,
      check: isEndpoint,
      target: { minRps: 3000, maxP99Ms: 8, minShareOfPg: 0.5 },
    },
    {
      id: 'read-token',
      title: 'FHIR read by id with an access token (token verification on the hot path)',
      request: (d, rng) => ({
        method: 'GET',
        path: `/fhir/Endpoint/${pick(d.endpoints, rng)}`,
        headers: { authorization: `Bearer ${pick(d.organizations, rng).token}` },
      }),
      expectStatus: 200,
      check: isEndpoint,
      target: { minRps: 3000, maxP99Ms: 8, minShareOfPg: 0.5 },
    },
    {
      id: 'search',
      title: 'search, two parameters (organization, status), public',
      request: (d, rng) => ({ method: 'GET', path: `/fhir/Endpoint?organization=${pick(d.organizations, rng).id}&status=active` }),
      expectStatus: 200,
      check: (body) => isBundleWithEntries(body, ENDPOINTS_PER_ORGANIZATION - 1),
      target: { minRps: 2000, maxP99Ms: 15 },
    },
    {
      id: 'lookup',
      title: "Endpoint/$lookup: one organisation's patient-summary endpoints valid now, public (NTK-R13)",
      request: (d, rng) => ({
        method: 'GET',
        path: `/fhir/Endpoint/$lookup?organization=${encodeURIComponent(`${HSA_ID_SYSTEM}|${pick(d.organizations, rng).hsaId}`)}&information-type=patient-summary`,
      }),
      expectStatus: 200,
      check: (body) => isBundleWithEntries(body, 2),
      target: { minRps: 3000, maxP99Ms: 8 },
    },
    {
      id: 'create',
      title: "create with validation and audit (an active Endpoint, with its organisation's token)",
      request: (d, rng) => {
        const org = pick(d.organizations, rng);
        return {
          method: 'POST',
          path: '/fhir/Endpoint',
          headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${org.token}` },
          body: JSON.stringify(scheduledEndpoint(org)),
        };
      },
      expectStatus: 201,
      check: (body) => (/^[0-9a-f-]{36}$/.test(String(JSON.parse(body).id)) ? undefined : `no server-assigned id: ${body.slice(0, 200)}`),
      target: { minRps: 800, maxP99Ms: 25 },
    },
  ],
  memory: { idleMb: 100, loadedMb: 192 },
};
export default serviceCatalogue;
