import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { BenchDatabase } from './database.ts';
import { selected } from './options.ts';
import { freePort, startServer, stopping, type ServerProcess } from './processes.ts';
import { RssSampler, rssMb } from './proc-stats.ts';
import { InspectorProfiler, type MemoryDetail } from './profiler.ts';
import type { MemoryRecord, ScenarioRecord } from './report.ts';
import { runScenario, type RunContext } from './run-scenario.ts';
import type { BenchTrust, Suite, SuiteContext } from './types.ts';

export interface SuiteRun {
  readonly records: ScenarioRecord[];
  readonly memory: Omit<MemoryRecord, 'idle' | 'loaded' | 'idleTargetMb' | 'loadedTargetMb'>;
  readonly loadSeconds: number;
}

/**
 * One suite: starts its server in a process of its own, loads its data through the server's
 * API, measures the idle memory, runs each selected scenario while sampling the peak, stops the
 * server. With --profile the server runs under the inspector, which also reports its heap.
 */
export async function runSuite(suite: Suite<unknown>, db: BenchDatabase, run: RunContext, trust?: BenchTrust): Promise<SuiteRun> {
  if (stopping()) throw new Error('stopped');
  const o = run.options;
  const port = await freePort();
  const base: SuiteContext = { databaseUrl: db.url, tmpDir: run.tmpDir, port, schema: db.schema, log: run.log, ...(trust ? { trust } : {}) };
  const peers = await startPeers(suite, base, run);
  const ctx: SuiteContext = peers.length ? { ...base, peers: Object.fromEntries(peers.map((p) => [p.name, p.server.baseUrl])) } : base;
  const profile = o.profile && suite.kind === 'service';
  run.log(`${suite.name}: starting on port ${port}${profile ? ' (with the inspector, for profiling)' : ''}`);
  let server: ServerProcess;
  try {
    server = await startServer(suite.server(ctx), port, { inspect: profile, nodeFlags: suite.kind === 'service' ? o.serviceNodeFlags : [] });
  } catch (err) {
    await Promise.all(peers.map((p) => p.server.stop()));
    throw err;
  }
  let profiler: InspectorProfiler | undefined;
  const detail: Record<string, MemoryDetail> = {};
  try {
    profiler = server.inspectorUrl ? await InspectorProfiler.connect(server.inspectorUrl) : undefined;
    if (profiler) detail['after start'] = await profiler.memoryDetail();
    const afterStartMb = rssMb(server.pid) ?? Number.NaN;
    const started = Date.now();
    const data = await suite.prepare(server.baseUrl, ctx);
    const loadSeconds = (Date.now() - started) / 1000;
    if (suite.kind === 'service') await vacuumAnalyze(db.url);
    const dataFile = join(run.tmpDir, `${suite.name}.json`);
    writeFileSync(dataFile, JSON.stringify(data));
    // Let the load's garbage settle as it would in a service that has been idle a moment.
    await new Promise((r) => setTimeout(r, 1000));
    const idleMb = rssMb(server.pid) ?? Number.NaN;
    if (profiler) detail['idle, after load'] = await profiler.memoryDetail();
    const peak = new RssSampler(server.pid);
    peak.start();
    const records: ScenarioRecord[] = [];
    const database = new URL(db.url).pathname.slice(1);
    for (const scenario of suite.scenarios) {
      if (suite.kind === 'service' && !selected(o.only, suite.name, scenario.id)) continue;
      if (stopping()) throw new Error('stopped');
      records.push(await runScenario(suite, scenario, dataFile, { server, database, profiler }, run));
    }
    const peakMb = peak.stop();
    if (profiler) detail['after the scenarios'] = await profiler.memoryDetail();
    return { records, loadSeconds, memory: { afterStartMb, idleMb, peakMb, ...(profiler ? { detail } : {}) } };
  } catch (err) {
    throw new Error(`${suite.name}: ${(err as Error).message}\n--- last output of the server ---\n${server.output()}`);
  } finally {
    profiler?.close();
    await server.stop();
    await Promise.all(peers.map((p) => p.server.stop()));
  }
}

/** The suite's peers, started one after another (each runs its migrations) and left unmeasured. */
async function startPeers(suite: Suite<unknown>, ctx: SuiteContext, run: RunContext): Promise<{ name: string; server: ServerProcess }[]> {
  const started: { name: string; server: ServerProcess }[] = [];
  try {
    for (const [name, spec] of Object.entries(suite.peers?.(ctx) ?? {})) {
      const server = await startServer(spec, await freePort());
      started.push({ name, server });
      run.log(`${suite.name}: peer ${name} at ${server.baseUrl}`);
    }
    return started;
  } catch (err) {
    await Promise.all(started.map((p) => p.server.stop()));
    throw err;
  }
}

/**
 * The state autovacuum and the checkpointer reach within minutes of a bulk load: planner
 * statistics, GIN indexes' pending lists merged, and the load's dirty pages written out. Without
 * the VACUUM every search scans the pending list of all freshly loaded rows (measured: 76 buffers
 * and 1.2 ms per two-parameter search instead of 4 and 0.05 ms), a state that lasts only until
 * autovacuum's next round. Without the CHECKPOINT the load's checkpoints (a million blocks write
 * about 5 GB of WAL) go on writing through the measured runs, of this suite and the next: `$locate`
 * measured right after the consent registry's suite: 2,444, 2,668 and 2,893/s (p99 8.6 to 10.6 ms)
 * without the CHECKPOINT, 3,104 and 3,201/s (p99 9.0 and 8.5 ms) with it; run alone, 3,284 to 3,337/s. CHECKPOINT needs a
 * superuser or the pg_checkpoint role; without either the run says so and goes on.
 */
async function vacuumAnalyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE');
    await client
      .query('CHECKPOINT')
      .catch((err: Error) => console.log(`[bench] no CHECKPOINT after the load (${err.message}): the load's writes may overlap the runs`));
  } finally {
    await client.end();
  }
}
