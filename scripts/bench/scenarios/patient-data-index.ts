import { randomUUID } from 'node:crypto';
import type { Bundle, Endpoint, Organization } from '@medplum/fhirtypes';
import { luhnCheckDigit } from '../../../services/kernel/src/identifiers/luhn.ts';
import { HSA_ID_SYSTEM, PERSONNUMMER_SYSTEM } from '../../../services/kernel/src/identifiers/systems.ts';
import { syntheticHsaId } from '../../../services/kernel/src/identifiers/synthetic.ts';
import { openDb } from '../../../services/kernel/src/storage/db.ts';
import { PURPOSE } from '../../../services/kernel/src/trust/constants.ts';
import { loadBenchBlocks } from '../../../services/consent-registry/bench/load-blocks.ts';
import { createAll, inParallel } from '../fhir-client.ts';
import { untilReady } from '../../../services/kernel/src/testing/ready.ts';
import { pick, seededRng } from '../random.ts';
import type { Rng, Suite, SuiteContext } from '../types.ts';

/**
 * The patient data index (PDI) with its real peers: the service catalogue and the consent
 * registry run as processes of their own (started by the harness, not measured); `$locate` decides
 * on the index's copy of the block register, fed by the registry's change feed, and uses the real
 * (cached) `Endpoint/$lookup`.
 *
 * Loaded: HOLDERS care providers, each in the catalogue with a patient-summary endpoint and
 * reporting PATIENTS patients (`started`) through `$sharing-events`, 1,000 a request, as its own
 * EHR (a `care-provider-system` with its HSA-id). A third of the patients have a block in the
 * consent registry on one of the holders, loaded by the registry's bench-only SQL loader
 * (services/consent-registry/bench/load-blocks.ts: its blocks rotate over the information types,
 * with every 10th general and every 50th an opt-out); through the API each block would need an
 * access service's token for its patient. `$locate` is asked by a treating doctor at a fourth
 * provider's EHR.
 */
const PATIENTS = Number(process.env.BENCH_PDI_PATIENTS ?? 5000);
const HOLDERS = 3;
const BATCH = 1000;
const INFORMATION_TYPE = 'https://ndi-mesh.se/fhir/CodeSystem/information-type';
const FHIR_REST = { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' };

export interface Holder {
  readonly hsaId: string;
  readonly system: string;
  /** Its EHR's access token at the index, with the provider as organisation (PDI-R3). */
  readonly token: string;
}

export interface PdiData {
  readonly patients: readonly string[];
  readonly holders: readonly Holder[];
  /** A treating doctor's token at the index, from a fourth provider's EHR. */
  readonly clinicianToken: string;
}

const dataDir = (ctx: SuiteContext, name: string) => `${ctx.tmpDir}/patient-data-index/${name}`;
const consentSchema = (ctx: SuiteContext) => ctx.schema('pdi_consent_registry');

/**
 * The i-th of 3,286,800 distinct well-formed personnummer of people born 1890–1899, the scheme
 * of the consent registry's benchPersonnummer, computed one at a time so that intake under load
 * can take fresh patients without building the list.
 */
const DAYS = 3652;
export function personnummerAt(i: number): string {
  const birth = new Date(Date.UTC(1890, 0, 1) + (i % DAYS) * 86_400_000).toISOString();
  const yyyymmdd = `${birth.slice(0, 4)}${birth.slice(5, 7)}${birth.slice(8, 10)}`;
  const number = String(100 + (Math.floor(i / DAYS) % 900)).padStart(3, '0');
  return `${yyyymmdd}${number}${luhnCheckDigit(`${yyyymmdd.slice(2)}${number}`)}`;
}

/** The index of a personnummer of personnummerAt (undefined for any other). */
export function indexOfPersonnummer(value: string): number | undefined {
  const day = (Date.UTC(Number(value.slice(0, 4)), Number(value.slice(4, 6)) - 1, Number(value.slice(6, 8))) - Date.UTC(1890, 0, 1)) / 86_400_000;
  const i = (Number(value.slice(8, 11)) - 100) * DAYS + day;
  return Number.isInteger(i) && i >= 0 && personnummerAt(i) === value ? i : undefined;
}

/**
 * A patient without a block is located at every holder, each with its catalogue endpoint; what a
 * blocked one gets is the registry's decision (a general block or an opt-out leaves nothing).
 */
function locatedAsLoaded(body: string): string | undefined {
  const b = JSON.parse(body) as Bundle;
  if (b.resourceType !== 'Bundle' || b.type !== 'searchset') return `not a searchset: ${body.slice(0, 200)}`;
  const self = b.link?.find((l) => l.relation === 'self')?.url ?? '';
  const patient = new URL(self).searchParams.get('patient')?.split('|')[1] ?? '';
  const index = indexOfPersonnummer(patient);
  if (index === undefined || index >= PATIENTS) return `the answer is not about a loaded patient (self link ${self})`;
  const locations = (b.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'DocumentReference' ? [e.resource] : []));
  if (locations.length > HOLDERS) return `${locations.length} locations, more than the ${HOLDERS} holders`;
  if (index < blockedCount()) return undefined;
  if (locations.length !== HOLDERS) return `${locations.length} locations for an unblocked patient, expected ${HOLDERS}`;
  const withoutEndpoint = locations.filter((l) => !l.content?.some((c) => c.attachment?.url));
  return withoutEndpoint.length ? `${withoutEndpoint.length} locations without the catalogue's endpoint` : undefined;
}

