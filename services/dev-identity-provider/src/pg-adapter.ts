import type { Db } from '@ndi-mesh/kernel';

type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; consumed?: number };

/**
 * oidc-provider's storage adapter over the service's PostgreSQL schema (table `oidc_payload`).
 * oidc-provider calls `new Adapter(modelName)` per model; every model shares the table.
 */
export function pgAdapter(db: Db) {
  return class PgAdapter {
    private readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      await db.query(
        `INSERT INTO oidc_payload (model, id, payload, grant_id, uid, user_code, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
         ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid,
           user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
        [this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, expiresIn ?? null],
      );
    }

    find(id: string): Promise<Payload | undefined> {
      return this.one('id = $2', id);
    }

    findByUid(uid: string): Promise<Payload | undefined> {
      return this.one('uid = $2', uid);
    }

    findByUserCode(userCode: string): Promise<Payload | undefined> {
      return this.one('user_code = $2', userCode);
    }

    async consume(id: string): Promise<void> {
      await db.query('UPDATE oidc_payload SET consumed_at = now() WHERE model = $1 AND id = $2', [this.model, id]);
    }

    async destroy(id: string): Promise<void> {
      await db.query('DELETE FROM oidc_payload WHERE model = $1 AND id = $2', [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.query('DELETE FROM oidc_payload WHERE grant_id = $1', [grantId]);
    }

    private async one(where: 'id = $2' | 'uid = $2' | 'user_code = $2', value: string): Promise<Payload | undefined> {
      const { rows } = await db.query<{ payload: Payload; consumed_at: string | null }>(
        `SELECT payload, consumed_at FROM oidc_payload WHERE model = $1 AND ${where} AND (expires_at IS NULL OR expires_at > now()) LIMIT 1`,
        [this.model, value],
      );
      const row = rows[0];
      if (!row) return undefined;
      return row.consumed_at ? { ...row.payload, consumed: Math.floor(Date.parse(row.consumed_at) / 1000) } : row.payload;
    }
  };
}

/** Deletes expired rows; run now and then, since nothing reads them again. */
export async function purgeExpired(db: Db): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM oidc_payload WHERE expires_at < now()');
  return rowCount ?? 0;
}
