import pg from 'pg';

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>>;
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

/** Sessions run in UTC, so PostgreSQL prints `2026-01-02 03:04:05.678+00`; FHIR wants ISO 8601. */
function isoInstant(v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)\+00$/.exec(v);
  return m ? new Date(`${m[1]}T${m[2]}Z`).toISOString() : v;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

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
    query: (text, values) => pool.query(text, values as unknown[]),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ query: (text, values) => client.query(text, values as unknown[]) });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
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
