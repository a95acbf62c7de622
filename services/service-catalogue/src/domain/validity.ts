import type { Period } from '@medplum/fhirtypes';
import { FhirError, parseFhirDateRange } from '@ndi-mesh/kernel';

/** When an endpoint is valid, as the half-open instant range [from, to) in epoch milliseconds. */
export interface Validity {
  readonly from: number;
  readonly to: number;
}

/**
 * NTK-R10: `period.start` (default: always) to `period.end` (default: open-ended). As FHIR reads a
 * Period, the end includes its whole precision: an end of `2026-12-31` runs to 2027-01-01T00:00Z.
 * A date or time without a zone is read as UTC (the conventions). Both ends may lie in the future:
 * that is how an endpoint is scheduled to start or stop.
 */
export function validityOf(period: Period | undefined): Validity {
  const from = period?.start ? Date.parse(parseFhirDateRange(period.start)?.lo ?? 'x') : -Infinity;
  const to = period?.end ? Date.parse(parseFhirDateRange(period.end)?.hi ?? 'x') : Infinity;
  if (Number.isNaN(from) || Number.isNaN(to))
    throw new FhirError('MESH-FHIR-008', { diagnostics: 'Endpoint.period holds a date that cannot be read', expression: 'Endpoint.period' });
  if (period?.start && period.end && Date.parse(parseFhirDateRange(period.end)!.lo) < from)
    throw new FhirError('MESH-NTK-003', {
      diagnostics: `Endpoint.period ends (${period.end}) before it starts (${period.start})`,
      expression: 'Endpoint.period',
    });
  return { from, to };
}

export function overlaps(a: Validity, b: Validity): boolean {
  return a.from < b.to && b.from < a.to;
}

/** For timestamptz columns: PostgreSQL's infinities stand for an open end. */
export function sqlInstant(ms: number): string {
  if (ms === -Infinity) return '-infinity';
  if (ms === Infinity) return 'infinity';
  return new Date(ms).toISOString();
}

export function describeValidity(v: Validity): string {
  const at = (ms: number, open: string) => (Number.isFinite(ms) ? new Date(ms).toISOString() : open);
  return `${at(v.from, 'always')} – ${at(v.to, 'open-ended')}`;
}
