import type { Consent } from '@medplum/fhirtypes';
import type { Queryable } from '@ndi-mesh/kernel';
import type { PersonRef } from '../domain/index.ts';

/** The token key the kernel stores for an identifier (system|value), as the patient-identifier column holds it. */
export const patientKey = (p: PersonRef): string => `${p.system}|${p.value}`;

/**
 * A patient's active blocks: one query on the GIN-indexed patient-identifier column of
 * res_consent (the `patient-identifier` search parameter), which is what makes $decide cheap.
 * Cancelled blocks stay in the table and its history but are not read here.
 */
export async function activeBlockConsents(q: Queryable, patient: PersonRef): Promise<Consent[]> {
  const { rows } = await q.query<{ content: Consent }>(
    `SELECT content FROM res_consent WHERE sp_patient_identifier && $1::text[] AND NOT deleted AND content->>'status' = 'active'`,
    [[patientKey(patient)]],
  );
  return rows.map((r) => r.content);
}
