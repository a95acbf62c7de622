import { lookupExpression, type ResourceType } from '../fhir/registry.ts';
import { ident, type Tx } from './db.ts';

/**
 * The resource tables are generated from the registry, so a search parameter is declared in one
 * place: `res_<type>` holds the current version's JSON and one typed, indexed column per search
 * parameter (`text[]` with a GIN index for tokens, strings, references and URIs, unless the type
 * lists it as `unindexed`, and a btree on its exact key if a `lookup`; a pair of `timestamptz` for dates); `res_<type>_history` keeps every version. GIN indexes are built
 * without `fastupdate`: its pending list made lookups slow down under bulk writes. Statements are idempotent
 * and run under the migration lock at start; a column added later is filled for existing rows.
 */
export function resourceTableDdl(t: ResourceType): string[] {
  const table = ident(t.table);
  const stmts = [
    `CREATE TABLE IF NOT EXISTS ${table} (
      id text PRIMARY KEY,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      content jsonb NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS ${ident(`${t.table}_lu_idx`)} ON ${table} (last_updated, id)`,
  ];
  if (!t.immutable) {
    stmts.push(`CREATE TABLE IF NOT EXISTS ${ident(t.historyTable)} (
      id text NOT NULL,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      content jsonb,
      PRIMARY KEY (id, version_id))`);
    stmts.push(`CREATE INDEX IF NOT EXISTS ${ident(`${t.historyTable}_lu_idx`)} ON ${ident(t.historyTable)} (last_updated, id, version_id)`);
  }
  for (const p of t.params.values()) {
    if (p.type === 'date') {
      stmts.push(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${ident(`${p.column}_lo`)} timestamptz`);
      stmts.push(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${ident(`${p.column}_hi`)} timestamptz`);
      stmts.push(`CREATE INDEX IF NOT EXISTS ${ident(`${t.table}_${p.column}_idx`)} ON ${table} (${ident(`${p.column}_lo`)}, ${ident(`${p.column}_hi`)})`);
    } else {
      stmts.push(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${ident(p.column)} text[]`);
      const index = ident(`${t.table}_${p.column}_idx`);
      // An index a type declares unneeded is dropped where an earlier version made it.
      if (t.unindexed?.includes(p.code)) stmts.push(`DROP INDEX IF EXISTS ${index}`);
      else stmts.push(`CREATE INDEX IF NOT EXISTS ${index} ON ${table} USING gin (${ident(p.column)}) WITH (fastupdate = off)`);
      if (t.lookups?.includes(p.code))
        stmts.push(`CREATE INDEX IF NOT EXISTS ${ident(`${t.table}_${p.column}_lookup_idx`)} ON ${table} ((${lookupExpression(t, p.code)}))`);
    }
  }
  return stmts;
}

/** Columns a type's search parameters need, in a fixed order. */
export function searchColumnNames(t: ResourceType): string[] {
  return [...t.params.values()].flatMap((p) => (p.type === 'date' ? [`${p.column}_lo`, `${p.column}_hi`] : [p.column]));
}

export async function ensureResourceTables(tx: Tx, types: readonly ResourceType[]): Promise<{ refill: ResourceType[] }> {
  const refill: ResourceType[] = [];
  for (const t of types) {
    const before = await existingColumns(tx, t.table);
    for (const stmt of resourceTableDdl(t)) await tx.query(stmt);
    if (before.size > 0 && searchColumnNames(t).some((c) => !before.has(c))) refill.push(t);
  }
  if (await serverHasLz4(tx))
    await compressWithLz4(
      tx,
      types.flatMap((t) => (t.immutable ? [t.table] : [t.table, t.historyTable])),
    );
  return { refill };
}

/**
 * Resource JSON is compressed with lz4 where the server was built with it (PostgreSQL's own
 * packages are; the embedded server is not, and keeps pglz). Most resources and every
 * AuditEvent are just over the size at which PostgreSQL compresses a row, so each insert pays
 * for it: measured on AuditEvents, pglz cost PostgreSQL about 9 µs more a row than lz4 (58 against
 * 49 µs), for rows 5 % smaller. Rows written before keep the method they were written with.
 */
async function serverHasLz4(tx: Tx): Promise<boolean> {
  const { rows } = await tx.query<{ lz4: boolean }>("SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = $1", ['default_toast_compression']);
  return rows[0]?.lz4 === true;
}

async function compressWithLz4(tx: Tx, tables: readonly string[]): Promise<void> {
  const { rows } = await tx.query<{ table: string }>(
    `SELECT c.relname AS table FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1) AND a.attname = 'content' AND a.attcompression <> 'l'`,
    [tables],
  );
  for (const { table } of rows) await tx.query(`ALTER TABLE ${ident(table)} ALTER COLUMN content SET COMPRESSION lz4`);
}

async function existingColumns(tx: Tx, table: string): Promise<Set<string>> {
  const { rows } = await tx.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
    [table],
  );
  return new Set(rows.map((r) => r.column_name));
}
