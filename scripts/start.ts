// `npm start`: the whole mesh on one machine, federated from the first start. With no
// DATABASE_URL, one embedded PostgreSQL server (data in ./data/postgres, kept between runs)
// serves every service, each in its own schema. The federation (trust anchor) starts first;
// every other service then starts knowing the anchor, and is enrolled with the trust marks its
// package.json names through the operator's own tool (the federation CLI and admin API).
// Each service runs in its own process on its default port; Ctrl-C stops them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startEmbeddedPostgres, EMBEDDED_DEFAULT_PORT } from '../services/kernel/src/storage/embedded.ts';
import { SERVICE_NODE_FLAGS } from './launcher/node-flags.ts';
import { discoverServices, type ServiceEntry } from './launcher/services.ts';
import { seedDemoData } from './seed/demo-seed.ts';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, process.env.NDI_DATA_DIR ?? 'data');
const FEDERATION = 'federation';
const children: { entry: ServiceEntry; proc: ChildProcess }[] = [];
let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
let stopping = false;

const portOf = (entry: ServiceEntry) => Number(process.env[`PORT_${entry.name.toUpperCase().replace(/-/g, '_')}`] ?? entry.port);
const urlOf = (entry: ServiceEntry) => `http://127.0.0.1:${portOf(entry)}`;

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
  const anchor = services.find((s) => s.name === FEDERATION);
  const others = services.filter((s) => s !== anchor);
  const base = { DATABASE_URL: databaseUrl };
  const state = new Map<string, string>();

  if (anchor) {
    start(anchor, base);
    state.set(anchor.name, (await waitReady(anchor)) ? 'ready (trust anchor)' : 'NOT READY');
  }
  const federated: Record<string, string> = anchor
    ? {
        FEDERATION_ANCHOR: urlOf(anchor),
        FEDERATION_ANCHOR_JWKS: resolve(dataDir, FEDERATION, 'anchor-jwks.json'),
        // The launcher enrols services right after they start: let them see their marks soon.
        OWN_TRUST_MARKS_REFRESH: '3',
      }
    : {};
  for (const entry of others) start(entry, { ...base, ...federated });
  await Promise.all(
    others.map(async (entry) => {
      // Enrolled once listening (/health), then waited on until ready: a service may be ready only
      // after it has reached its peers with its federation identity (the index's block copy).
      if (!(await waitReady(entry, '/health'))) return state.set(entry.name, 'NOT LISTENING');
      const enrolled = anchor && entry.trustMarks.length > 0 ? await enrol(anchor, { ...entry, url: urlOf(entry) }) : undefined;
      const ready = await waitReady(entry);
      const marks = enrolled === undefined ? '' : enrolled ? `, enrolled: ${entry.trustMarks.join(', ')}` : ', NOT ENROLLED';
      state.set(entry.name, `${ready ? 'ready' : 'NOT READY'}${marks}`);
    }),
  );

  const demo = await demoData(services, anchor, databaseUrl, federated, state);

  console.log('\nndi-mesh is up:\n');
  const rows = services.map((s) => [s.name, s.title, urlOf(s), state.get(s.name) ?? '?']);
  const head = ['service', 'what', 'url', 'state'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const catalogue = services.find((s) => s.name === 'service-catalogue') ?? services[0];
  if (demo) console.log(`\nDemo data: ${demo}.`);
  if (catalogue) console.log(`\nTry: curl ${urlOf(catalogue)}/fhir/metadata   ·   sign in at ${urlOf(catalogue)}/admin   ·   Ctrl-C stops everything.`);
  if ([...state.values()].some((v) => v.includes('NOT'))) await stop(1);
}

/** Seeds the synthetic demo organisations (NDI_DEMO_DATA=false skips it). */
async function demoData(
  services: ServiceEntry[],
  anchor: ServiceEntry | undefined,
  databaseUrl: string,
  anchorEnv: Record<string, string>,
  state: Map<string, string>,
): Promise<string | undefined> {
  const idp = services.find((s) => s.name === 'dev-identity-provider');
  const catalogue = services.find((s) => s.name === 'service-catalogue');
  if (process.env.NDI_DEMO_DATA === 'false' || !anchor || !idp || !catalogue) return undefined;
  if (!state.get(catalogue.name)?.startsWith('ready') || !state.get(idp.name)?.startsWith('ready')) return undefined;
  try {
    return await seedDemoData({
      databaseUrl,
      dataDir: resolve(dataDir, 'demo-seeder'),
      identityProvider: urlOf(idp),
      catalogue: urlOf(catalogue),
      anchorEnv,
      enrol: (entityId) => enrol(anchor, { name: 'demo-seeder', url: entityId, trustMarks: ['national-service'] }),
    });
  } catch (err) {
    return `NOT SEEDED (${(err as Error).message})`;
  }
}

function start(entry: ServiceEntry, env: Record<string, string>): void {
  const proc = spawn(process.execPath, [...SERVICE_NODE_FLAGS, entry.main], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(portOf(entry)), DATA_DIR: resolve(dataDir, entry.name) },
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

/** Enrols a service at the anchor with the federation CLI, as an operator would. */
function enrol(anchor: ServiceEntry, entry: { readonly name: string; readonly url: string; readonly trustMarks: readonly string[] }): Promise<boolean> {
  const args = [
    'enrol',
    entry.url,
    ...entry.trustMarks.flatMap((m) => ['--mark', m]),
    '--federation',
    urlOf(anchor),
    '--operator-key',
    resolve(dataDir, FEDERATION, 'operator-key.json'),
  ];
  const proc = spawn(process.execPath, [resolve(root, 'services/federation/src/cli.ts'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  prefixLines(proc, `${entry.name} enrolment`);
  return new Promise((done) => proc.on('exit', (code) => done(code === 0)));
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

async function waitReady(entry: ServiceEntry, path: '/ready' | '/health' = '/ready', timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`${urlOf(entry)}${path}`);
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
