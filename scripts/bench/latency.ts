/**
 * Latency percentiles from every response's time. autocannon's own histogram counts whole
 * milliseconds, which turns a 0.4 ms median into 0; the runner records each response's time
 * (a float in ms) and these functions summarise them.
 */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** A growable buffer of float samples, cheap enough to record one per response. */
export class Samples {
  private buffer = new Float64Array(1 << 16);
  private n = 0;

  add(value: number): void {
    if (this.n === this.buffer.length) {
      const bigger = new Float64Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.n++] = value;
  }

  get count(): number {
    return this.n;
  }

  values(): Float64Array {
    return this.buffer.subarray(0, this.n);
  }
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p % at or below it. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summarise(values: Float64Array | readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (const v of sorted) total += v;
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? total / sorted.length : Number.NaN,
  };
}
