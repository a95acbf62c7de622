import type { Bundle, Consent } from '@medplum/fhirtypes';
import { createService, readServiceSettings, type RunningService } from '@ndi-mesh/kernel';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { createConsentRegistry, distributorOf } from '../src/definition.ts';
import { countryPolicyFrom } from '../src/domain/index.ts';
import { parseDecide } from '../src/fhir/decide-parameters.ts';
import { localBlockHost } from '../src/local/index.ts';
import { lastSeq } from '../src/store/changes.ts';
import { blockConsent, decideRequest } from './support/consents.ts';
import { identities } from './support/identities.ts';
import { startCallers, startTestFederation, type Callers, type TestFederation } from './support/mesh.ts';

// NSF-R16 over HTTP: a provider's local block service fed by NSF's pushes and its change feed,
// deciding alone while NSF is down, and catching up without loss when NSF is back.
const ids = identities(8083_02);
const POLICY = { emergencyLiftsOptOut: false, countries: countryPolicyFrom({}) };
const registryDef = () => createConsentRegistry({ NSF_DELIVERY_POLL_MS: '20' });

let anchor: TestFederation;
let national: TestService;
let restarted: RunningService | undefined;
let callers: Callers;
let closeCallers: () => Promise<void>;
let nationalPort: number;

beforeAll(async () => {
  anchor = await startTestFederation();
  national = await startTestService(registryDef(), {}, { anchor, trustMarks: ['national-service'] });
  nationalPort = Number(new URL(national.url!).port);
  ({ callers, close: closeCallers } = await startCallers(anchor, () => national.url!, ids));
}, 60_000);
afterAll(async () => {
  await closeCallers?.();
  await restarted?.close();
  await national?.close().catch(() => undefined);
  await anchor?.close();
});

const recordOfA = (category: string) => ({ owner: ids.providerA, careUnit: ids.unitA1, category });
const askByB = (...categories: string[]) =>
  parseDecide(decideRequest({ patient: ids.patient, organisation: ids.providerB, purpose: 'treatment', records: categories.map(recordOfA) }));
