import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Memory and CPU of processes, read from Linux's /proc. The benchmark measures the service's
 * process from outside, so that nothing in the service changes for it.
 */

/** Resident set size in MB from `/proc/<pid>/status` (VmRSS), or undefined once the process is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    return parseVmRssKb(readFileSync(`/proc/${pid}/status`, 'utf8')) / 1024;
  } catch {
    return undefined;
  }
}

export function parseVmRssKb(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error('no VmRSS line');
  return Number(m[1]);
}

let ticksPerSecond: number | undefined;
/** USER_HZ, the unit of /proc's CPU times (100 on every common Linux, but asked rather than assumed). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(out.stdout?.trim());
    ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** User plus system CPU seconds a process has used, from `/proc/<pid>/stat`. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    return parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicks();
  } catch {
    return undefined;
  }
}

/** Fields 14 and 15 (utime, stime); the command name in field 2 may hold spaces and parentheses. */
export function parseStatCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy and total CPU time of the whole machine (all cores), in ticks, from `/proc/stat`. */
export function machineCpu(): { busy: number; total: number } {
  return parseProcStat(readFileSync('/proc/stat', 'utf8'));
}

export function parseProcStat(text: string): { busy: number; total: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal [guest guest_nice, already within user/nice]
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** How busy the whole machine is over `ms`, in % of one core (200 is all of a 2-core machine). */
export async function machineBusy(ms: number): Promise<number> {
  const a = machineCpu();
  await new Promise((r) => setTimeout(r, ms));
  const b = machineCpu();
  return b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 * cpus().length : Number.NaN;
}

/** Samples a process's RSS at an interval and keeps the peak. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peakMb = 0;
  private readonly pid: number;

  constructor(pid: number) {
    this.pid = pid;
  }

  start(intervalMs = 100): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): number | undefined {
    const mb = rssMb(this.pid);
    if (mb !== undefined && mb > this.peakMb) this.peakMb = mb;
    return mb;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.peakMb;
  }
}

/** CPU seconds of every process whose command line matches, by pid (PostgreSQL backends of one database). */
export function matchingCpuSeconds(matches: (cmdline: string) => boolean): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (!matches(cmdline)) continue;
      const cpu = processCpuSeconds(Number(entry));
      if (cpu !== undefined) out.set(Number(entry), cpu);
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/**
 * The PostgreSQL processes that work for `database`: its backends, titled `postgres: [cluster: ]user
 * database host(port) state` (Debian's clusters add the `15/main: ` part), its autovacuum workers,
 * and the server's shared background processes (WAL writer, checkpointer…), which the bench's
 * writes keep busy. Other databases' backends (other people's tests) are left out.
 */
export function isPostgresFor(database: string): (cmdline: string) => boolean {
  return (cmdline) => {
    if (!cmdline.startsWith('postgres: ')) return false;
    const backend = /^postgres: (?:\S+: )?\S+ (\S+) \S+\(\d+\)/.exec(cmdline);
    if (backend) return backend[1] === database;
    const worker = /autovacuum worker (\S+)/.exec(cmdline);
    if (worker) return worker[1] === database;
    return !/ parallel worker for PID /.test(cmdline);
  };
}

/** Times the kernel took the CPU from the process while it could still run (`nonvoluntary_ctxt_switches`). */
export function preemptions(pid: number): number | undefined {
  try {
    const m = /^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface CpuUse {
  /** The server process, % of one core. */
  readonly server: number;
  /** The PostgreSQL backends of the bench database (when they run on this machine), % of one core. */
  readonly postgres: number;
  /** The whole machine, % of one core (so 200 is all of a 2-core machine). */
  readonly machine: number;
  /** How often per second the server was descheduled while runnable: a sign of too few cores. */
  readonly serverPreemptionsPerSecond: number;
}

/** CPU use between two moments, of the server, of its database's backends and of the whole machine. */
export class CpuWindow {
  private readonly pid: number;
  private readonly backends: (cmdline: string) => boolean;
  private readonly startedAt = process.hrtime.bigint();
  private readonly serverStart: number | undefined;
  private readonly preemptionsStart: number | undefined;
  private readonly backendsStart: Map<number, number>;
  private readonly machineStart = machineCpu();

  constructor(pid: number, backends: (cmdline: string) => boolean) {
    this.pid = pid;
    this.backends = backends;
    this.serverStart = processCpuSeconds(pid);
    this.preemptionsStart = preemptions(pid);
    this.backendsStart = matchingCpuSeconds(backends);
  }

  end(): CpuUse {
    const seconds = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    const serverEnd = processCpuSeconds(this.pid);
    const preemptionsEnd = preemptions(this.pid);
    let backendSeconds = 0;
    for (const [pid, cpu] of matchingCpuSeconds(this.backends)) backendSeconds += cpu - (this.backendsStart.get(pid) ?? 0);
    const machineEnd = machineCpu();
    const total = machineEnd.total - this.machineStart.total;
    const cores = cpus().length;
    return {
      server: this.serverStart !== undefined && serverEnd !== undefined && seconds > 0 ? ((serverEnd - this.serverStart) / seconds) * 100 : Number.NaN,
      postgres: seconds > 0 ? (backendSeconds / seconds) * 100 : Number.NaN,
      machine: total > 0 ? ((machineEnd.busy - this.machineStart.busy) / total) * 100 * cores : Number.NaN,
      serverPreemptionsPerSecond:
        this.preemptionsStart !== undefined && preemptionsEnd !== undefined && seconds > 0 ? (preemptionsEnd - this.preemptionsStart) / seconds : Number.NaN,
    };
  }
}
