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
 * How a copy keeps blocks at rest. A care provider's copy files them under the patient's
 * identifier and stores the Consent as JSON (the provider holds the patient's identity anyway).
 * A national copy that must hold no national identifier (the patient data index, PDI-R9) files
 * them under a keyed pseudonym and seals each Consent, bound to its id.
 */
export interface CopyPrivacy {
  patientKey(patient: PersonRef): string;
  seal(consent: Consent): Buffer;
  open(sealed: Buffer, id: string): Consent;
}

const personOf = (consent: Consent): PersonRef => ({ system: consent.patient!.identifier!.system!, value: consent.patient!.identifier!.value! });

/** The columns a Consent is stored with: filed under its patient's key, as JSON or sealed. */
function stored(consent: Consent, privacy: CopyPrivacy | undefined): [key: string, content: Consent | null, sealed: Buffer | null, active: boolean] {
  const person = personOf(consent);
  const active = consent.status === 'active';
  return privacy ? [privacy.patientKey(person), null, privacy.seal(consent), active] : [patientKey(person), consent, null, active];
}

/**
 * Applies a Consent version from NSF, idempotently: a version already held (or an older one,
 * arriving late by push after a catch-up) changes nothing. A block registered here and now
 * confirmed by NSF gives way to NSF's copy, found by its identifier.
 */
export async function applyVersion(tx: Tx, consent: Consent, privacy?: CopyPrivacy): Promise<boolean> {
  const key = identifierKey(consent);
  if (key) await tx.query('DELETE FROM local_block WHERE identifier = $1 AND id <> $2', [key, consent.id]);
  const [patient, content, sealed, active] = stored(consent, privacy);
  const { rowCount } = await tx.query(
    `INSERT INTO local_block (id, version_id, patient_key, identifier, pending, content, sealed, active) VALUES ($1, $2, $3, $4, false, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET version_id = EXCLUDED.version_id, content = EXCLUDED.content, sealed = EXCLUDED.sealed, active = EXCLUDED.active,
       pending = false, updated_at = now()
     WHERE local_block.version_id < EXCLUDED.version_id`,
    [consent.id, Number(consent.meta?.versionId ?? 1), patient, key, content, sealed, active],
  );
  return (rowCount ?? 0) > 0;
}

/** A block registered here, in force locally at once, until NSF's own copy replaces it. */
export async function putPending(tx: Tx, localId: string, consent: Consent, privacy?: CopyPrivacy): Promise<void> {
  const [patient, content, sealed, active] = stored(consent, privacy);
  await tx.query(
    `INSERT INTO local_block (id, version_id, patient_key, identifier, pending, content, sealed, active) VALUES ($1, 1, $2, $3, true, $4, $5, $6)`,
    [localId, patient, identifierKey(consent), content, sealed, active],
  );
}

/** The patient's blocks and revokes in force in this copy (cancelled ones are kept but not read). */
export async function activeLocalConsents(q: Queryable, patient: PersonRef, privacy?: CopyPrivacy): Promise<Consent[]> {
  const { rows } = await q.query<{ id: string; content: Consent | null; sealed: Buffer | null }>(
    'SELECT id, content, sealed FROM local_block WHERE patient_key = $1 AND active',
    [privacy ? privacy.patientKey(patient) : patientKey(patient)],
  );
  return rows.map((r) => (r.sealed && privacy ? privacy.open(r.sealed, r.id) : r.content!));
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

/** The Subscription this copy registered at `national`, and the endpoint it delivers to, if any. */
export async function readSubscription(q: Queryable, national: string): Promise<{ id: string; endpoint: string | null } | undefined> {
  const { rows } = await q.query<{ subscription: string | null; endpoint: string | null }>(
    'SELECT subscription, endpoint FROM local_block_cursor WHERE national = $1',
    [national],
  );
  const row = rows[0];
  return row?.subscription ? { id: row.subscription, endpoint: row.endpoint } : undefined;
}

export async function writeSubscription(q: Queryable, national: string, subscription: string, endpoint: string): Promise<void> {
  await q.query(
    `INSERT INTO local_block_cursor (national, cursor, subscription, endpoint) VALUES ($1, 0, $2, $3)
     ON CONFLICT (national) DO UPDATE SET subscription = EXCLUDED.subscription, endpoint = EXCLUDED.endpoint`,
    [national, subscription, endpoint],
  );
}