const until = async (what: string, check: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Starts NSF again on the same database, keys and address, as a restarted process would. */
async function restartNational(): Promise<RunningService> {
  const env: Record<string, string> = {
    DATABASE_URL: national.database.url,
    LOG_LEVEL: 'silent',
    DB_POOL_SIZE: '5',
    DATA_DIR: national.kernel.settings.dataDir,
    FEDERATION_ANCHOR: anchor.entityId,
    FEDERATION_ANCHOR_JWKS: JSON.stringify(anchor.jwks),
    OWN_TRUST_MARKS_REFRESH: '0',
    NSF_DELIVERY_POLL_MS: '20',
  };
  const service = await createService(createConsentRegistry(env), { settings: readServiceSettings({ port: 0, service: 'consent-registry' }, env), env });
  await service.app.listen({ port: nationalPort, host: '127.0.0.1' });
  return service;
}

test('a local block service keeps deciding while NSF is down and catches up without loss when it returns', async () => {
  const host = localBlockHost({ organisation: ids.providerA, nationalBase: `${national.url}/fhir`, policy: POLICY });
  const local = await startTestService(host.definition, {}, { anchor, trustMarks: ['care-provider-system'], hsaId: ids.providerA });
  try {
    // 1. Register for pushes; a block the patient sets at NSF reaches the local copy by push.
    await host.local().subscribe(`${local.url}/fhir/$consent-notification`);
    const first = (
      await callers
        .access(ids.patient)
        .call('POST', '/Consent', blockConsent({ kind: 'care-provider', patient: ids.patient, owner: ids.providerA, category: 'patient-summary' }))
    ).body as Consent;
    // A block of another provider's data never reaches A's copy (NSF-R16).
    await callers.access(ids.patient).call('POST', '/Consent', blockConsent({ kind: 'care-provider', patient: ids.patient, owner: ids.providerB }));
    await until('the push', async () => (await host.local().decide(askByB('patient-summary')))[0]!.effect === 'deny');
    const held = await local.kernel.db.query<{ n: number }>('SELECT count(*)::int AS n FROM local_block');
    expect(held.rows[0]!.n).toBe(1);

    // 2. NSF stops. The local copy still decides, and a block registered at the provider takes effect at once.
    await national.app.close();
    await national.kernel.db.close();
    expect((await host.local().decide(askByB('patient-summary', 'eprescription'))).map((d) => d.effect)).toEqual(['deny', 'permit']);
    await host.local().register({
      patient: ids.patient,
      kind: 'care-provider',
      owner: ids.providerA,
      scope: { level: 'outer' },
      category: 'eprescription',
      period: { start: Date.now() - 1000 },
      createdBy: { type: 'care-provider', organisation: ids.providerA },
    });
    expect((await host.local().decide(askByB('eprescription')))[0]!.effect).toBe('deny');
    await expect(host.local().catchUp()).rejects.toThrow();
    await host.local().drainUploads(); // fails and is kept for retry

    // 3. The local service goes down too; NSF returns on the same database; changes happen meanwhile.
    await local.app.close();
    restarted = await restartNational();
    const cancelled = await callers.access(ids.patient).call('POST', `/Consent/${first.id}/$cancel`);
    expect(cancelled.status).toBe(200);
    await callers.access(ids.patient).call('POST', '/Consent', blockConsent({ kind: 'all-providers', patient: ids.patient, category: 'laboratory-results' }));
    await distributorOf(restarted.app).drain();

    // 4. The local service returns on its own database: it catches up from its cursor and sends its block up.
    const again = await createService(host.definition, {
      settings: readServiceSettings(
        { port: 0, service: 'local-block-service' },
        {
          DATABASE_URL: local.database.url,
          DATA_DIR: local.kernel.settings.dataDir,
          LOG_LEVEL: 'silent',
          FEDERATION_ANCHOR: anchor.entityId,
          FEDERATION_ANCHOR_JWKS: JSON.stringify(anchor.jwks),
        },
      ),
      env: { FEDERATION_ANCHOR: anchor.entityId, FEDERATION_ANCHOR_JWKS: JSON.stringify(anchor.jwks), OWN_TRUST_MARKS_REFRESH: '0' },
    });
    try {
      await again.app.listen({ port: Number(new URL(local.url!).port), host: '127.0.0.1' });
      // The upload that failed while NSF was down is retried after its backoff.
      await until('the upload', async () => {
        await host.local().drainUploads();
        const { rows } = await again.kernel.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE topic = 'local-block.upload' AND delivered_at IS NULL`,
        );
        return rows[0]!.n === 0;
      });
      await until('NSF to record every change', async () => {
        await distributorOf(restarted!.app).drain();
        const { rows } = await restarted!.kernel.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE topic = 'resource.changed' AND delivered_at IS NULL`,
        );
        return rows[0]!.n === 0;
      });
      const caught = await host.local().catchUp();
      const { rows: feed } = await restarted.kernel.db.query<{ seq: number }>(`SELECT max(seq) AS seq FROM consent_change WHERE owner = ANY($1::text[])`, [
        [ids.providerA, 'all-providers'],
      ]);
      expect(caught.cursor).toBe(Number(feed[0]!.seq));
      expect(caught.cursor).toBeLessThanOrEqual(await lastSeq(restarted.kernel.db));
      const after = await host.local().decide(askByB('patient-summary', 'eprescription', 'laboratory-results', 'medical-imaging'));
      // The cancelled block arrived as a tombstone; the general block and the provider's own block bind.
      expect(after.map((d) => d.effect)).toEqual(['permit', 'deny', 'deny', 'permit']);
      // NSF has the block registered at the provider, once, and the local copy holds NSF's version of it.
      const atNsf = (
        await callers.national.call('GET', `/Consent?patient-identifier=${encodeURIComponent(`${ids.patient.system}|${ids.patient.value}`)}&status=active`)
      ).body as Bundle<Consent>;
      const uploaded = atNsf.entry!.filter((e) => e.resource!.identifier?.length);
      expect(uploaded).toHaveLength(1);
      const rows = await again.kernel.db.query<{ id: string; pending: boolean }>('SELECT id, pending FROM local_block ORDER BY id');
      expect(rows.rows.map((r) => r.pending)).toEqual([false, false, false]);
      expect(rows.rows.map((r) => r.id)).toContain(uploaded[0]!.resource!.id);
      // Pushes that arrive late (retries) change nothing: reading the feed again applies nothing.
      expect((await host.local().catchUp()).applied).toBe(0);
    } finally {
      await again.close();
    }
  } finally {
    await local.database.drop().catch(() => undefined);
  }
}, 60_000);
