import { availableParallelism } from 'node:os';
import { setting, readSettings, type Settings } from './settings.ts';

/**
 * A process's default pool: twice the cores it may use, at least 4 and at most 10. A Node
 * process runs on one thread; beyond a few statements in flight, more connections only add
 * PostgreSQL backends that compete for the same cores, and requests wait as well in the pool as in
 * the server's run queue. Measured on the 2-core bench machine (2026-11-25), `$decide` with 1,000,000
 * blocks, 4 connections against 10 in alternating runs: 3,598, 3,849 and 3,952/s (p99 5.76, 5.49,
 * 5.14 ms) against 3,170, 3,525 and 3,461/s (p99 6.21, 6.02, 6.08 ms). A small pool is safe because
 * no code waits for a second connection while it holds one (db.ts refuses it).
 */
export function defaultPoolSize(cores: number = availableParallelism()): number {
  return Math.min(10, Math.max(4, 2 * cores));
}

/** The settings every service reads; a service may add its own table beside this one. */
export function serviceSettingsTable(defaults: { port: number; service: string }) {
  return {
    port: setting<number>({ env: 'PORT', type: 'integer', default: defaults.port, min: 0, max: 65535, doc: 'TCP port to listen on (0 picks a free one).' }),
    host: setting<string>({ env: 'HOST', type: 'string', default: '127.0.0.1', doc: 'Interface to listen on; 0.0.0.0 in containers.' }),
    baseUrl: setting<string | undefined>({
      env: 'BASE_URL',
      type: 'url',
      doc: 'Public base URL of this service, used in links and Location headers; when unset they are built from the request Host header.',
    }),
    databaseUrl: setting<string | undefined>({
      env: 'DATABASE_URL',
      type: 'string',
      doc: 'PostgreSQL connection string. The launcher sets it to the embedded server when unset.',
    }),
    schema: setting<string>({ env: 'DB_SCHEMA', type: 'string', default: defaults.service.replace(/-/g, '_'), doc: 'PostgreSQL schema this service owns.' }),
    poolSize: setting<number>({
      env: 'DB_POOL_SIZE',
      type: 'integer',
      default: defaultPoolSize(),
      defaultDoc: 'twice the cores, 4 to 10',
      min: 1,
      max: 200,
      doc: 'Maximum PostgreSQL connections of this process.',
    }),
    dataDir: setting<string>({
      env: 'DATA_DIR',
      type: 'string',
      default: `./data/${defaults.service}`,
      doc: "Directory for this service's keys and local state.",
    }),
    logLevel: setting<string>({
      env: 'LOG_LEVEL',
      type: 'enum',
      default: 'info',
      values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      doc: 'pino log level.',
    }),
    bodyLimit: setting<number>({
      env: 'BODY_LIMIT',
      type: 'integer',
      default: 1_048_576,
      min: 1024,
      doc: 'Largest request body accepted, in bytes (larger gets 413).',
    }),
    maxBundleEntries: setting<number>({
      env: 'MAX_BUNDLE_ENTRIES',
      type: 'integer',
      default: 1000,
      min: 1,
      doc: 'Largest batch or transaction Bundle accepted.',
    }),
  };
}

export type ServiceSettings = Settings<ReturnType<typeof serviceSettingsTable>>;

export function readServiceSettings(defaults: { port: number; service: string }, env: NodeJS.ProcessEnv = process.env): ServiceSettings {
  return readSettings(serviceSettingsTable(defaults), env);
}
