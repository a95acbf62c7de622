import type { LoadResult } from './load-result.ts';
import type { ProfileSummary } from './profile-summary.ts';
import type { MemoryDetail } from './profiler.ts';
import type { Verdict } from './targets.ts';

/** One scenario's figures as the run records them (and writes to bench-results/*.json). */
export interface ScenarioRecord {
  readonly suite: string;
  readonly id: string;
  readonly title: string;
  readonly result?: LoadResult;
  /** Why the run is invalid (probe failed, error rate too high, loader crashed). */
  readonly error?: string;
  /**
   * CPU during the measured run in % of one core: the server process, its database's PostgreSQL
   * backends, the load generator, and everything else on the machine (other people's work).
   */
  readonly cpuPercent?: {
    readonly server: number;
    readonly postgres: number;
    readonly loader: number;
    readonly other: number;
    readonly serverPreemptionsPerSecond: number;
  };
  readonly peakRssMb?: number;
  readonly ratioToBare?: number;
  readonly ratioToPg?: number;
  readonly target?: string;
  readonly verdict?: Verdict;
  readonly profile?: { readonly file: string; readonly summary: ProfileSummary };
}

export interface MemoryRecord {
  readonly afterStartMb: number;
  readonly idleMb: number;
  readonly peakMb: number;
  readonly idleTargetMb?: number;
  readonly loadedTargetMb?: number;
  readonly idle?: Verdict;
  readonly loaded?: Verdict;
  /** With --profile: V8's heap spaces at moments of the run. */
  readonly detail?: Readonly<Record<string, MemoryDetail>>;
}

export interface ServiceRecord {
  readonly name: string;
  readonly loadSeconds: number;
  readonly memory?: MemoryRecord;
  readonly scenarios: readonly ScenarioRecord[];
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: object;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGb: number;
    readonly loadAverageBefore: readonly number[];
    readonly busyBeforePercent: number;
    readonly node: string;
  };
  readonly postgres: { readonly kind: string; readonly version: string };
  readonly yardsticks: readonly ScenarioRecord[];
  readonly services: readonly ServiceRecord[];
  /** Runs that measured nothing trustworthy; any makes the benchmark fail. */
  readonly invalid: readonly string[];
  readonly missed: readonly string[];
}

const ms = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const ratio = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(2)}×`);
const pct = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : String(Math.round(v)));

/**
 * CPU time per request in µs from a share of a core and a rate: what a request costs the server
 * (or PostgreSQL), which other work on the machine changes far less than it changes requests/s.
 */
export function perRequestUs(percentOfCore: number, rps: number): string {
  if (!(rps > 0) || Number.isNaN(percentOfCore)) return '—';
  return String(Math.round((percentOfCore / 100) * (1e6 / rps)));
}

export function verdictText(v: Verdict | undefined): string {
  if (!v) return '';
  return v.pass ? 'PASS' : `MISS: ${v.misses.join('; ')}`;
}

function failures(r: LoadResult): string {
  const n = r.errors + r.timeouts + r.unexpected;
  return n === 0 ? '0' : `${n} (${(r.errorRate * 100).toFixed(2)} %)`;
}

export function scenarioRow(label: string, s: ScenarioRecord): string[] {
  const r = s.result;
  if (!r || s.error) return [label, 'INVALID', '', '', '', '', '', '', '', '', s.target ?? '', s.error ?? 'no result'];
  return [
    label,
    String(Math.round(r.rps)),
    ms(r.latencyMs.p50),
    ms(r.latencyMs.p90),
    ms(r.latencyMs.p99),
    failures(r),
    ratio(s.ratioToBare),
    ratio(s.ratioToPg),
    s.cpuPercent ? [s.cpuPercent.server, s.cpuPercent.postgres, s.cpuPercent.loader, Math.max(0, s.cpuPercent.other)].map(pct).join(' / ') : '—',
    s.cpuPercent ? `${perRequestUs(s.cpuPercent.server, r.rps)} / ${perRequestUs(s.cpuPercent.postgres, r.rps)}` : '—',
    s.target ?? '',
    verdictText(s.verdict),
  ];
}

/** More than this much CPU used by others (in % of one core) makes a run's figures suspect. */
export const NOISY_OTHER_PERCENT = 25;

export const HEADER = [
  'scenario',
  'req/s',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'errors',
  '×bare',
  '×pg',
  'CPU % srv/pg/load/other',
  'CPU µs/req srv/pg',
  'target',
  'result',
];

/** A plain-text table; the last column is left unpadded so long reasons do not widen the rest. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = new Set([1, 2, 3, 4, 5, 6, 7]);
  const line = (r: readonly string[]) =>
    r
      .map((v, i) => (i === r.length - 1 ? v : right.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(header.map((_, i) => '-'.repeat(i === header.length - 1 ? header[i]!.length : widths[i]!))), ...rows.map(line)].join('\n');
}

export function memoryRows(m: MemoryRecord): string[][] {
  const row = (label: string, value: number, target: number | undefined, v: Verdict | undefined) => [
    label,
    `${value.toFixed(0)} MB`,
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    target === undefined ? '' : `≤${target} MB`,
    verdictText(v),
  ];
  return [
    row('  RSS after start', m.afterStartMb, undefined, undefined),
    row('  RSS idle, after load', m.idleMb, m.idleTargetMb, m.idle),
    row('  RSS peak under load', m.peakMb, m.loadedTargetMb, m.loaded),
  ];
}

export function renderReport(report: BenchReport): string {
  const rows: string[][] = [];
  for (const y of report.yardsticks) rows.push(scenarioRow(`yardstick ${y.suite}`, y));
  for (const s of report.services) {
    for (const sc of s.scenarios) rows.push(scenarioRow(`${s.name} ${sc.id}`, sc));
    if (s.memory) rows.push(...memoryRows(s.memory));
  }
  const m = report.machine;
  const lines = [
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb.toFixed(0)} GB, load average before ${m.loadAverageBefore.map((l) => l.toFixed(2)).join(' ')}, busy before start ${Math.round(m.busyBeforePercent)} % of ${m.cpus * 100} %; node ${m.node}; PostgreSQL ${report.postgres.version} (${report.postgres.kind})`,
    `method: ${JSON.stringify(report.options)}`,
    '',
    formatTable(HEADER, rows),
    '',
    `CPU % srv/pg/load/other: % of one core (the machine has ${m.cpus} cores, ${m.cpus * 100} %) used during the measured run by the server process, the bench database's PostgreSQL backends, the load generator, and everything else. CPU µs/req: CPU time the server process and PostgreSQL spent per request.`,
  ];
  const busy = [...report.yardsticks, ...report.services.flatMap((s) => s.scenarios)].filter((s) => (s.cpuPercent?.other ?? 0) > NOISY_OTHER_PERCENT);
  if (busy.length)
    lines.push(
      `NOISY: other work used more than ${NOISY_OTHER_PERCENT} % of a core during ${busy.map((s) => `${s.suite} ${s.id}`).join(', ')}; those figures are lower than this machine can do.`,
    );
  if (report.invalid.length) lines.push('', 'INVALID RUNS (their figures mean nothing):', ...report.invalid.map((i) => `  ${i}`));
  if (report.missed.length) lines.push('', 'Targets missed:', ...report.missed.map((i) => `  ${i}`));
  return lines.join('\n');
}
