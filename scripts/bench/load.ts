// The load generator, in a process of its own so that it never shares a core's time with the
// server it measures inside one process. The orchestrator (run.ts) forks it once per scenario:
//
//   node scripts/bench/load.ts --url=http://127.0.0.1:8081 --suite=service-catalogue \
//     --scenario=read --data=data.json [--connections=8] [--warmup=3] [--duration=10]
//
// It checks a few sample answers, runs a discarded warm-up, then the measured run, and prints
// one JSON line (a LoadResult) on stdout. Forked with an IPC channel, it reports 'warmed' and
// waits for 'measure' before the measured run, so the orchestrator can start its samplers.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Samples, summarise } from './latency.ts';
import { errorRate, unexpectedCount, type LoadResult } from './load-result.ts';
import { loadSuite } from './scenarios/index.ts';
import type { BenchRequest, Scenario } from './types.ts';

const PROBES = 10;

interface Run {
  readonly result: autocannon.Result;
  readonly seconds: number;
  readonly samples: Samples;
}

function cannon(url: string, connections: number, seconds: number, next: () => BenchRequest): Promise<Run> {
  const samples = new Samples();
  const started = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (req) => {
              const r = next();
              return { ...req, method: r.method, path: r.path, body: r.body, headers: { ...req.headers, ...r.headers } };
            },
          },
        ],
      },
      (err: unknown, result: autocannon.Result) => (err ? fail(err) : done({ result, seconds: Number(process.hrtime.bigint() - started) / 1e9, samples })),
    );
    instance.on('response', (_client, _status, _bytes, ms) => samples.add(ms));
  });
}

/** A few requests before any load: a run that would measure refusals or empty answers stops here. */
async function probe(url: string, scenario: Scenario, next: () => BenchRequest): Promise<void> {
  for (let i = 0; i < PROBES; i++) {
    const r = next();
    const res = await fetch(url + r.path, { method: r.method, headers: r.headers, body: r.body });
    const body = await res.text();
    if (res.status !== scenario.expectStatus)
      throw new Error(`${r.method} ${r.path} answered ${res.status}, expected ${scenario.expectStatus}: ${body.slice(0, 600)}`);
    const problem = scenario.check?.(body);
    if (problem) throw new Error(`${r.method} ${r.path}: ${problem}`);
  }
}

function waitFor(phase: string): Promise<void> {
  return new Promise((done) => {
    const on = (m: unknown) => {
      if ((m as { phase?: string }).phase === phase) {
        process.off('message', on);
        done();
      }
    };
    process.on('message', on);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      suite: { type: 'string' },
      scenario: { type: 'string' },
      data: { type: 'string' },
      connections: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
    },
  });
  if (!values.url || !values.suite || !values.scenario) throw new Error('--url, --suite and --scenario are required');
  const suite = await loadSuite(values.suite);
  const scenario = suite.scenarios.find((s) => s.id === values.scenario);
  if (!scenario) throw new Error(`${values.suite} has no scenario '${values.scenario}' (it has ${suite.scenarios.map((s) => s.id).join(', ')})`);
  const data: unknown = values.data ? JSON.parse(readFileSync(values.data, 'utf8')) : null;
  const connections = Number(values.connections);
  const warmupSeconds = Number(values.warmup);
  const next = () => scenario.request(data, Math.random);

  await probe(values.url, scenario, next);
  const warm = await cannon(values.url, connections, warmupSeconds, next);
  if (process.send) {
    const go = waitFor('measure');
    process.send({ phase: 'warmed' });
    await go;
  }
  const cpuBefore = process.cpuUsage();
  const run = await cannon(values.url, connections, Number(values.duration), next);
  const cpu = process.cpuUsage(cpuBefore);

  const statusCodes = Object.fromEntries(Object.entries(run.result.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count]));
  const responses = run.samples.count;
  const unexpected = unexpectedCount(statusCodes, scenario.expectStatus);
  const warmCodes = Object.fromEntries(Object.entries(warm.result.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count]));
  const result: LoadResult = {
    suite: suite.name,
    scenario: scenario.id,
    connections,
    warmupSeconds,
    seconds: run.seconds,
    responses,
    rps: responses / run.seconds,
    latencyMs: summarise(run.samples.values()),
    statusCodes,
    errors: run.result.errors,
    timeouts: run.result.timeouts,
    unexpected,
    errorRate: errorRate({ responses, errors: run.result.errors, timeouts: run.result.timeouts, unexpected }),
    warmup: {
      responses: warm.samples.count,
      rps: warm.samples.count / warm.seconds,
      unexpected: unexpectedCount(warmCodes, scenario.expectStatus),
      errors: warm.result.errors + warm.result.timeouts,
    },
    loaderCpuPercent: ((cpu.user + cpu.system) / 1e6 / run.seconds) * 100,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
    process.exit(3);
  },
);
