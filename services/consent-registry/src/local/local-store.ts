import type { Consent } from '@medplum/fhirtypes';
import type { Queryable, Tx } from '@ndi-mesh/kernel';
import type { PersonRef } from '../domain/index.ts';
import { patientKey } from '../store/blocks.ts';

/** The Consent.identifier of a block, as `system|value`, or null. */
export const identifierKey = (c: Consent): string | null => {
  const id = c.identifier?.[0];
  return id?.system && id.value ? `${id.system}|${id.value}` : null;
};

/**
 * Applies a Consent version from NSF, idempotently: a version already held (or an older one,
 * arriving late by push after a catch-up) changes nothing. A block registered here and now
 * confirmed by NSF gives way to NSF's copy, found by its identifier.
 */
export async function applyVersion(tx: Tx, consent: Consent): Promise<boolean> {
  const key = identifierKey(consent);
  if (key) await tx.query('DELETE FROM local_block WHERE identifier = $1 AND id <> $2', [key, consent.id]);
  const { rowCount } = await tx.query(
    `INSERT INTO local_block (id, version_id, patient_key, identifier, pending, content) VALUES ($1, $2, $3, $4, false, $5)
     ON CONFLICT (id) DO UPDATE SET version_id = EXCLUDED.version_id, content = EXCLUDED.content, pending = false, updated_at = now()
     WHERE local_block.version_id < EXCLUDED.version_id`,
    [
      consent.id,
      Number(consent.meta?.versionId ?? 1),
      patientKey({ system: consent.patient!.identifier!.system!, value: consent.patient!.identifier!.value! }),
      key,
      consent,
    ],
  );
  return (rowCount ?? 0) > 0;
}

/** A block registered here, in force locally at once, until NSF's own copy replaces it. */
export async function putPending(tx: Tx, localId: string, consent: Consent): Promise<void> {
  await tx.query(`INSERT INTO local_block (id, version_id, patient_key, identifier, pending, content) VALUES ($1, 1, $2, $3, true, $4)`, [
    localId,
    patientKey({ system: consent.patient!.identifier!.system!, value: consent.patient!.identifier!.value! }),
    identifierKey(consent),
    consent,
  ]);
}

export async function activeLocalConsents(q: Queryable, patient: PersonRef): Promise<Consent[]> {
  const { rows } = await q.query<{ content: Consent }>(`SELECT content FROM local_block WHERE patient_key = $1 AND content->>'status' = 'active'`, [
    patientKey(patient),
  ]);
  return rows.map((r) => r.content);
}

export async function readCursor(q: Queryable, national: string): Promise<number> {
  const { rows } = await q.query<{ cursor: number }>('SELECT cursor FROM local_block_cursor WHERE national = $1', [national]);
  return Number(rows[0]?.cursor ?? 0);
}

export async function writeCursor(tx: Tx, national: string, cursor: number): Promise<void> {
  await tx.query(
    `INSERT INTO local_block_cursor (national, cursor) VALUES ($1, $2) ON CONFLICT (national) DO UPDATE SET cursor = GREATEST(local_block_cursor.cursor, EXCLUDED.cursor)`,
    [national, cursor],
  );
}
