import { resolveServer } from '../storage/resolve-server.ts';
import { TEST_SERVER_ENV } from './database.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Finds the run's PostgreSQL once (DATABASE_URL, else the local server, else an embedded one
 * started here) and hands it to every test worker through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const server = await resolveServer({ embeddedDir: join(tmpdir(), `ndi-mesh-test-pg-${process.pid}`), embeddedPort: 55432, ephemeral: true });
  process.env[TEST_SERVER_ENV] = server.connectionString;
  (globalThis as { __ndiEmbedded?: unknown }).__ndiEmbedded = server.embedded;
  console.log(`\nPostgreSQL for this run: ${server.kind}`);
}
