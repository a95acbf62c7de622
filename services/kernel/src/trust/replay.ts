import type { Queryable } from '../storage/db.ts';

/**
 * Replay protection for client assertions across replicas: the first replica to insert an
 * (issuer, jti) wins; any later use is a replay. Expired rows are swept at most once a minute.
 */
export class JtiStore {
  private readonly db: Queryable;
  private lastSweep = 0;

  constructor(db: Queryable) {
    this.db = db;
  }

  /** True when the jti is new (and is now recorded), false when it was used before. */
  async claim(issuer: string, jti: string, expiresAtSeconds: number): Promise<boolean> {
    await this.sweep();
    const { rowCount } = await this.db.query('INSERT INTO auth_jti (issuer, jti, expires_at) VALUES ($1, $2, to_timestamp($3)) ON CONFLICT DO NOTHING', [
      issuer,
      jti,
      expiresAtSeconds,
    ]);
    return rowCount === 1;
  }

  async sweep(force = false): Promise<number> {
    if (!force && Date.now() - this.lastSweep < 60_000) return 0;
    this.lastSweep = Date.now();
    const { rowCount } = await this.db.query('DELETE FROM auth_jti WHERE expires_at < now()');
    return rowCount ?? 0;
  }
}
