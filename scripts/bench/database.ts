import { join } from 'node:path';
import pg from 'pg';
import { resolveServer, withDatabase, type ResolvedServer } from '../../services/kernel/src/storage/resolve-server.ts';

/**
 * The PostgreSQL the benchmark uses, found by the project's one rule (DATABASE_URL, else the local
 * server, else an embedded one), and a database of its own on it, dropped at the end. When the
 * account may not create databases, the run uses schemas of its own in the given database instead.
 */
export interface BenchDatabase {
  readonly server: ResolvedServer;
  readonly url: string;
  readonly serverVersion: string;
  /** The schema a suite should use for `base` (prefixed when sharing someone's database). */
  schema(base: string): string;
  drop(): Promise<void>;
}

const PREFIX = 'ndi_bench_';

export async function openBenchDatabase(tmpDir: string, log: (line: string) => void): Promise<BenchDatabase> {
  const server = await resolveServer({ embeddedDir: join(tmpDir, 'postgres'), embeddedPort: 56000 + (process.pid % 1000), ephemeral: true });
  try {
    const serverVersion = String((await adminQuery(server.connectionString, 'SHOW server_version')).rows[0]?.server_version ?? '?');
    if (server.kind !== 'DATABASE_URL') await dropStale(server.connectionString, log);
    const name = `${PREFIX}${process.pid}`;
    try {
      await adminQuery(server.connectionString, `CREATE DATABASE ${name}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42501') throw err;
      log(`may not create databases on this server; using schemas prefixed ${PREFIX} in the given database`);
      return sharedDatabase(server, serverVersion);
    }
    return {
      server,
      url: withDatabase(server.connectionString, name),
      serverVersion,
      schema: (base) => base,
      async drop() {
        await adminQuery(server.connectionString, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await server.embedded?.stop();
      },
    };
  } catch (err) {
    await server.embedded?.stop().catch(() => undefined);
    throw err;
  }
}

function sharedDatabase(server: ResolvedServer, serverVersion: string): BenchDatabase {
  const schemas = new Set<string>();
  return {
    server,
    url: server.connectionString,
    serverVersion,
    schema(base) {
      const s = `${PREFIX}${base}`;
      schemas.add(s);
      return s;
    },
    async drop() {
      for (const s of schemas) await adminQuery(server.connectionString, `DROP SCHEMA IF EXISTS ${s} CASCADE`);
    },
  };
}

/** Databases left by runs that were killed outright (their process is gone) on this machine's server. */
async function dropStale(url: string, log: (line: string) => void): Promise<void> {
  const { rows } = await adminQuery(url, `SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%'`);
  for (const { datname } of rows as { datname: string }[]) {
    const digits = datname.slice(PREFIX.length);
    if (!/^\d+$/.test(digits)) continue;
    const pid = Number(digits);
    if (pid === process.pid || alive(pid)) continue;
    log(`dropping ${datname}, left by an earlier run that did not finish`);
    await adminQuery(url, `DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}
