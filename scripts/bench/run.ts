// `npm run bench`: the figures of ARCHITECTURE.md "Performance". Each server under test and the
// load generator run in processes of their own; two yardsticks (bare node:http, and node:http
// with a pg primary-key read) run in the same session so that each service's figures can be read
// as ratios to what this machine can do at all. See USAGE in options.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { openBenchDatabase, type BenchDatabase } from './database.ts';
import { startAnchor } from './federation.ts';
import { OptionsError, parseOptions, selected, USAGE, type BenchOptions } from './options.ts';
import { ROOT, stopAllChildren } from './processes.ts';
import { machineBusy } from './proc-stats.ts';
import { formatProfile } from './profile-summary.ts';
import { formatMemoryDetail } from './profiler.ts';
import { renderReport, type BenchReport, type MemoryRecord, type ScenarioRecord, type ServiceRecord } from './report.ts';
import type { RunContext } from './run-scenario.ts';
import { runSuite } from './run-suite.ts';
import { loadSuite, SUITES } from './scenarios/index.ts';
import { judgeMemory, judgeScenario } from './targets.ts';

const RESULTS_DIR = resolve(ROOT, 'bench-results');
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

const tmpDir = mkdtempSync(join(tmpdir(), 'ndi-bench-'));
let database: BenchDatabase | undefined;
let keepDatabase = false;
let cleaning: Promise<void> | undefined;

/** Stops every child, drops the bench database (and an embedded server), removes scratch files; once. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAllChildren();
    if (keepDatabase && database && database.server.kind !== 'embedded') log(`kept the bench database: ${database.url}`);
    else await database?.drop().catch((err: unknown) => log(`could not drop the bench database: ${(err as Error).message}`));
    rmSync(tmpDir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping the servers and dropping the bench database`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  let o: BenchOptions;
  try {
    o = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const loadAverageBefore = loadavg();
  const busyBeforePercent = await machineBusy(2000);
  log(`machine busy before start: ${Math.round(busyBeforePercent)} % of ${cpus().length * 100} % (other people's work competes for the same cores)`);
  const suites = await Promise.all(Object.keys(SUITES).map(loadSuite));
  const services = suites.filter((s) => s.kind === 'service' && selected(o.only, s.name));
  if (o.only.length && services.length === 0) {
    console.error(
      `--only ${o.only.join(',')} names no service suite (known: ${suites
        .filter((s) => s.kind === 'service')
        .map((s) => s.name)
        .join(', ')})`,
    );
    return 2;
  }
  keepDatabase = o.keep;
  database = await openBenchDatabase(tmpDir, log);
  const db = database;
  const run: RunContext = { options: o, tmpDir, resultsDir: RESULTS_DIR, stamp, log };
  log(`PostgreSQL ${db.serverVersion} (${db.server.kind}); ${o.connections} connections, warm-up ${o.warmupSeconds} s, measured ${o.durationSeconds} s`);

  const yardsticks: ScenarioRecord[] = [];
  for (const suite of suites.filter((s) => s.kind === 'yardstick')) yardsticks.push(...(await runSuite(suite, db, run)).records);
  const bareRps = yardsticks.find((y) => y.suite === 'bare-http')?.result?.rps;
  const pgRps = yardsticks.find((y) => y.suite === 'http-pg')?.result?.rps;
  const withRatios = (r: ScenarioRecord): ScenarioRecord =>
    r.result ? { ...r, ...(bareRps ? { ratioToBare: r.result.rps / bareRps } : {}), ...(pgRps ? { ratioToPg: r.result.rps / pgRps } : {}) } : r;

  const missed: string[] = [];
  const serviceRecords: ServiceRecord[] = [];
  const anchor = services.length ? await startAnchor({ databaseUrl: db.url, schema: db.schema('federation'), schemaFor: db.schema, tmpDir }) : undefined;
  if (anchor) log(`trust anchor (federation) at ${anchor.server.baseUrl}`);
  for (const suite of services) {
    const measured = await runSuite(suite, db, run, anchor);
    const scenarios = measured.records.map((r) => {
      const target = suite.scenarios.find((s) => s.id === r.id)?.target;
      const rec = withRatios(r);
      if (!target || !rec.result || rec.error) return rec;
      const verdict = judgeScenario({ rps: rec.result.rps, p99: rec.result.latencyMs.p99 }, target, pgRps);
      if (!verdict.pass) missed.push(`${suite.name} ${r.id}: ${verdict.misses.join('; ')}`);
      return { ...rec, verdict };
    });
    let memory: MemoryRecord = measured.memory;
    if (suite.memory) {
      const v = judgeMemory(memory.idleMb, memory.peakMb, suite.memory);
      memory = { ...memory, idleTargetMb: suite.memory.idleMb, loadedTargetMb: suite.memory.loadedMb, idle: v.idle, loaded: v.loaded };
      for (const x of [v.idle, v.loaded]) if (!x.pass) missed.push(`${suite.name} memory: ${x.misses.join('; ')}`);
    }
    serviceRecords.push({ name: suite.name, loadSeconds: measured.loadSeconds, memory, scenarios });
  }

  await anchor?.stop();
  const all = [...yardsticks, ...serviceRecords.flatMap((s) => s.scenarios)];
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: {
      connections: o.connections,
      warmupSeconds: o.warmupSeconds,
      durationSeconds: o.durationSeconds,
      profile: o.profile,
      only: o.only,
      serviceNodeFlags: o.serviceNodeFlags,
    },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? '?',
      memoryGb: totalmem() / 2 ** 30,
      loadAverageBefore,
      busyBeforePercent,
      node: process.version,
    },
    postgres: { kind: db.server.kind, version: db.serverVersion },
    yardsticks: yardsticks.map(withRatios),
    services: serviceRecords,
    invalid: all.filter((r) => r.error).map((r) => `${r.suite} ${r.id}: ${r.error}`),
    missed,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${renderReport(report)}`);
  if (o.profile) {
    for (const r of all) {
      if (!r.profile) continue;
      const preempted = r.cpuPercent
        ? `; server process ${Math.round(r.cpuPercent.server)} % of a core, preempted ${Math.round(r.cpuPercent.serverPreemptionsPerSecond)} times/s`
        : '';
      console.log(`\n${formatProfile(`profile of ${r.suite} ${r.id}${preempted} → ${r.profile.file}`, r.profile.summary)}`);
    }
    for (const s of serviceRecords) {
      const detail = s.memory?.detail;
      if (detail)
        console.log(
          `\nmemory of ${s.name}:\n${Object.entries(detail)
            .map(([label, m]) => formatMemoryDetail(label, m))
            .join('\n')}`,
        );
    }
    console.log('\n(profiled run: the inspector and the profiler cost the service some throughput; compare figures from a run without --profile)');
  }
  console.log(`\nresults: ${file}`);
  if (report.invalid.length) return 1;
  return o.strict && missed.length ? 1 : 0;
}

main()
  .catch((err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
