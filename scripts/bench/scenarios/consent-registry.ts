import { HSA_ID_SYSTEM, PERSONNUMMER_SYSTEM } from '../../../services/kernel/src/identifiers/systems.ts';
import { syntheticHsaId } from '../../../services/kernel/src/identifiers/synthetic.ts';
import { openDb } from '../../../services/kernel/src/storage/db.ts';
import { PURPOSE } from '../../../services/kernel/src/trust/constants.ts';
import { benchPersonnummer, loadBenchBlocks } from '../../../services/consent-registry/bench/load-blocks.ts';
import { pick, seededRng } from '../random.ts';
import type { Rng, Suite, SuiteContext } from '../types.ts';

/**
 * The consent registry (NSF + NSR) under contract C3's load: `$decide` for one record, and the
 * batch form with BATCH records a call, on a register of BLOCKS blocks (two per patient; most on
 * one of OWNERS providers' data, every 10th general, every 50th an opt-out). The blocks are loaded
 * straight into res_consent by the bench-only SQL loader (services/consent-registry/bench/
 * load-blocks.ts): a million blocks through the API would take the whole run. Requests come from
 * a national service (the PDI's role), so no trace is shown, as for any requester.
 */
// The target's register; BENCH_CONSENT_BLOCKS loads fewer for quick trials (the lookup is one btree
// probe, so the per-call cost barely depends on it), but only the default run reports the target.
const BLOCKS = Number(process.env.BENCH_CONSENT_BLOCKS ?? 1_000_000);
const OWNERS = 1000;
const BATCH = 100;
const SAMPLE = 20_000;
const CATEGORIES = ['patient-summary', 'eprescription', 'edispensation', 'laboratory-results', 'medical-imaging', 'discharge-report'];

export interface ConsentData {
  /** Patients that have blocks (a sample of them), and the owners the blocks are on. */
  readonly patients: readonly string[];
  readonly owners: readonly string[];
  readonly token: string;
}

const dataDir = (ctx: SuiteContext) => `${ctx.tmpDir}/consent-registry`;
const schema = (ctx: SuiteContext) => ctx.schema('consent_registry');

function decideBody(d: ConsentData, rng: Rng, records: number): string {
  const hsa = (value: string) => ({ system: HSA_ID_SYSTEM, value });
  const owner = pick(d.owners, rng);
  return JSON.stringify({
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { system: PERSONNUMMER_SYSTEM, value: pick(d.patients, rng) } },
      { name: 'requester', part: [{ name: 'organization', valueIdentifier: hsa(pick(d.owners, rng)) }] },
      { name: 'purpose', valueCode: 'treatment' },
      ...Array.from({ length: records }, (_, i) => ({
        name: 'record',
        part: [
          { name: 'owner', valueIdentifier: hsa(owner) },
          { name: 'careUnit', valueIdentifier: hsa(owner) },
          { name: 'category', valueCode: CATEGORIES[i % CATEGORIES.length] },
        ],
      })),
    ],
  });
}

const decisionsIn = (body: string, n: number): string | undefined => {
  const p = JSON.parse(body) as { resourceType?: string; parameter?: { name: string }[] };
  if (p.resourceType !== 'Parameters') return `not Parameters: ${body.slice(0, 200)}`;
  const got = p.parameter?.filter((x) => x.name === 'decision').length ?? 0;
  return got === n ? undefined : `${got} decisions for ${n} records`;
};

const consentRegistry: Suite<ConsentData> = {
  name: 'consent-registry',
  kind: 'service',
  server: (ctx) => ({
    script: 'services/consent-registry/src/main.ts',
    env: { DATABASE_URL: ctx.databaseUrl, DB_SCHEMA: schema(ctx), LOG_LEVEL: 'warn', DATA_DIR: dataDir(ctx), HOST: '127.0.0.1', ...ctx.trust?.serviceEnv() },
    readyPath: '/ready',
  }),
  async prepare(baseUrl, ctx) {
    if (!ctx.trust) throw new Error('the consent registry needs a trust anchor: every route needs a token');
    const rng = seededRng(53_2);
    const patients = benchPersonnummer(BLOCKS / 2);
    const owners = Array.from({ length: OWNERS }, () => syntheticHsaId('organisation', rng));
    const db = await openDb({ connectionString: ctx.databaseUrl, schema: schema(ctx), poolSize: 2 });
    const started = Date.now();
    try {
      await loadBenchBlocks(db, { blocks: BLOCKS, patients, owners });
    } finally {
      await db.close();
    }
    ctx.log(`loaded ${BLOCKS} blocks for ${patients.length} patients in ${((Date.now() - started) / 1000).toFixed(1)} s (bench-only SQL loader)`);
    const caller = await ctx.trust.callerOf(baseUrl, dataDir(ctx), ['national-service']);
    const token = await caller.token({ organisation: { hsaId: owners[0]! }, purposeOfUse: PURPOSE.treatment });
    return { patients: Array.from({ length: SAMPLE }, () => pick(patients, rng)), owners, token };
  },
  scenarios: [
    {
      id: 'decide',
      title: `$decide, one record (C3), ${BLOCKS.toLocaleString('en')} blocks loaded`,
      request: (d, rng) => ({
        method: 'POST',
        path: '/fhir/$decide',
        headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${d.token}` },
        body: decideBody(d, rng, 1),
      }),
      expectStatus: 200,
      check: (body) => decisionsIn(body, 1),
      ...(BLOCKS >= 1_000_000 ? { target: { minRps: 3000, maxP99Ms: 5 } } : {}),
    },
    {
      id: 'decide-batch',
      title: `$decide, batch form (${BATCH} records a call): records/s = requests/s × ${BATCH}`,
      request: (d, rng) => ({
        method: 'POST',
        path: '/fhir/$decide',
        headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${d.token}` },
        body: decideBody(d, rng, BATCH),
      }),
      expectStatus: 200,
      check: (body) => decisionsIn(body, BATCH),
    },
  ],
  memory: { idleMb: 100, loadedMb: 192 },
};
export default consentRegistry;
