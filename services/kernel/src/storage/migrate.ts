import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db, Tx } from './db.ts';

export interface MigrationSource {
  /** Who owns these migrations, e.g. `kernel` or the service's name. */
  readonly name: string;
  readonly dir: string;
}

export interface Migration {
  readonly source: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export async function loadMigrations(source: MigrationSource): Promise<Migration[]> {
  const files = (await readdir(source.dir).catch(() => [] as string[])).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (name) => {
      const sql = await readFile(join(source.dir, name), 'utf8');
      return { source: source.name, name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies the ordered SQL migrations of each source once, all in one transaction under a
 * transaction-level advisory lock keyed by the schema, so replicas that start together apply
 * them exactly once and a failed migration leaves nothing behind. A migration whose text changed after it was applied stops the start:
 * history is never rewritten silently.
 */
export async function migrate(db: Db, sources: readonly MigrationSource[], then?: (tx: Tx) => Promise<void>): Promise<string[]> {
  const all = (await Promise.all(sources.map(loadMigrations))).flat();
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ndi-mesh:migrate:${db.schema}`]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      source text NOT NULL, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (source, name))`);
    const { rows } = await tx.query<{ source: string; name: string; checksum: string }>('SELECT source, name, checksum FROM schema_migrations');
    const done = new Map(rows.map((r) => [`${r.source}/${r.name}`, r.checksum]));
    for (const m of all) {
      const key = `${m.source}/${m.name}`;
      const previous = done.get(key);
      if (previous !== undefined) {
        if (previous !== m.checksum) throw new Error(`Migration ${key} was changed after it was applied; add a new migration instead`);
        continue;
      }
      await tx.query(m.sql);
      await tx.query('INSERT INTO schema_migrations (source, name, checksum) VALUES ($1, $2, $3)', [m.source, m.name, m.checksum]);
      applied.push(key);
    }
    // Work that must see the migrated schema under the same lock (the generated resource tables).
    if (then) await then(tx);
  });
  return applied;
}
