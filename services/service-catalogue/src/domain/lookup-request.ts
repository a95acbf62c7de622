import { assertHsaId, FhirError, HSA_ID_SYSTEM, parseFhirDateRange } from '@ndi-mesh/kernel';
import { informationTypeCode } from './information-type.ts';

export const MAX_ORGANIZATIONS = 100;
const KNOWN = new Set(['organization', 'information-type', 'at', '_format']);

export interface LookupRequest {
  readonly hsaIds: readonly string[];
  readonly informationType: string;
  /** ISO instant. */
  readonly at: string;
}

/**
 * NTK-R13 (contract C1): `organization` (1–100, `urn:oid:1.2.752.129.2.1.4.1|<HSA-id>`, repeated or
 * comma-separated), one `information-type` (`<code>` or `<system>|<code>`), optional `at` (a FHIR
 * date, dateTime or instant: its first instant; default now). Anything else is refused, never ignored.
 */
export function parseLookupRequest(query: URLSearchParams, now = new Date()): LookupRequest {
  for (const key of query.keys()) if (!KNOWN.has(key)) throw opError(`$lookup takes organization, information-type and at; not '${key}'`, key);
  const orgs = query.getAll('organization').flatMap((v) => v.split(','));
  if (orgs.length === 0) throw opError(`organization is required: ${HSA_ID_SYSTEM}|<HSA-id>, repeated for several organisations`, 'organization');
  if (orgs.length > MAX_ORGANIZATIONS) throw opError(`at most ${MAX_ORGANIZATIONS} organizations in one lookup (got ${orgs.length})`, 'organization');
  const hsaIds = [...new Set(orgs.map(hsaIdParam))];
  const types = query.getAll('information-type');
  if (types.length !== 1) throw opError(`exactly one information-type is required (got ${types.length})`, 'information-type');
  const informationType = informationTypeCode(types[0]!, 'information-type');
  const atValues = query.getAll('at');
  if (atValues.length > 1) throw opError('at most one at', 'at');
  let at = now.toISOString();
  if (atValues.length === 1) {
    const range = parseFhirDateRange(atValues[0]!);
    if (!range) throw opError(`at must be a FHIR instant, dateTime or date (e.g. 2026-06-01T12:00:00Z), got '${atValues[0]}'`, 'at');
    at = range.lo;
  }
  return { hsaIds, informationType, at };
}

function hsaIdParam(value: string): string {
  const bar = value.indexOf('|');
  if (bar < 0 || value.slice(0, bar) !== HSA_ID_SYSTEM) throw opError(`organization must be ${HSA_ID_SYSTEM}|<HSA-id>, got '${value}'`, 'organization');
  const hsaId = value.slice(bar + 1);
  assertHsaId(hsaId, 'organization');
  return hsaId;
}

function opError(diagnostics: string, expression: string): FhirError {
  return new FhirError('MESH-OP-001', { diagnostics, expression });
}
