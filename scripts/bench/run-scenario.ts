import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_ERROR_RATE, type LoadResult } from './load-result.ts';
import type { BenchOptions } from './options.ts';
import { track, type ServerProcess } from './processes.ts';
import { CpuWindow, isPostgresFor, RssSampler } from './proc-stats.ts';
import { summariseProfile } from './profile-summary.ts';
import type { InspectorProfiler } from './profiler.ts';
import type { ScenarioRecord } from './report.ts';
import { describeTarget } from './targets.ts';
import type { Scenario, Suite } from './types.ts';

const LOAD_SCRIPT = resolve(import.meta.dirname, 'load.ts');

/** What one run shares with each of its scenarios. */
export interface RunContext {
  readonly options: BenchOptions;
  readonly tmpDir: string;
  readonly resultsDir: string;
  /** Names this run's files in the results directory. */
  readonly stamp: string;
  log(line: string): void;
}

export interface Measured {
  readonly server: ServerProcess;
  /** The bench database's name, to tell its PostgreSQL backends from others'. */
  readonly database: string;
  readonly profiler?: InspectorProfiler;
}

/**
 * One scenario: forks the load generator (its own process), starts the CPU window and the
 * profiler when it reports its warm-up done, and collects its result with the server's CPU and
 * memory. A run whose probe failed or whose error rate passes MAX_ERROR_RATE is marked invalid.
 */
export async function runScenario(suite: Suite<unknown>, scenario: Scenario<unknown>, dataFile: string, m: Measured, run: RunContext): Promise<ScenarioRecord> {
  const o = run.options;
  const base = { suite: suite.name, id: scenario.id, title: scenario.title, ...(scenario.target ? { target: describeTarget(scenario.target) } : {}) };
  run.log(`${suite.name} ${scenario.id}: probe, warm-up ${o.warmupSeconds} s, measured ${o.durationSeconds} s`);
  const args = [
    `--url=${m.server.baseUrl}`,
    `--suite=${suite.name}`,
    `--scenario=${scenario.id}`,
    `--data=${dataFile}`,
    `--connections=${o.connections}`,
    `--warmup=${o.warmupSeconds}`,
    `--duration=${o.durationSeconds}`,
  ];
  const child: ChildProcess = fork(LOAD_SCRIPT, args, { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  track(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const rss = new RssSampler(m.server.pid);
  rss.start();
  let cpu: CpuWindow | undefined;
  let profiling = false;
  child.on('message', (msg: { phase?: string }) => {
    if (msg.phase !== 'warmed') return;
    void (async () => {
      try {
        if (m.profiler) {
          await m.profiler.start();
          profiling = true;
        }
      } catch (err) {
        run.log(`${suite.name} ${scenario.id}: the profiler did not start: ${(err as Error).message}`);
      }
      cpu = new CpuWindow(m.server.pid, isPostgresFor(m.database));
      if (child.connected) child.send({ phase: 'measure' });
    })();
  });
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  const usage = cpu?.end();
  const peakRssMb = rss.stop();
  let profile: ScenarioRecord['profile'];
  if (m.profiler && profiling) {
    const p = await m.profiler.stop();
    mkdirSync(run.resultsDir, { recursive: true });
    const file = join(run.resultsDir, `${run.stamp}-${suite.name}-${scenario.id}.cpuprofile`);
    writeFileSync(file, JSON.stringify(p));
    profile = { file, summary: summariseProfile(p) };
  }
  const parsed = lastJsonLine(stdout);
  if (!parsed || code !== 0 || 'error' in parsed) {
    const why = parsed && 'error' in parsed ? parsed.error : `load generator exited ${code}: ${(stderr || stdout).trim().slice(-1500)}`;
    run.log(`${suite.name} ${scenario.id}: INVALID: ${why}`);
    return { ...base, error: why, peakRssMb };
  }
  const result = parsed;
  const cpuPercent = usage && {
    server: usage.server,
    postgres: usage.postgres,
    loader: result.loaderCpuPercent,
    other: usage.machine - usage.server - usage.postgres - result.loaderCpuPercent,
    serverPreemptionsPerSecond: usage.serverPreemptionsPerSecond,
  };
  const record: ScenarioRecord = { ...base, result, ...(cpuPercent ? { cpuPercent } : {}), peakRssMb, ...(profile ? { profile } : {}) };
  if (result.errorRate > MAX_ERROR_RATE) {
    const why = `${(result.errorRate * 100).toFixed(2)} % of requests failed (limit ${MAX_ERROR_RATE * 100} %): status codes ${JSON.stringify(result.statusCodes)}, connection errors ${result.errors}, timeouts ${result.timeouts}`;
    run.log(`${suite.name} ${scenario.id}: INVALID: ${why}`);
    return { ...record, error: why };
  }
  run.log(`${suite.name} ${scenario.id}: ${Math.round(result.rps)} req/s, p99 ${result.latencyMs.p99.toFixed(2)} ms`);
  return record;
}

function lastJsonLine(stdout: string): LoadResult | { error: string } | undefined {
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as LoadResult | { error: string };
  } catch {
    return undefined;
  }
}
