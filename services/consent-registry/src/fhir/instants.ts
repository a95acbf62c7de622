import { FhirError } from '@ndi-mesh/kernel';

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * A FHIR date or dateTime as the half-open range of epoch milliseconds it names (`2026` is the
 * whole year). Zone-less values are read as UTC, as the kernel's search does.
 */
export function instantRange(value: string, expression: string): { lo: number; hi: number } {
  const m = DATE_RE.exec(value);
  if (!m) throw new FhirError('MESH-OP-001', { diagnostics: `'${value}' is not a FHIR date or dateTime`, expression });
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  if (mo === undefined) return { lo: Date.UTC(year, 0, 1), hi: Date.UTC(year + 1, 0, 1) };
  const month = Number(mo) - 1;
  if (d === undefined) return { lo: Date.UTC(year, month, 1), hi: Date.UTC(year, month + 1, 1) };
  const day = Number(d);
  if (h === undefined) return { lo: Date.UTC(year, month, day), hi: Date.UTC(year, month, day + 1) };
  const offsetMin = tz && tz !== 'Z' ? (tz.startsWith('-') ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) : 0;
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  const lo = Date.UTC(year, month, day, Number(h), Number(mi), s ? Number(s) : 0, ms) - offsetMin * 60_000;
  return { lo, hi: lo + (frac ? 1 : s !== undefined ? 1000 : 60_000) };
}

/** A period's start: the first instant it names. */
export const startOf = (value: string, expression: string): number => instantRange(value, expression).lo;

/**
 * A period's end, exclusive as the domain reads it (NSF-R1): an instant ends the period at that
 * instant; a date (FHIR: "includes any matching date") ends it when that day is over.
 */
export const exclusiveEndOf = (value: string, expression: string): number => {
  const r = instantRange(value, expression);
  return value.includes('T') ? r.lo : r.hi;
};

/** An information time window's upper bound, inclusive (NSF-R3): the last millisecond the value names. */
export const inclusiveEndOf = (value: string, expression: string): number => instantRange(value, expression).hi - 1;

export const iso = (ms: number): string => new Date(ms).toISOString();
