import type { Consent } from '@medplum/fhirtypes';
import { defineResourceType, lookupExpression, type Queryable } from '@ndi-mesh/kernel';
import type { PersonRef } from '../domain/index.ts';
import { consentType } from '../resource-types.ts';

/** The token key the kernel stores for an identifier (system|value), as the patient-identifier column holds it. */
export const patientKey = (p: PersonRef): string => `${p.system}|${p.value}`;

// Built on first use: resource-types.ts imports this module, so consentType is not yet defined while it loads.
let activeBlocksSql: string | undefined;

/**
 * A patient's active blocks: one equality on the btree index of the Consent type's
 * `patient-identifier` lookup (see the kernel's `lookups`), which is what makes $decide cheap. It
 * plans the same for every patient, so each pooled connection plans it once (a GIN overlap was
 * planned afresh on every call). Cancelled blocks stay in the table and its history but are not read here.
 */
export async function activeBlockConsents(q: Queryable, patient: PersonRef): Promise<Consent[]> {
  activeBlocksSql ??= `SELECT content FROM res_consent
    WHERE ${lookupExpression(defineResourceType(consentType), 'patient-identifier')} = $1 AND NOT deleted AND content->>'status' = 'active'`;
  const { rows } = await q.query<{ content: Consent }>(activeBlocksSql, [patientKey(patient)]);
  return rows.map((r) => r.content);
}
