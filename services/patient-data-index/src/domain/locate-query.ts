import { FhirError, validatePatientIdentifier } from '@ndi-mesh/kernel';

export const INFORMATION_TYPE_SYSTEM = 'https://ndi-mesh.se/fhir/CodeSystem/information-type';
export const INFORMATION_TYPES = ['patient-summary', 'eprescription', 'edispensation', 'laboratory-results', 'medical-imaging', 'discharge-report'] as const;
export type InformationType = (typeof INFORMATION_TYPES)[number];

export interface LocateQuery {
  readonly patient: { readonly system: string; readonly value: string };
  readonly informationType?: InformationType;
}

/**
 * `$locate` and `$patient-view` parameters: `patient=<system>|<value>` once, and for `$locate`
 * `information-type=<code>` at most once. Anything else is refused, not ignored: a national
 * service that silently widened a question would answer one nobody asked.
 */
export function parseLocateQuery(query: URLSearchParams, allowed: readonly ('patient' | 'information-type')[], now = new Date()): LocateQuery {
  for (const key of new Set(query.keys())) {
    if (key === '_format') continue;
    if (!(allowed as readonly string[]).includes(key))
      throw new FhirError('MESH-OP-001', { diagnostics: `unknown parameter ${key}; this operation takes ${allowed.join(' and ')}`, expression: key });
    if (query.getAll(key).length > 1) throw new FhirError('MESH-OP-001', { diagnostics: `${key} is given more than once`, expression: key });
  }
  const raw = query.get('patient');
  if (raw === null || raw === '') throw new FhirError('MESH-OP-001', { diagnostics: 'patient=<system>|<value> is required', expression: 'patient' });
  const bar = raw.indexOf('|');
  if (bar < 0)
    throw new FhirError('MESH-OP-001', { diagnostics: 'patient is <system>|<value>, e.g. urn:oid:1.2.752.129.2.1.3.1|199309132380', expression: 'patient' });
  const checked = validatePatientIdentifier({ system: raw.slice(0, bar), value: raw.slice(bar + 1) }, { expression: 'patient', now });
  const patient = { system: checked.system, value: checked.value };
  const type = query.get('information-type');
  if (type === null) return { patient };
  const code = type.startsWith(`${INFORMATION_TYPE_SYSTEM}|`) ? type.slice(INFORMATION_TYPE_SYSTEM.length + 1) : type;
  if (!(INFORMATION_TYPES as readonly string[]).includes(code))
    throw new FhirError('MESH-OP-001', {
      diagnostics: `information-type is one of ${INFORMATION_TYPES.join(', ')} (${INFORMATION_TYPE_SYSTEM})`,
      expression: 'information-type',
    });
  return { patient, informationType: code as InformationType };
}
