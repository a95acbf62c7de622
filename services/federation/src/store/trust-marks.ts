import { createHash } from 'node:crypto';
import type { Queryable } from '@ndi-mesh/kernel';

export interface IssuedMark {
  readonly type: string;
  readonly sub: string;
  readonly jwt: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly revokedAt?: string;
  readonly revokedReason?: string;
}

interface Row {
  trust_mark_type: string;
  sub: string;
  jwt: string;
  issued_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

const COLUMNS = 'trust_mark_type, sub, jwt, issued_at, expires_at, revoked_at, revoked_reason';
export const markHash = (jwt: string): string => createHash('sha256').update(jwt).digest('base64url');

function toMark(r: Row): IssuedMark {
  return {
    type: r.trust_mark_type,
    sub: r.sub,
    jwt: r.jwt,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
    ...(r.revoked_reason ? { revokedReason: r.revoked_reason } : {}),
  };
}

export async function insertMark(db: Queryable, m: { type: string; sub: string; jwt: string; iat: number; exp: number }): Promise<void> {
  await db.query(
    `INSERT INTO fed_trust_mark (hash, trust_mark_type, sub, jwt, issued_at, expires_at) VALUES ($1, $2, $3, $4, to_timestamp($5), to_timestamp($6))`,
    [markHash(m.jwt), m.type, m.sub, m.jwt, m.iat, m.exp],
  );
}

export async function markByJwt(db: Queryable, jwt: string): Promise<IssuedMark | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM fed_trust_mark WHERE hash = $1`, [markHash(jwt)]);
  return rows[0] ? toMark(rows[0]) : undefined;
}

/** The newest valid (unrevoked, unexpired) mark of a type for an entity. */
export async function activeMark(db: Queryable, type: string, sub: string): Promise<IssuedMark | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM fed_trust_mark WHERE sub = $1 AND trust_mark_type = $2 AND revoked_at IS NULL AND expires_at > now() ORDER BY issued_at DESC LIMIT 1`,
    [sub, type],
  );
  return rows[0] ? toMark(rows[0]) : undefined;
}

export async function marksOf(db: Queryable, sub: string): Promise<IssuedMark[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM fed_trust_mark WHERE sub = $1 ORDER BY issued_at DESC`, [sub]);
  return rows.map(toMark);
}

export async function markedEntities(db: Queryable, type: string, sub?: string): Promise<string[]> {
  const { rows } = await db.query<{ sub: string }>(
    `SELECT DISTINCT sub FROM fed_trust_mark WHERE trust_mark_type = $1 AND ($2::text IS NULL OR sub = $2) AND revoked_at IS NULL AND expires_at > now() ORDER BY sub`,
    [type, sub ?? null],
  );
  return rows.map((r) => r.sub);
}

/** Revokes every valid mark of a type for an entity (all types when `type` is undefined); returns how many. */
export async function revokeMarks(db: Queryable, sub: string, type: string | undefined, reason: string): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE fed_trust_mark SET revoked_at = now(), revoked_reason = $3 WHERE sub = $1 AND ($2::text IS NULL OR trust_mark_type = $2) AND revoked_at IS NULL`,
    [sub, type ?? null, reason],
  );
  return rowCount ?? 0;
}
