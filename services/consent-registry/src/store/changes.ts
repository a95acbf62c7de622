import type { Consent } from '@medplum/fhirtypes';
import type { Queryable, Tx } from '@ndi-mesh/kernel';
import { ALL_PROVIDERS } from '../domain/index.ts';

/**
 * Appends a Consent version to the change feed, once for each provider it is for (`recipients`:
 * a block's owner, or the owners of the blocks a revoke names, or ALL_PROVIDERS), so that each
 * provider's catch-up reads its own rows by index. Returns how many rows it appended: none for a
 * version appended before (idempotent). The lock makes `seq` follow commit order: without it a reader could see seq 7
 * committed while seq 6 is still in flight, move its cursor past 6 and never see it.
 */
export async function appendChange(tx: Tx, consentId: string, versionId: number, recipients: readonly string[]): Promise<number> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('consent_change'))`);
  const { rowCount } = await tx.query(
    `INSERT INTO consent_change (consent_id, version_id, owner) SELECT $1, $2, unnest($3::text[])
     ON CONFLICT (consent_id, version_id, owner) DO NOTHING`,
    [consentId, versionId, [...new Set(recipients)]],
  );
  return rowCount ?? 0;
}

/**
 * The versions changed after `since`, in order: for one owner, its rows and the general ones
 * (a version is for one owner once, or for every provider); for all (no owner), each version once,
 * at the first of its rows (a version's rows are appended together, so a cursor never splits them
 * into two answers that both hold it).
 */
export async function changesSince(q: Queryable, since: number, count: number, owner?: string): Promise<{ seq: number; content: Consent }[]> {
  const { rows } = await q.query<{ seq: number; content: Consent }>(
    owner === undefined
      ? `SELECT c.seq, h.content FROM consent_change c JOIN res_consent_history h ON h.id = c.consent_id AND h.version_id = c.version_id
         WHERE c.seq > $1 AND NOT EXISTS (SELECT 1 FROM consent_change d WHERE d.consent_id = c.consent_id AND d.version_id = c.version_id AND d.seq < c.seq)
         ORDER BY c.seq LIMIT $2`
      : `SELECT c.seq, h.content FROM consent_change c JOIN res_consent_history h ON h.id = c.consent_id AND h.version_id = c.version_id
         WHERE c.seq > $1 AND (c.owner = $3 OR c.owner = $4) ORDER BY c.seq LIMIT $2`,
    owner === undefined ? [since, count] : [since, count, owner, ALL_PROVIDERS],
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
