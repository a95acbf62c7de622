/**
 * The V8 CPU profiler of a server process, driven over its inspector (the process was started
 * with `--inspect=127.0.0.1:0`), so that a profile covers exactly one scenario's measured run and
 * nothing of the start, the data load or the warm-up.
 */
export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface MemoryDetail {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly spaces: Readonly<Record<string, { readonly committed: number; readonly used: number }>>;
}

export function formatMemoryDetail(label: string, m: MemoryDetail): string {
  const spaces = Object.entries(m.spaces)
    .filter(([, v]) => v.committed >= 1)
    .map(([k, v]) => `${k.replace(/_space$/, '')} ${v.used}/${v.committed}`)
    .join(', ');
  return `  ${label.padEnd(22)} RSS ${m.rss} MB; V8 heap used ${m.heapUsed} of ${m.heapTotal} MB committed (${spaces}); external ${m.external} MB`;
}

export class InspectorProfiler {
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, { done: (v: unknown) => void; fail: (e: Error) => void }>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error) p.fail(new Error(msg.error.message));
      else p.done(msg.result);
    });
  }

  static connect(url: string): Promise<InspectorProfiler> {
    return new Promise((done, fail) => {
      const ws = new WebSocket(url);
      ws.addEventListener('open', () => done(new InspectorProfiler(ws)), { once: true });
      ws.addEventListener('error', () => fail(new Error(`cannot connect to the inspector at ${url}`)), { once: true });
    });
  }

  private send<T>(method: string, params?: object): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((done, fail) => {
      this.pending.set(id, { done: done as (v: unknown) => void, fail });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Samples every `intervalUs` microseconds from now on. */
  async start(intervalUs = 250): Promise<void> {
    await this.send('Profiler.enable');
    await this.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.send('Profiler.start');
  }

  async stop(): Promise<CpuProfile> {
    const { profile } = await this.send<{ profile: CpuProfile }>('Profiler.stop');
    return profile;
  }

  /** Evaluates an expression in the process's main context and returns its value as JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string } }>('Runtime.evaluate', { expression, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`evaluating ${expression}: ${r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Where the process's memory is: V8's heap spaces (committed and used) beside RSS, in MB. */
  memoryDetail(): Promise<MemoryDetail> {
    return this.evaluate<MemoryDetail>(`(() => {
      const mb = (n) => Math.round(n / 1048576);
      const m = process.memoryUsage();
      const spaces = {};
      for (const s of process.getBuiltinModule('node:v8').getHeapSpaceStatistics()) if (s.space_size > 0) spaces[s.space_name] = { committed: mb(s.space_size), used: mb(s.space_used_size) };
      return { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), spaces };
    })()`);
  }

  close(): void {
    this.ws.close();
  }
}
