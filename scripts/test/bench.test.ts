// The benchmark's own arithmetic: the figures it prints are only as good as these parts. The
// runs themselves are exercised by `npm run bench`, never by timed tests.
import { chunks } from '../bench/fhir-client.ts';
import { percentile, Samples, summarise } from '../bench/latency.ts';
import { errorRate, MAX_ERROR_RATE, unexpectedCount } from '../bench/load-result.ts';
import { OptionsError, parseOptions, selected } from '../bench/options.ts';
import { isPostgresFor, parseProcStat, parseStatCpuTicks, parseVmRssKb } from '../bench/proc-stats.ts';
import { areaOf, summariseProfile } from '../bench/profile-summary.ts';
import type { CpuProfile } from '../bench/profiler.ts';
import { formatTable, perRequestUs, renderReport, scenarioRow, type BenchReport, type ScenarioRecord } from '../bench/report.ts';
import { describeTarget, judgeMemory, judgeScenario } from '../bench/targets.ts';
import type { LoadResult } from '../bench/load-result.ts';

describe('latency percentiles', () => {
  test('nearest rank: p50 of 1..100 is 50, p99 is 99, p100 is the maximum', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 90)).toBe(90);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
  });

  test('a single slow answer in a hundred shows at p100, not at p99', () => {
    const values = [...Array.from({ length: 99 }, () => 1), 500];
    const s = summarise(values);
    expect(s.p99).toBe(1);
    expect(s.max).toBe(500);
    expect(s.mean).toBeCloseTo(5.99);
  });

  test('keeps sub-millisecond precision (autocannon rounds to whole ms)', () => {
    const s = summarise([0.21, 0.25, 0.4, 0.22]);
    expect(s.p50).toBe(0.22);
  });

  test('sorts numerically, not as text', () => {
    expect(summarise([10, 9, 100, 2]).p50).toBe(9);
  });

  test('refuses percentiles outside (0, 100] and answers NaN for no samples', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(percentile([], 50)).toBeNaN();
  });

  test('the sample buffer grows past its first allocation and keeps every value', () => {
    const s = new Samples();
    for (let i = 0; i < 200_000; i++) s.add(i);
    expect(s.count).toBe(200_000);
    expect(s.values()[199_999]).toBe(199_999);
  });
});

describe('error rate', () => {
  test('counts answers with any status but the expected one, 2xx included', () => {
    expect(unexpectedCount({ '200': 990, '404': 7, '500': 3 }, 200)).toBe(10);
    expect(unexpectedCount({ '201': 5, '200': 1 }, 201)).toBe(1);
  });

  test('connection errors and timeouts count as failures and as attempts', () => {
    expect(errorRate({ responses: 998, errors: 1, timeouts: 1, unexpected: 0 })).toBeCloseTo(0.002);
    expect(errorRate({ responses: 1000, errors: 0, timeouts: 0, unexpected: 1 })).toBe(MAX_ERROR_RATE);
  });

  test('a run with no answers at all is entirely failed', () => {
    expect(errorRate({ responses: 0, errors: 0, timeouts: 0, unexpected: 0 })).toBe(1);
  });
});

describe('targets', () => {
  const read = { minRps: 3000, maxP99Ms: 8, minShareOfPg: 0.5 };

  test('passes when every part of the target is met', () => {
    expect(judgeScenario({ rps: 3100, p99: 7.9 }, read, 6000)).toEqual({ pass: true, misses: [] });
  });

  test('names each miss and by how much', () => {
    const v = judgeScenario({ rps: 2400, p99: 10 }, read, 6000);
    expect(v.pass).toBe(false);
    expect(v.misses).toEqual(['2400/s is 20 % below 3000/s', 'p99 10.00 ms is 25 % above 8 ms', '0.40 × http+pg is below 0.5 ×']);
  });

  test('a share of the pg yardstick cannot pass without the yardstick', () => {
    expect(judgeScenario({ rps: 5000, p99: 1 }, read, undefined).misses).toEqual(['no http+pg yardstick to compare with']);
  });

  test('memory: idle and loaded are judged apart', () => {
    const v = judgeMemory(90, 250, { idleMb: 100, loadedMb: 192 });
    expect(v.idle.pass).toBe(true);
    expect(v.loaded).toEqual({ pass: false, misses: ['peak RSS 250 MB is 30 % above 192 MB'] });
  });

  test('describes a target as the table prints it', () => {
    expect(describeTarget(read)).toBe('≥3000/s p99≤8ms ≥0.5×pg');
  });
});