const blockedCount = () => Math.floor(PATIENTS / 3);

function sharingEvents(holder: Holder, first: number, count: number): string {
  const entry = Array.from({ length: count }, (_, n) => ({
    resource: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'patient', valueIdentifier: { system: PERSONNUMMER_SYSTEM, value: personnummerAt(first + n) } },
        { name: 'careProvider', valueIdentifier: { system: HSA_ID_SYSTEM, value: holder.hsaId } },
        { name: 'system', valueUri: holder.system },
        { name: 'eventType', valueCode: 'started' },
        { name: 'occurredAt', valueInstant: '2026-02-01T08:00:00Z' },
      ],
    },
  }));
  return JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry });
}

/** Every event of the batch answered 200 (applied, superseded or duplicate), none refused. */
function allAccepted(body: string, count: number): string | undefined {
  const b = JSON.parse(body) as Bundle;
  if (b.resourceType !== 'Bundle' || b.type !== 'batch-response') return `not a batch-response: ${body.slice(0, 200)}`;
  const refused = (b.entry ?? []).filter((e) => e.response?.status !== '200');
  if ((b.entry?.length ?? 0) !== count) return `${b.entry?.length ?? 0} answers for ${count} events`;
  return refused.length ? `${refused.length} events refused: ${JSON.stringify(refused[0]).slice(0, 300)}` : undefined;
}

async function postEvents(pdiUrl: string, holder: Holder, first: number, count: number): Promise<void> {
  const res = await fetch(`${pdiUrl}/fhir/$sharing-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${holder.token}` },
    body: sharingEvents(holder, first, count),
  });
  const text = await res.text();
  const problem = res.status === 200 ? allAccepted(text, count) : `answered ${res.status}: ${text.slice(0, 400)}`;
  if (problem) throw new Error(`loading sharing events of ${holder.hsaId}: ${problem}`);
}

/** Intake under load reports patients after the loaded ones, a fresh block of BATCH per request. */
let nextIntake = 0;

