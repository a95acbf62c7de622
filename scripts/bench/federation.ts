import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { FederatedClient } from '../../services/kernel/src/trust/client.ts';
import { KeySet } from '../../services/kernel/src/trust/keys.ts';
import { FEDERATION_KEYS_FILE } from '../../services/kernel/src/trust/trust.ts';
import type { BasisInput } from '../../services/kernel/src/trust/basis.ts';
import { freePort, ROOT, startServer, track, type ServerProcess } from './processes.ts';
import type { BenchTrust, TokenSource } from './types.ts';

/**
 * The trust anchor a federated service needs: the federation service, in a process of its own
 * (it is not measured; it only answers while tokens are issued), on a schema of the bench
 * database. Services are enrolled through the operator's own tool, the federation CLI.
 */
export interface BenchAnchor extends BenchTrust {
  readonly server: ServerProcess;
  stop(): Promise<void>;
}

export async function startAnchor(o: { databaseUrl: string; schema: string; tmpDir: string }): Promise<BenchAnchor> {
  const port = await freePort();
  const dataDir = join(o.tmpDir, 'federation');
  const server = await startServer(
    {
      script: 'services/federation/src/main.ts',
      env: { DATABASE_URL: o.databaseUrl, DB_SCHEMA: o.schema, DATA_DIR: dataDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1' },
      readyPath: '/ready',
    },
    port,
  );
  const url = server.baseUrl;
  return {
    server,
    stop: () => server.stop(),
    serviceEnv: () => ({
      FEDERATION_ANCHOR: url,
      FEDERATION_ANCHOR_JWKS: join(dataDir, 'anchor-jwks.json'),
      // The bench enrols the service right after it starts: let it fetch its marks when asked.
      OWN_TRUST_MARKS_REFRESH: '0',
      // A token must outlive the whole run of a suite's scenarios.
      ACCESS_TOKEN_TTL: '3600',
    }),
    async callerOf(serviceUrl: string, serviceDataDir: string, marks: readonly string[]): Promise<TokenSource> {
      await enrol(url, join(dataDir, 'operator-key.json'), serviceUrl, marks);
      // The service calls itself, as the kernel's test helper does: its own keys sign the client
      // assertion, its own token endpoint checks the chain and the marks and issues the token.
      const keys = await KeySet.open(join(serviceDataDir, FEDERATION_KEYS_FILE));
      const client = new FederatedClient({ keys, entityId: () => serviceUrl });
      return { token: (basis?: BasisInput) => client.token(serviceUrl, basis) };
    },
  };
}

function enrol(anchorUrl: string, operatorKey: string, entityUrl: string, marks: readonly string[]): Promise<void> {
  const args = [
    resolve(ROOT, 'services/federation/src/cli.ts'),
    'enrol',
    entityUrl,
    ...marks.flatMap((m) => ['--mark', m]),
    '--federation',
    anchorUrl,
    '--operator-key',
    operatorKey,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done, fail) =>
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`enrolling ${entityUrl} with ${marks.join(', ')} failed (${code}): ${stderr.trim()}`)))),
  );
}
