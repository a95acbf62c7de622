// `npm start`: the whole mesh on one machine. With no DATABASE_URL, one embedded PostgreSQL
// server (data in ./data/postgres, kept between runs) serves every service, each in its own
// schema. Each service runs in its own process on its default port; Ctrl-C stops them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startEmbeddedPostgres, EMBEDDED_DEFAULT_PORT } from '../services/kernel/src/storage/embedded.ts';
import { discoverServices, type ServiceEntry } from './launcher/services.ts';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, process.env.NDI_DATA_DIR ?? 'data');
const children: { entry: ServiceEntry; proc: ChildProcess }[] = [];
let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
let stopping = false;

async function main(): Promise<void> {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const port = Number(process.env.EMBEDDED_PG_PORT ?? EMBEDDED_DEFAULT_PORT);
    process.stdout.write(`Starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${resolve(dataDir, 'postgres')}) … `);
    embedded = await startEmbeddedPostgres({ dataDir: resolve(dataDir, 'postgres'), port });
    databaseUrl = embedded.connectionString;
    console.log('ready');
  }
  const services = discoverServices(root);
  for (const entry of services) {
    const proc = spawn(process.execPath, [entry.main], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, PORT: process.env[`PORT_${entry.name.toUpperCase().replace(/-/g, '_')}`] ?? String(entry.port), DATA_DIR: resolve(dataDir, entry.name) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prefixLines(proc, entry.name);
    proc.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`${entry.name} exited (${signal ?? code}); stopping the mesh`);
        void stop(1);
      }
    });
    children.push({ entry, proc });
  }
  const results = await Promise.all(children.map(({ entry }) => waitReady(entry)));
  console.log('\nndi-mesh is up:\n');
  const rows = services.map((s, i) => [s.name, s.title, `http://127.0.0.1:${s.port}`, results[i] ? 'ready' : 'NOT READY']);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['service', 'what', 'url', 'state'][c]!.length));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(line(['service', 'what', 'url', 'state']));
  for (const r of rows) console.log(line(r));
  console.log(`\nFHIR metadata: curl http://127.0.0.1:${services[0]?.port}/fhir/metadata   ·   Ctrl-C stops everything.`);
  if (results.some((r) => !r)) await stop(1);
}

function prefixLines(proc: ChildProcess, name: string): void {
  for (const stream of [proc.stdout, proc.stderr]) {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) console.log(`[${name}] ${l}`);
    });
  }
}

async function waitReady(entry: ServiceEntry, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${entry.port}/ready`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      ({ proc }) =>
        new Promise<void>((done) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return done();
          const force = setTimeout(() => proc.kill('SIGKILL'), 10_000);
          proc.once('exit', () => {
            clearTimeout(force);
            done();
          });
          proc.kill('SIGTERM');
        }),
    ),
  );
  await embedded?.stop().catch(() => undefined);
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  void stop(1);
});
