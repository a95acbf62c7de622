import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { ServerSpec } from './types.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Every child this run started, so that any exit path (Ctrl-C, failure) can stop them all. */
const children = new Set<ChildProcess>();
let closed = false;

export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  // Started after the run began to stop (the main flow had not yet seen it): stop it at once.
  if (closed) void stopChild(child);
}

/** Stops one child: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every child, and any started from now on. */
export async function stopAllChildren(): Promise<void> {
  closed = true;
  await Promise.all([...children].map((c) => stopChild(c)));
}

export function stopping(): boolean {
  return closed;
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => done(port));
    });
  });
}

/** Keeps the last lines a process wrote, to show when it fails. */
class Tail {
  private lines: string[] = [];
  private partial = '';
  private readonly max: number;
  private readonly listeners: ((line: string) => void)[] = [];

  constructor(max = 40) {
    this.max = max;
  }

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      for (const l of this.listeners) l(line);
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
    }
  }

  onLine(fn: (line: string) => void): void {
    this.listeners.push(fn);
  }

  text(): string {
    return [...this.lines, this.partial].filter((l) => l.trim()).join('\n');
  }
}

export interface ServerProcess {
  readonly pid: number;
  readonly baseUrl: string;
  /** ws:// address of the V8 inspector when started with `inspect`. */
  readonly inspectorUrl?: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a server under test in a process of its own with the pinned node, and waits until its
 * ready path answers 2xx. A process that exits before that fails the start with its last output.
 */
export async function startServer(
  spec: ServerSpec,
  port: number,
  options: { inspect?: boolean; nodeFlags?: readonly string[]; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const args = [...(options.nodeFlags ?? []), ...(options.inspect ? ['--inspect=127.0.0.1:0'] : []), resolve(ROOT, spec.script)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...spec.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const tail = new Tail();
  let inspectorUrl: string | undefined;
  tail.onLine((line) => {
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (m) inspectorUrl = m[1];
  });
  child.stdout!.on('data', (c: Buffer) => tail.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => tail.push(c.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, fail) =>
    child.once('exit', (code, signal) => fail(new Error(`${spec.script} exited (${signal ?? code}) before it was ready:\n${tail.text()}`))),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`${spec.script} was not ready within ${options.timeoutMs ?? 60_000} ms:\n${tail.text()}`);
    }
    const ready = await Promise.race([
      exited,
      fetch(baseUrl + spec.readyPath).then(
        (r) => r.ok,
        () => false,
      ),
    ]);
    if (ready) break;
    await Promise.race([exited, new Promise((r) => setTimeout(r, 150))]);
  }
  if (options.inspect && !inspectorUrl) throw new Error(`${spec.script} printed no inspector address`);
  return {
    pid: child.pid!,
    baseUrl,
    inspectorUrl,
    output: () => tail.text(),
    stop: () => stopChild(child),
  };
}