const patientDataIndex: Suite<PdiData> = {
  name: 'patient-data-index',
  kind: 'service',
  peers: (ctx) => ({
    catalogue: {
      script: 'services/service-catalogue/src/main.ts',
      env: {
        DATABASE_URL: ctx.databaseUrl,
        DB_SCHEMA: ctx.schema('pdi_service_catalogue'),
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir(ctx, 'catalogue'),
        HOST: '127.0.0.1',
        ...ctx.trust?.serviceEnv(),
      },
      readyPath: '/ready',
    },
    consent: {
      script: 'services/consent-registry/src/main.ts',
      env: {
        DATABASE_URL: ctx.databaseUrl,
        DB_SCHEMA: consentSchema(ctx),
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir(ctx, 'consent'),
        HOST: '127.0.0.1',
        ...ctx.trust?.serviceEnv(),
      },
      readyPath: '/ready',
    },
  }),
  server: (ctx) => ({
    script: 'services/patient-data-index/src/main.ts',
    env: {
      DATABASE_URL: ctx.databaseUrl,
      DB_SCHEMA: ctx.schema('patient_data_index'),
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir(ctx, 'index'),
      HOST: '127.0.0.1',
      CATALOGUE_URL: ctx.peers?.catalogue ?? '',
      CONSENT_URL: ctx.peers?.consent ?? '',
      ...ctx.trust?.serviceEnv(),
    },
    // Ready (/ready) only once its block copy has caught up, which needs it enrolled first (prepare).
    readyPath: '/health',
  }),
  async prepare(baseUrl, ctx) {
    const trust = ctx.trust;
    const catalogueUrl = ctx.peers?.catalogue;
    if (!trust || !catalogueUrl || !ctx.peers?.consent) throw new Error('the patient data index needs a trust anchor, the catalogue and the consent registry');
    // The index reads the consent registry's feed as itself, a national service; the registry
    // pushes to the index as itself (its token source wakes the index's copy below).
    await trust.callerOf(baseUrl, dataDir(ctx, 'index'), ['national-service']);
    const registry = await trust.callerOf(ctx.peers.consent, dataDir(ctx, 'consent'), ['national-service']);
    await untilReady({ url: baseUrl }, 60_000);
    const rng = seededRng(8082);
    const hsaIds = Array.from({ length: HOLDERS + 1 }, () => syntheticHsaId('organisation', rng));
    const requester = hsaIds.pop()!;

    // The catalogue: each holder registers itself and its patient-summary endpoint with its own token.
    const catalogueWriter = await trust.callerOf(catalogueUrl, dataDir(ctx, 'catalogue'), ['national-service']);
    for (const [i, hsaId] of hsaIds.entries()) {
      const token = await catalogueWriter.token({ organisation: { hsaId }, purposeOfUse: PURPOSE.administration });
      const org = `urn:uuid:${randomUUID()}`;
      const organization: Organization = {
        resourceType: 'Organization',
        identifier: [{ system: HSA_ID_SYSTEM, value: hsaId }],
        active: true,
        name: `Vårdgivare ${i + 1}`,
      };
      const endpoint: Endpoint = {
        resourceType: 'Endpoint',
        status: 'active',
        connectionType: FHIR_REST,
        name: 'patient-summary API',
        managingOrganization: { reference: org },
        payloadType: [{ coding: [{ system: INFORMATION_TYPE, code: 'patient-summary' }] }],
        address: `https://fhir.vardgivare-${i + 1}.example.se/r4/patient-summary`,
      };
      await createAll(`${catalogueUrl}/fhir`, [{ fullUrl: org, resource: organization }, { resource: endpoint }], token);
    }

    // Each holder's EHR reports every loaded patient.
    const holders: Holder[] = [];
    for (const [i, hsaId] of hsaIds.entries()) {
      const ehr = await trust.system(`ehr-${i + 1}`, ['care-provider-system'], hsaId);
      holders.push({
        hsaId,
        system: `https://ehr.vardgivare-${i + 1}.example.se`,
        token: await ehr.token(baseUrl, { organisation: { hsaId }, purposeOfUse: PURPOSE.administration }),
      });
    }
    const started = Date.now();
    const batches = holders.flatMap((h) => Array.from({ length: Math.ceil(PATIENTS / BATCH) }, (_, b) => ({ h, first: b * BATCH })));
    await inParallel(batches, 2, ({ h, first }) => postEvents(baseUrl, h, first, Math.min(BATCH, PATIENTS - first)));
    const events = HOLDERS * PATIENTS;
    ctx.log(`reported ${events} sharing events in ${((Date.now() - started) / 1000).toFixed(1)} s ($sharing-events, ${BATCH} a request, 2 at a time)`);

    // Blocks on one holder each for the first third of the patients (bench-only SQL loader; the registry has migrated by now).
    const patients = Array.from({ length: PATIENTS }, (_, i) => personnummerAt(i));
    const blocked = patients.slice(0, blockedCount());
    const db = await openDb({ connectionString: ctx.databaseUrl, schema: consentSchema(ctx), poolSize: 1 });
    try {
      await loadBenchBlocks(db, { blocks: blocked.length, patients: blocked, owners: hsaIds, feed: true });
    } finally {
      await db.close();
    }
    // The loader wrote past the registry's outbox, so no push went out: wake the index's copy as the registry would.
    const copied = Date.now();
    const woken = await fetch(`${baseUrl}/fhir/$consent-notification`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${await registry.tokenAt(baseUrl)}` },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] }),
    });
    if (woken.status !== 200) throw new Error(`waking the index's block copy: ${woken.status} ${await woken.text()}`);
    ctx.log(
      `loaded ${blocked.length} blocks in the consent registry (bench-only SQL loader, with its change feed); the index's copy caught up in ${((Date.now() - copied) / 1000).toFixed(1)} s`,
    );

    const ehr = await trust.system('ehr-requester', ['care-provider-system'], requester);
    const clinicianToken = await ehr.token(baseUrl, {
      organisation: { hsaId: requester },
      person: { hsaId: syntheticHsaId('person', rng, requester), role: 'doctor' },
      purposeOfUse: PURPOSE.treatment,
    });
    return { patients, holders, clinicianToken };
  },
  scenarios: [
    {
      id: 'locate',
      title: `$locate (patient-summary), ${HOLDERS} providers a patient, a third blocked, real consent registry and catalogue`,
      request: (d, rng) => ({
        method: 'GET',
        path: `/fhir/$locate?patient=${encodeURIComponent(`${PERSONNUMMER_SYSTEM}|${pick(d.patients, rng)}`)}&information-type=patient-summary`,
        headers: { authorization: `Bearer ${d.clinicianToken}` },
      }),
      expectStatus: 200,
      check: locatedAsLoaded,
      target: { minRps: 2500, maxP99Ms: 10 },
    },
    {
      id: 'intake',
      title: `$sharing-events, ${BATCH} new patients a request: events/s = requests/s × ${BATCH}`,
      request: (d, rng) => {
        const holder = pick(d.holders, rng);
        const first = d.patients.length + BATCH * nextIntake++;
        return {
          method: 'POST',
          path: '/fhir/$sharing-events',
          headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${holder.token}` },
          body: sharingEvents(holder, first, BATCH),
        };
      },
      expectStatus: 200,
      check: (body) => allAccepted(body, BATCH),
      target: { minRps: 2, maxP99Ms: 5000 },
    },
  ],
};
export default patientDataIndex;