describe('options', () => {
  test('defaults: 10 s measured after a 3 s warm-up, 8 connections (ARCHITECTURE.md)', () => {
    const o = parseOptions([], {});
    expect([o.durationSeconds, o.warmupSeconds, o.connections, o.profile, o.strict]).toEqual([10, 3, 8, false, false]);
  });

  test('--quick shortens the runs; BENCH_DURATION and --duration override it', () => {
    expect(parseOptions(['--quick'], {}).durationSeconds).toBe(3);
    expect(parseOptions(['--quick'], { BENCH_DURATION: '5' }).durationSeconds).toBe(5);
    expect(parseOptions(['--duration=7'], { BENCH_DURATION: '5' }).durationSeconds).toBe(7);
  });

  test('node flags for the services keep their own = signs', () => {
    expect(parseOptions(['--node-flags=--max-semi-space-size=16 --max-old-space-size=128'], {}).serviceNodeFlags).toEqual([
      '--max-semi-space-size=16',
      '--max-old-space-size=128',
    ]);
  });

  test('refuses unknown options and bad numbers', () => {
    expect(() => parseOptions(['--fast'], {})).toThrow(OptionsError);
    expect(() => parseOptions([], { BENCH_DURATION: 'ten' })).toThrow(/BENCH_DURATION/);
    expect(() => parseOptions(['--connections=2.5'], {})).toThrow(/whole number/);
    expect(() => parseOptions(['--duration=0'], {})).toThrow(OptionsError);
    expect(() => parseOptions(['--only'], {})).toThrow(/needs a value/);
  });

  test('--only picks suites and scenarios', () => {
    const only = parseOptions(['--only=service-catalogue:read,patient-data-index'], {}).only;
    expect(selected(only, 'service-catalogue', 'read')).toBe(true);
    expect(selected(only, 'service-catalogue', 'create')).toBe(false);
    expect(selected(only, 'patient-data-index', 'locate')).toBe(true);
    expect(selected(only, 'consent-registry')).toBe(false);
    expect(selected([], 'anything', 'at-all')).toBe(true);
  });
});

describe('reading /proc', () => {
  test('VmRSS in kB', () => {
    expect(parseVmRssKb('Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nVmData:\t 1 kB\n')).toBe(123456);
    expect(() => parseVmRssKb('Name:\tzombie\n')).toThrow();
  });

  test('utime + stime, even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 1000';
    expect(parseStatCpuTicks(stat)).toBe(300);
  });

  test('machine busy and total from the cpu line, idle and iowait being the idle part', () => {
    expect(parseProcStat('cpu  100 5 20 800 10 1 2 3 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n')).toEqual({ busy: 131, total: 941 });
  });

  test("PostgreSQL's processes for the bench database, but not other databases' backends", () => {
    const mine = isPostgresFor('ndi_bench_77');
    expect(mine('postgres: 15/main: postgres ndi_bench_77 127.0.0.1(40112) idle')).toBe(true);
    expect(mine('postgres: postgres ndi_bench_77 127.0.0.1(40112) SELECT')).toBe(true);
    expect(mine('postgres: 15/main: postgres t_service_catalogue_ab12 127.0.0.1(40113) idle')).toBe(false);
    expect(mine('postgres: 15/main: autovacuum worker ndi_bench_77')).toBe(true);
    expect(mine('postgres: 15/main: autovacuum worker t_other')).toBe(false);
    expect(mine('postgres: 15/main: walwriter')).toBe(true);
    expect(mine('node services/service-catalogue/src/main.ts')).toBe(false);
  });
});

describe('profile summary', () => {
  // root → handler (kernel) → validate (@medplum/core); root → writev (native)
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9, columnNumber: 0 });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 4, 5] },
      { id: 2, callFrame: frame('handler', 'file:///w/services/kernel/src/http/app.ts'), children: [3] },
      { id: 3, callFrame: frame('validate', 'file:///w/node_modules/@medplum/core/dist/esm/index.mjs') },
      { id: 4, callFrame: frame('writev', '') },
      { id: 5, callFrame: frame('(idle)', '') },
    ],
    startTime: 0,
    endTime: 10_000,
    // Each sample stands for the time until the next: 3 in validate, 1 in handler, 4 in writev, 2 idle (ms).
    samples: [3, 3, 3, 2, 4, 4, 4, 4, 5, 5],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  };

  test('every sample by area; the work (without idle and socket writes) by area and function, inclusive through the callers', () => {
    const s = summariseProfile(profile);
    expect(s.totalMs).toBeCloseTo(10);
    const area = Object.fromEntries(s.selfByArea.map((x) => [x.name, x.percent]));
    expect(area).toEqual({ '(socket writes, native)': 40, '@medplum/core': 30, '(idle)': 20, 'kernel/http': 10 });
    expect(s.workMs).toBeCloseTo(4);
    expect(Object.fromEntries(s.workByArea.map((x) => [x.name, x.percent]))).toEqual({ '@medplum/core': 75, 'kernel/http': 25 });
    const self = Object.fromEntries(s.workSelfByFunction.map((x) => [x.name.split(' ')[0], x.ms]));
    expect(self).toEqual({ validate: 3, handler: 1 });
    const inclusive = Object.fromEntries(s.workInclusiveByFunction.map((x) => [x.name.split(' ')[0], x.percent]));
    expect(inclusive).toEqual({ handler: 100, validate: 75 });
  });

  test('areas: packages by name, the kernel by folder, node built-ins together', () => {
    expect(areaOf(frame('f', 'file:///x/node_modules/pg/lib/client.js'))).toBe('pg');
    expect(areaOf(frame('f', 'file:///x/node_modules/@medplum/core/dist/index.mjs'))).toBe('@medplum/core');
    expect(areaOf(frame('f', 'file:///x/services/kernel/src/storage/db.ts'))).toBe('kernel/storage');
    expect(areaOf(frame('f', 'node:net'))).toBe('node (built-in modules)');
  });
});

