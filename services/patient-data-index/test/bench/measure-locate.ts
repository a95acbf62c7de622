// A quick measurement of the index's two hot paths, outside Jest: `$locate` with block filtering
// and batch intake. The index runs in a process of its own (src/main.ts, as deployed), the load
// generator (autocannon) in another; the trust anchor, the contract peers (test/support) and this
// driver share a third. Until scripts/bench has a suite with real peers, this is how the figures
// in the implementation guide were taken:
//   node services/patient-data-index/test/bench/measure-locate.ts [--seconds=10] [--connections=8]
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FEDERATION_KEYS_FILE, KeySet, PURPOSE, PERSONNUMMER_SYSTEM, syntheticHsaId, luhnCheckDigit, type BasisInput } from '@ndi-mesh/kernel';
import { createTestDatabase } from '@ndi-mesh/kernel/testing';
import { startPdiMesh } from '../support/mesh.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '8' }, patients: { type: 'string', default: '5000' } },
});
const ROOT = new URL('../../../../', import.meta.url).pathname;
const PATIENTS = Number(values.patients);
let s = 2026;
const rng = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
const holders = [0, 1, 2].map(() => syntheticHsaId('organisation', rng));
const requesterHsa = syntheticHsaId('organisation', rng);

const mesh = await startPdiMesh({
  providers: holders.map((hsaId, i) => ({
    hsaId,
    name: `Region ${i}`,
    endpoints: [{ address: `https://ehr-${i}.example.se/fhir`, types: ['patient-summary'] }],
  })),
});
const children: ChildProcess[] = [];
const database = await createTestDatabase('pdi_measure');
try {
  // The index in its own process, trusting the mesh's anchor, with the contract peers as its peers.
  const port = 18000 + Math.floor(rng() * 2000);
  const dataDir = `/tmp/ndi-mesh-measure/${database.name}`;
  const pdiUrl = `http://127.0.0.1:${port}`;
  const pdi = spawn(process.execPath, [join(ROOT, 'services/patient-data-index/src/main.ts')], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      FEDERATION_ANCHOR: mesh.anchor.entityId,
      FEDERATION_ANCHOR_JWKS: JSON.stringify(mesh.anchor.jwks),
      OWN_TRUST_MARKS_REFRESH: '0',
      ACCESS_TOKEN_TTL: '3600',
      CATALOGUE_URL: mesh.catalogue.url,
      CONSENT_URL: mesh.consent.url,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(pdi);
  for (let i = 0; ; i++) {
    if (i > 200) throw new Error('the index did not become ready');
    if ((await fetch(`${pdiUrl}/ready`).catch(() => undefined))?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const keys = await KeySet.open(join(dataDir, FEDERATION_KEYS_FILE));
  await mesh.anchor.enrol(pdiUrl, keys.publicJwks(), { trustMarks: ['national-service'] });

  // Three providers report every patient; a third of the patients have one provider blocked for the requester.
  const patients = Array.from({ length: PATIENTS }, (_, i) => {
    const day = new Date(Date.UTC(1950, 0, 1) + (i % 18000) * 86_400_000).toISOString();
    const yymmdd = `${day.slice(2, 4)}${day.slice(5, 7)}${day.slice(8, 10)}`;
    const birth = String(100 + Math.floor(i / 18000)).padStart(3, '0');
    return { system: PERSONNUMMER_SYSTEM, value: `${day.slice(0, 2)}${yymmdd}${birth}${luhnCheckDigit(`${yymmdd}${birth}`)}` };
  });
  let intakeMs = 0;
  for (const [h, hsaId] of holders.entries()) {
    const ehr = await mesh.caller(`ehr-${h}`, ['care-provider-system'], hsaId);
    const basis: BasisInput = { organisation: { hsaId }, purposeOfUse: PURPOSE.administration };
    for (let b = 0; b < PATIENTS; b += 1000) {
      const entry = patients.slice(b, b + 1000).map((patient) => ({
        resource: {
          resourceType: 'Parameters',
          parameter: [
            { name: 'patient', valueIdentifier: patient },
            { name: 'careProvider', valueIdentifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: hsaId } },
            { name: 'system', valueUri: `https://ehr-${h}.example.se` },
            { name: 'eventType', valueCode: 'started' },
            { name: 'occurredAt', valueInstant: '2026-02-01T08:00:00Z' },
          ],
        },
      }));
      const t = performance.now();
      const res = await ehr.kernel.trust!.client.fetch(`${pdiUrl}/fhir/$sharing-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry }),
        basis,
      });
      const body = (await res.json()) as { entry: { response: { status: string } }[] };
      intakeMs += performance.now() - t;
      if (body.entry.some((e) => e.response.status !== '200')) throw new Error('intake refused an event');
    }
  }
  console.log(`intake: ${Math.round((3 * PATIENTS) / (intakeMs / 1000))} events/s in batches of 1,000 (one client, sequential)`);
  patients.forEach((p, i) => {
    if (i % 3 === 0) mesh.consent.state.blocks.push({ patient: `${p.system}|${p.value}`, owner: holders[i % 9 === 0 ? 0 : 1]!, requester: requesterHsa });
  });

  const requester = await mesh.caller('requester', ['care-provider-system'], requesterHsa);
  const token = await requester.kernel.trust!.client.token(pdiUrl, {
    organisation: { hsaId: requesterHsa },
    person: { hsaId: syntheticHsaId('person', rng, requesterHsa), role: 'doctor' },
    purposeOfUse: PURPOSE.treatment,
  });
  const load = fork(join(ROOT, 'services/patient-data-index/test/bench/locate-load.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(load);
  load.send({
    url: pdiUrl,
    token,
    patients: patients.map((p) => `${p.system}|${p.value}`),
    seconds: Number(values.seconds),
    connections: Number(values.connections),
  });
  const result = await new Promise<string>((resolve) => load.once('message', (m) => resolve(String(m))));
  console.log(result);
  console.log(`consent calls: ${mesh.consent.calls.length}, catalogue lookups: ${mesh.catalogue.lookups.length}`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  await mesh.close();
  await database.drop();
}
