import type { DataWindow, Instant, Period } from './model.ts';

/** NSF-R1: start inclusive, end exclusive, so a block ending at 12:00 no longer binds at 12:00. */
export function inForce(period: Period, now: Instant): boolean {
  return period.start <= now && (period.end === undefined || now < period.end);
}

/**
 * NSF-R3, as the current block service's CheckBlocks evaluates an information time window: data
 * inside the window, or overlapping either end of it, is covered; only data wholly outside is not.
 * Data of unknown date is covered: when in doubt the owner withholds rather than releases.
 */
export function windowCovers(window: DataWindow | undefined, data: DataWindow | undefined): boolean {
  if (window === undefined || data === undefined) return true;
  const dataStart = data.from ?? Number.NEGATIVE_INFINITY;
  const dataEnd = data.to ?? Number.POSITIVE_INFINITY;
  const windowStart = window.from ?? Number.NEGATIVE_INFINITY;
  const windowEnd = window.to ?? Number.POSITIVE_INFINITY;
  return dataStart <= windowEnd && dataEnd >= windowStart;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
