import type { Consent } from '@medplum/fhirtypes';
import type { Queryable, Tx } from '@ndi-mesh/kernel';
import { ALL_PROVIDERS } from '../domain/index.ts';

export interface ChangeRow {
  readonly seq: number;
  readonly consentId: string;
  readonly versionId: number;
  readonly owner: string;
}

/**
 * Appends a Consent version to the change feed, once. The lock makes `seq` follow commit order:
 * without it a reader could see seq 7 committed while seq 6 is still in flight, move its cursor
 * past 6 and never see it.
 */
export async function appendChange(tx: Tx, consentId: string, versionId: number, owner: string): Promise<ChangeRow | undefined> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('consent_change'))`);
  const { rows } = await tx.query<{ seq: number }>(
    `INSERT INTO consent_change (consent_id, version_id, owner) VALUES ($1, $2, $3) ON CONFLICT (consent_id, version_id) DO NOTHING RETURNING seq`,
    [consentId, versionId, owner],
  );
  return rows[0] ? { seq: rows[0].seq, consentId, versionId, owner } : undefined;
}

/** The versions changed after `since`, in order, for one owner (its blocks and the general ones) or for all. */
export async function changesSince(q: Queryable, since: number, count: number, owner?: string): Promise<{ seq: number; content: Consent }[]> {
  const { rows } = await q.query<{ seq: number; content: Consent }>(
    `SELECT c.seq, h.content FROM consent_change c JOIN res_consent_history h ON h.id = c.consent_id AND h.version_id = c.version_id
     WHERE c.seq > $1 AND ($3::text IS NULL OR c.owner = $3 OR c.owner = $4) ORDER BY c.seq LIMIT $2`,
    [since, count, owner ?? null, ALL_PROVIDERS],
  );
  return rows;
}

/** The newest position of the feed: where a new subscriber's cursor starts after a full copy. */
export async function lastSeq(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM consent_change');
  return Number(rows[0]?.seq ?? 0);
}

export async function consentVersion(q: Queryable, id: string, versionId: number): Promise<Consent | undefined> {
  const { rows } = await q.query<{ content: Consent }>('SELECT content FROM res_consent_history WHERE id = $1 AND version_id = $2', [id, versionId]);
  return rows[0]?.content;
}
