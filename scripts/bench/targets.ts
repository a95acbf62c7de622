import type { MemoryTargets, Target } from './types.ts';

/** Whether a figure reached its target, and by how much it missed when it did not. */
export interface Verdict {
  readonly pass: boolean;
  readonly misses: readonly string[];
}

export interface Measured {
  readonly rps: number;
  readonly p99: number;
}

const pct = (measured: number, limit: number): string => `${Math.round((Math.abs(measured - limit) / limit) * 100)} %`;

export function judgeScenario(m: Measured, target: Target, pgYardstickRps: number | undefined): Verdict {
  const misses: string[] = [];
  if (m.rps < target.minRps) misses.push(`${Math.round(m.rps)}/s is ${pct(m.rps, target.minRps)} below ${target.minRps}/s`);
  if (m.p99 > target.maxP99Ms) misses.push(`p99 ${m.p99.toFixed(2)} ms is ${pct(m.p99, target.maxP99Ms)} above ${target.maxP99Ms} ms`);
  if (target.minShareOfPg !== undefined) {
    if (pgYardstickRps === undefined || pgYardstickRps <= 0) misses.push('no http+pg yardstick to compare with');
    else {
      const share = m.rps / pgYardstickRps;
      if (share < target.minShareOfPg) misses.push(`${share.toFixed(2)} × http+pg is below ${target.minShareOfPg} ×`);
    }
  }
  return { pass: misses.length === 0, misses };
}

export function judgeMemory(idleMb: number, peakMb: number, target: MemoryTargets): { idle: Verdict; loaded: Verdict } {
  const one = (value: number, limit: number, what: string): Verdict =>
    value <= limit ? { pass: true, misses: [] } : { pass: false, misses: [`${what} ${value.toFixed(0)} MB is ${pct(value, limit)} above ${limit} MB`] };
  return { idle: one(idleMb, target.idleMb, 'idle RSS'), loaded: one(peakMb, target.loadedMb, 'peak RSS') };
}

export function describeTarget(t: Target): string {
  const parts = [`≥${t.minRps}/s`, `p99≤${t.maxP99Ms}ms`];
  if (t.minShareOfPg !== undefined) parts.push(`≥${t.minShareOfPg}×pg`);
  return parts.join(' ');
}
