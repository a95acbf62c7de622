/**
 * FHIR dates as half-open instant ranges [lo, hi): `2024` is all of 2024, `2024-05-02T10:00Z`
 * is that minute. Search compares ranges as the FHIR search rules describe. A time without a
 * zone is read as UTC (FHIR leaves it to the server; ours says so in the CapabilityStatement).
 */
export interface InstantRange {
  readonly lo: string;
  readonly hi: string;
}

export const MINUS_INFINITY = '-infinity';
export const PLUS_INFINITY = 'infinity';

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export function parseFhirDateRange(value: string): InstantRange | undefined {
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  const month = mo ? Number(mo) : undefined;
  const day = d ? Number(d) : undefined;
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > daysInMonth(year, month!))) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return undefined;
  const offsetMin = tz && tz !== 'Z' ? (tz.startsWith('-') ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) : 0;
  if (month === undefined) return range(Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1));
  if (day === undefined) return range(Date.UTC(year, month - 1, 1), Date.UTC(year, month, 1));
  if (h === undefined) return range(Date.UTC(year, month - 1, day), Date.UTC(year, month - 1, day + 1));
  const fracMs = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  const start = Date.UTC(year, month - 1, day, Number(h), Number(mi), s ? Number(s) : 0, fracMs) - offsetMin * 60_000;
  const step = frac ? 1 : s !== undefined ? 1000 : 60_000;
  return range(start, start + step);
}

function range(lo: number, hi: number): InstantRange {
  return { lo: new Date(lo).toISOString(), hi: new Date(hi).toISOString() };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
