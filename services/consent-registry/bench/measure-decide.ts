/**
 * BENCHMARK ONLY: a quick measurement of `$decide` outside `npm run bench`.
 *   node services/consent-registry/bench/measure-decide.ts [blocks=1000000] [seconds=15]
 * Starts a trust anchor and the consent registry in this process on a fresh database of the local
 * server (DATABASE_URL, 127.0.0.1:5432 or embedded), loads the blocks with load-blocks.ts, warms
 * up, and runs autocannon in a process of its own (decide-load.ts): single-record calls, then the
 * batch form with 100 records a call.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestFederation } from '@ndi-mesh/federation/testing';
import { PURPOSE, seededRng, syntheticHsaId } from '@ndi-mesh/kernel';
import { startTestService } from '@ndi-mesh/kernel/testing';
import { createConsentRegistry } from '../src/definition.ts';
import { benchPersonnummer, loadBenchBlocks } from './load-blocks.ts';

const blocks = Number(process.argv[2] ?? 1_000_000);
const seconds = process.argv[3] ?? '15';
const rng = seededRng(4711);
const patients = benchPersonnummer(Math.ceil(blocks / 2));
const owners = Array.from({ length: 1000 }, () => syntheticHsaId('organisation', rng));

const anchor = await startTestFederation();
const registry = await startTestService(
  createConsentRegistry({ NSF_DISTRIBUTION: 'off' }),
  { ACCESS_TOKEN_TTL: '3600', DB_POOL_SIZE: '10' },
  { anchor, trustMarks: ['national-service'] },
);
try {
  const started = Date.now();
  await loadBenchBlocks(registry.kernel.db, { blocks, patients, owners });
  console.log(`loaded ${blocks} blocks for ${patients.length} patients in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const token = await registry.kernel.trust!.client.token(registry.url!, { organisation: { hsaId: owners[0]! }, purposeOfUse: PURPOSE.treatment });
  const file = `/tmp/consent-bench-patients-${process.pid}.txt`;
  writeFileSync(file, patients.join('\n'));
  const run = (records: number, secs: string) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [fileURLToPath(new URL('./decide-load.ts', import.meta.url)), registry.url!, token, file, owners[1]!, String(records), '8', secs],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`load exited ${code}`))));
    });
  await run(1, '5'); // warm-up
  console.log('single', await run(1, seconds));
  console.log('batch', await run(100, seconds));
} finally {
  await registry.close();
  await anchor.close();
}
