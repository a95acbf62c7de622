import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { resolveServer, withDatabase } from '../storage/resolve-server.ts';

/** Set by the Jest global setup to the server the whole run uses. */
export const TEST_SERVER_ENV = 'NDI_TEST_SERVER_URL';

export async function testServerUrl(): Promise<string> {
  const known = process.env[TEST_SERVER_ENV];
  if (known) return known;
  const server = await resolveServer({
    embeddedDir: join(tmpdir(), `ndi-mesh-pg-${process.pid}`),
    embeddedPort: 55000 + (process.pid % 1000),
    ephemeral: true,
  });
  process.env[TEST_SERVER_ENV] = server.connectionString;
  return server.connectionString;
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, on the run's server (or the one given); dropped at the end. */
export async function createTestDatabase(label: string, serverUrl?: string): Promise<TestDatabase> {
  const server = serverUrl ?? (await testServerUrl());
  const name = `t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await adminQuery(server, `CREATE DATABASE ${name}`);
  return {
    url: withDatabase(server, name),
    name,
    drop: () => adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
