import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface QueryOptions {
  /**
   * False for queries whose best plan depends on the values (searches over GIN indexes): a
   * prepared statement may switch to a generic plan that ignores them.
   */
  readonly prepare?: boolean;
}

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[], options?: QueryOptions): Promise<pg.QueryResult<R>>;
}

/** A connection inside an open transaction. */
export type Tx = Queryable;

/**
 * The storage interface every service uses: a query, and a transaction that commits what the
 * callback did or rolls all of it back. Resource writes, their audit records and their outbox
 * messages share one transaction, so a crash leaves either all of them or none.
 */
export interface Db extends Queryable {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  readonly schema: string;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export interface DbOptions {
  connectionString: string;
  /** The schema this service owns; it is created if missing and put first on the search_path. */
  schema: string;
  poolSize?: number;
  applicationName?: string;
}

// timestamptz and jsonb come back as ISO strings and parsed JSON: resources keep the exact
// instants they were written with, and no Date objects leak into FHIR JSON.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, isoInstant);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Sessions run in UTC, so PostgreSQL prints `2026-01-02 03:04:05.678+00`; FHIR wants ISO 8601 with
 * milliseconds, as `Date.toISOString` writes them. Done by slicing: it runs for every row read.
 */
export function isoInstant(v: string): string {
  if (v.length < 22 || v[10] !== ' ' || !v.endsWith('+00')) return v;
  const dot = v.indexOf('.', 19);
  const ms =
    dot < 0
      ? '000'
      : v
          .slice(dot + 1, v.length - 3)
          .padEnd(3, '0')
          .slice(0, 3);
  return `${v.slice(0, 10)}T${v.slice(11, 19)}.${ms}Z`;
}

/**
 * Statements with parameters are prepared once per connection under a name derived from their
 * text (the text comes from code, never from input), so PostgreSQL parses and plans the kernel's
 * few dozen statements once instead of on every call. Statements without parameters (DDL,
 * migrations with several statements) go as plain queries.
 */
const PREPARABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;
const names = new Map<string, string>();
function statement(text: string, values: readonly unknown[] | undefined, options?: QueryOptions): pg.QueryConfig {
  if (!values || values.length === 0 || options?.prepare === false || !PREPARABLE.test(text)) return { text, values: values as unknown[] };
  let name = names.get(text);
  if (!name) {
    name = `k${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    if (names.size < 5000) names.set(text, name);
  }
  return { name, text, values: values as unknown[] };
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Set while a transaction's callback runs. Code that holds a pooled connection and then waits
 * for another one from the same pool deadlocks as soon as as many requests do so at once as the
 * pool has connections; with a small pool (see `defaultPoolSize`) that is a handful of requests.
 * So asking the pool for a connection from inside a transaction is refused at once, as the
 * programming error it is, instead of hanging under load. Work that must run beside the
 * transaction (a background job it wakes) starts outside it with `outsideTransaction`.
 */
const openTransaction = new AsyncLocalStorage<{ open: boolean }>();

/** Throws when the caller's async context holds a pooled connection in an open transaction. */
export function assertNoOpenTransaction(what: string): void {
  if (openTransaction.getStore()?.open)
    throw new Error(
      `${what} was asked for inside a transaction: it would wait for a second pooled connection while holding one (use the transaction's own connection)`,
    );
}

/** Runs fn in an async context that belongs to no transaction: for work a transaction starts but does not wait for. */
export function outsideTransaction<T>(fn: () => T): T {
  return openTransaction.exit(fn);
}

export async function openDb(options: DbOptions): Promise<Db> {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`Invalid schema name ${options.schema}`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? options.schema,
    options: `-c search_path=${options.schema},public -c timezone=UTC`,
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`).catch(async (err: { code?: string }) => {
    // Two replicas may race to create the schema; the loser sees a unique violation.
    if (err.code !== '23505' && err.code !== '42P06') throw err;
  });
  return {
    schema: options.schema,
    pool,
    query: (text, values, options) => {
      assertNoOpenTransaction('A pool query');
      return pool.query(statement(text, values, options));
    },
    async transaction(fn) {
      assertNoOpenTransaction('A new transaction');
      const client = await pool.connect();
      const state = { open: true };
      try {
        await client.query('BEGIN');
        const result = await openTransaction.run(state, () => fn({ query: (text, values, options) => client.query(statement(text, values, options)) }));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        state.open = false;
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Quotes an identifier that the code (never input) chose, e.g. a generated table name. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe identifier ${name}`);
  return `"${name}"`;
}
