import type { CpuProfile, CpuProfileNode } from './profiler.ts';

/**
 * Where a profiled run's time went. `selfByArea` covers every sample; the `work` views leave out
 * the samples that were idle or in socket writes (which on a busy machine are mostly time spent
 * descheduled) and give the rest as shares of that work: what the code itself spends time on.
 */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly selfByArea: readonly Share[];
  readonly workMs: number;
  readonly workByArea: readonly Share[];
  readonly workSelfByFunction: readonly Share[];
  readonly workInclusiveByFunction: readonly Share[];
}

export interface Share {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

const ROOT_LIKE = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);
const IDLE = '(idle)';
const SOCKET_WRITES_AREA = '(socket writes, native)';

/**
 * Native functions that write to a socket. The profiler samples wall time, so on an oversubscribed
 * machine the time the thread spends descheduled after waking the reader (PostgreSQL, the load
 * generator) lands here too.
 */
const SOCKET_WRITES = new Set(['writev', 'writeUtf8String', 'writeBuffer', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String']);

/** `node_modules/@medplum/core/dist/…` → `@medplum/core`; `services/kernel/src/http/app.ts` → `kernel/http`. */
export function areaOf(frame: CpuProfileNode['callFrame']): string {
  const url = frame.url;
  if (!url) {
    if (ROOT_LIKE.has(frame.functionName)) return frame.functionName;
    return SOCKET_WRITES.has(frame.functionName) ? SOCKET_WRITES_AREA : '(native, other)';
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node (built-in modules)';
  const svc = /services\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(url);
  if (svc) return svc[2] ? `${svc[1]}/${svc[2]}` : svc[1]!;
  const scripts = /scripts\/(.+)$/.exec(url);
  if (scripts) return `scripts/${scripts[1]}`;
  return url.replace(/^file:\/\//, '');
}

export function functionKey(frame: CpuProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const short = frame.url.replace(/^file:\/\/.*?\/(node_modules|services|scripts)\//, '$1/').replace(/^node_modules\//, '');
  return `${name} ${short}:${frame.lineNumber + 1}`;
}

function top(map: Map<string, number>, totalMs: number, n: number): Share[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, ms, percent: totalMs > 0 ? (ms / totalMs) * 100 : 0 }));
}

export function summariseProfile(profile: CpuProfile, n = 15): ProfileSummary {
  const byId = new Map<number, CpuProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const c of node.children ?? []) parent.set(c, node.id);
  }
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Each sample stands for the time until the next one (µs); the last gets the mean.
  const mean = samples.length ? (profile.endTime - profile.startTime) / samples.length : 0;
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  const area = new Map<string, number>();
  const workArea = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalMs = 0;
  let workMs = 0;
  for (let i = 0; i < samples.length; i++) {
    const ms = (i + 1 < deltas.length ? deltas[i + 1]! : mean) / 1000;
    const node = byId.get(samples[i]!);
    if (!node) continue;
    totalMs += ms;
    const a = areaOf(node.callFrame);
    add(area, a, ms);
    if (a === IDLE || a === SOCKET_WRITES_AREA) continue;
    workMs += ms;
    add(workArea, a, ms);
    add(self, functionKey(node.callFrame), ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (ROOT_LIKE.has(frame.functionName) && !frame.url) continue;
      const k = functionKey(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      add(inclusive, k, ms);
    }
  }
  return {
    totalMs,
    selfByArea: top(area, totalMs, n),
    workMs,
    workByArea: top(workArea, workMs, n),
    workSelfByFunction: top(self, workMs, n),
    workInclusiveByFunction: top(inclusive, workMs, n),
  };
}

export function formatProfile(title: string, s: ProfileSummary, n = 12): string {
  const block = (head: string, rows: readonly Share[]) => [`  ${head}`, ...rows.slice(0, n).map((r) => `    ${r.percent.toFixed(1).padStart(5)} %  ${r.name}`)];
  const workShare = s.totalMs > 0 ? Math.round((s.workMs / s.totalMs) * 100) : 0;
  return [
    `${title} (${(s.totalMs / 1000).toFixed(1)} s of samples)`,
    ...block('all samples by package / area', s.selfByArea.slice(0, 4)),
    `  the rest, without idle and socket writes (${workShare} % of the samples):`,
    ...block('self time by package / area', s.workByArea),
    ...block('self time by function', s.workSelfByFunction),
    ...block('inclusive time by function', s.workInclusiveByFunction),
  ].join('\n');
}
