import type { LatencySummary } from './latency.ts';

/** What the load runner prints (one JSON line on stdout) for one scenario's measured run. */
export interface LoadResult {
  readonly suite: string;
  readonly scenario: string;
  readonly connections: number;
  readonly warmupSeconds: number;
  /** Measured wall time of the run, in seconds. */
  readonly seconds: number;
  /** Responses received in the measured run, whatever their status. */
  readonly responses: number;
  readonly rps: number;
  readonly latencyMs: LatencySummary;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Connection errors and timeouts: requests that got no answer at all. */
  readonly errors: number;
  readonly timeouts: number;
  /** Answers whose status was not the scenario's expected one (404s, 422s, 5xx…). */
  readonly unexpected: number;
  readonly errorRate: number;
  readonly warmup: { readonly responses: number; readonly rps: number; readonly unexpected: number; readonly errors: number };
  /** CPU the load generator itself used, in % of one core, during the measured run. */
  readonly loaderCpuPercent: number;
}

/** More than one failed request in a thousand makes the run worthless: it measured refusals. */
export const MAX_ERROR_RATE = 0.001;

export function errorRate(c: { responses: number; errors: number; timeouts: number; unexpected: number }): number {
  const attempts = c.responses + c.errors + c.timeouts;
  if (attempts === 0) return 1;
  return (c.errors + c.timeouts + c.unexpected) / attempts;
}

/** Answers with any status but the expected one. */
export function unexpectedCount(statusCodes: Readonly<Record<string, number>>, expected: number): number {
  let n = 0;
  for (const [code, count] of Object.entries(statusCodes)) if (Number(code) !== expected) n += count;
  return n;
}