describe('report', () => {
  const result: LoadResult = {
    suite: 'service-catalogue',
    scenario: 'read',
    connections: 8,
    warmupSeconds: 3,
    seconds: 10,
    responses: 31_000,
    rps: 3100,
    latencyMs: { p50: 1.234, p90: 2.5, p99: 7.91, max: 20, mean: 1.4 },
    statusCodes: { '200': 31_000 },
    errors: 0,
    timeouts: 0,
    unexpected: 0,
    errorRate: 0,
    warmup: { responses: 9000, rps: 3000, unexpected: 0, errors: 0 },
    loaderCpuPercent: 30,
  };
  const record: ScenarioRecord = {
    suite: 'service-catalogue',
    id: 'read',
    title: 'read',
    result,
    cpuPercent: { server: 95, postgres: 60, loader: 30, other: 5, serverPreemptionsPerSecond: 10 },
    ratioToBare: 0.1,
    ratioToPg: 0.62,
    target: '≥3000/s p99≤8ms ≥0.5×pg',
    verdict: { pass: true, misses: [] },
  };

  test('a row carries the figures, ratios, CPU split and verdict', () => {
    expect(scenarioRow('service-catalogue read', record)).toEqual([
      'service-catalogue read',
      '3100',
      '1.23',
      '2.50',
      '7.91',
      '0',
      '0.10×',
      '0.62×',
      '95 / 60 / 30 / 5',
      '306 / 194',
      '≥3000/s p99≤8ms ≥0.5×pg',
      'PASS',
    ]);
  });

  test('CPU per request: a core at 100 % serving 4,000 requests/s spends 250 µs on each', () => {
    expect(perRequestUs(100, 4000)).toBe('250');
    expect(perRequestUs(50, 0)).toBe('—');
  });

  test('an invalid run says so instead of printing figures', () => {
    const row = scenarioRow('x', { ...record, error: '2.00 % of requests failed' });
    expect(row[1]).toBe('INVALID');
    expect(row.at(-1)).toBe('2.00 % of requests failed');
  });

  test('columns line up; the last one is not padded', () => {
    const t = formatTable(
      ['a', 'n', 'why'],
      [
        ['long name', '1', 'x'],
        ['b', '12345', 'a long reason'],
      ],
    ).split('\n');
    expect(t[0]).toBe('a              n  why');
    expect(t[2]).toBe('long name      1  x');
    expect(t[3]).toBe('b          12345  a long reason');
  });

  test('the text report flags invalid runs and noisy neighbours', () => {
    const report: BenchReport = {
      startedAt: '',
      finishedAt: '',
      options: {},
      machine: { cpus: 2, cpuModel: 'cpu', memoryGb: 8, loadAverageBefore: [0.1, 0.2, 0.3], busyBeforePercent: 3, node: 'v24' },
      postgres: { kind: 'local', version: '15' },
      yardsticks: [],
      services: [{ name: 'service-catalogue', loadSeconds: 5, scenarios: [{ ...record, cpuPercent: { ...record.cpuPercent!, other: 80 } }] }],
      invalid: ['service-catalogue create: 5 % failed'],
      missed: [],
    };
    const text = renderReport(report);
    expect(text).toMatch(/NOISY: .*service-catalogue read/);
    expect(text).toMatch(/INVALID RUNS[^\n]*\n  service-catalogue create: 5 % failed/);
  });
});

describe('loading through the API', () => {
  test('chunks keep every item, in order, at most n to a chunk', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 1000)).toEqual([]);
    expect(() => chunks([1], 0)).toThrow(RangeError);
  });
});
