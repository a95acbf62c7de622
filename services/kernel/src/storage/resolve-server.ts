import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.ts';

export const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ResolvedServer {
  readonly connectionString: string;
  readonly kind: 'DATABASE_URL' | 'local' | 'embedded';
  readonly embedded?: EmbeddedServer;
}

/** Answers whether a PostgreSQL server accepts a connection within a short time. */
export async function serverAnswers(connectionString: string, timeoutMs = 1500): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The one rule for finding a server, shared by tests and tools: DATABASE_URL when set, else the
 * local server at 127.0.0.1:5432 when it answers, else an embedded server started here.
 */
export async function resolveServer(options: {
  embeddedDir: string;
  embeddedPort?: number;
  ephemeral?: boolean;
  env?: NodeJS.ProcessEnv;
}): Promise<ResolvedServer> {
  const env = options.env ?? process.env;
  if (env.DATABASE_URL) return { connectionString: env.DATABASE_URL, kind: 'DATABASE_URL' };
  if (await serverAnswers(LOCAL_SERVER_URL)) return { connectionString: LOCAL_SERVER_URL, kind: 'local' };
  const embedded = await startEmbeddedPostgres({ dataDir: options.embeddedDir, port: options.embeddedPort, ephemeral: options.ephemeral });
  return { connectionString: embedded.connectionString, kind: 'embedded', embedded };
}

/** The same server, another database (created by the caller). */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}
