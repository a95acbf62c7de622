import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { FederatedClient } from '../../services/kernel/src/trust/client.ts';
import { KeySet } from '../../services/kernel/src/trust/keys.ts';
import { FEDERATION_KEYS_FILE } from '../../services/kernel/src/trust/trust.ts';
import type { BasisInput } from '../../services/kernel/src/trust/basis.ts';
import { createService, type RunningService, type ServiceDefinition } from '../../services/kernel/src/service.ts';
import { freePort, ROOT, startServer, track, type ServerProcess } from './processes.ts';
import type { BenchTrust, CallingSystem, TokenSource } from './types.ts';

/**
 * The trust anchor a federated service needs: the federation service, in a process of its own
 * (it is not measured; it only answers while tokens are issued), on a schema of the bench
 * database. Services are enrolled through the operator's own tool, the federation CLI.
 */
export interface BenchAnchor extends BenchTrust {
  readonly server: ServerProcess;
  stop(): Promise<void>;
}

export async function startAnchor(o: { databaseUrl: string; schema: string; tmpDir: string; schemaFor?: (base: string) => string }): Promise<BenchAnchor> {
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
  const anchorEnv = {
    FEDERATION_ANCHOR: url,
    FEDERATION_ANCHOR_JWKS: join(dataDir, 'anchor-jwks.json'),
    // The bench enrols the service right after it starts: let it fetch its marks when asked.
    OWN_TRUST_MARKS_REFRESH: '0',
    // A token must outlive the whole run of a suite's scenarios.
    ACCESS_TOKEN_TTL: '3600',
  };
  const systems: RunningService[] = [];
  return {
    server,
    async stop() {
      for (const s of systems.splice(0)) await s.close().catch(() => undefined);
      await server.stop();
    },
    serviceEnv: () => ({ ...anchorEnv }),
    async callerOf(serviceUrl: string, serviceDataDir: string, marks: readonly string[]): Promise<TokenSource> {
      await enrol(url, join(dataDir, 'operator-key.json'), serviceUrl, marks);
      // The service calls itself, as the kernel's test helper does: its own keys sign the client
      // assertion, its own token endpoint checks the chain and the marks and issues the token.
      const keys = await KeySet.open(join(serviceDataDir, FEDERATION_KEYS_FILE));
      const client = new FederatedClient({ keys, entityId: () => serviceUrl });
      return { token: (basis?: BasisInput) => client.token(serviceUrl, basis), tokenAt: (other: string, basis?: BasisInput) => client.token(other, basis) };
    },
    async system(name: string, marks: readonly string[], hsaId?: string): Promise<CallingSystem> {
      // In this process, on a schema of its own: it only has to publish its entity configuration
      // while the services it calls issue its tokens (they resolve its trust chain then).
      const env = {
        ...process.env,
        ...anchorEnv,
        DATABASE_URL: o.databaseUrl,
        DB_SCHEMA: (o.schemaFor ?? ((b: string) => b))(`bench_system_${systems.length}`),
        DATA_DIR: join(o.tmpDir, 'systems', String(systems.length)),
        LOG_LEVEL: 'warn',
        DB_POOL_SIZE: '2',
      };
      const service = await createService(callingSystem(name), { env });
      systems.push(service);
      await service.app.listen({ port: 0, host: '127.0.0.1' });
      const trust = service.kernel.trust!;
      await enrol(url, join(dataDir, 'operator-key.json'), trust.entityId(), marks, hsaId);
      return { token: (serviceUrl: string, basis?: BasisInput) => trust.client.token(serviceUrl, basis) };
    },
  };
}

/** A calling system: a federation leaf with keys and marks and nothing else. */
function callingSystem(name: string): ServiceDefinition {
  return {
    name: `bench-${name}`,
    title: `Bench caller ${name}`,
    description: 'A system that calls the services under test',
    defaultPort: 0,
    resourceTypes: [],
    trust: { policy: { default: { public: true } } },
  };
}

function enrol(anchorUrl: string, operatorKey: string, entityUrl: string, marks: readonly string[], hsaId?: string): Promise<void> {
  const args = [
    resolve(ROOT, 'services/federation/src/cli.ts'),
    'enrol',
    entityUrl,
    ...marks.flatMap((m) => ['--mark', m]),
    ...(hsaId ? ['--hsa-id', hsaId] : []),
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
