import { SERVICE_NODE_FLAGS } from '../launcher/node-flags.ts';

/** The benchmark's settings, from the command line and the environment; read once at start. */
export interface BenchOptions {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  /** ARCHITECTURE.md "Performance": 8 concurrent clients. */
  readonly connections: number;
  /** `suite` or `suite:scenario` filters; empty runs everything. */
  readonly only: readonly string[];
  /** Attach the V8 profiler to each service process during each measured run. */
  readonly profile: boolean;
  /** Exit non-zero when a target is missed, not only when a run is invalid. */
  readonly strict: boolean;
  /** Keep the bench database at the end (to look into it); an embedded server still stops. */
  readonly keep: boolean;
  /** Extra node flags for the service processes only (to try e.g. heap settings). */
  readonly serviceNodeFlags: readonly string[];
  readonly help: boolean;
}

export const USAGE = `npm run bench [-- options]

  --quick            measured runs of 3 s (warm-up 2 s) instead of 10 s (warm-up 3 s)
  --duration=<s>     measured seconds per scenario (env BENCH_DURATION)
  --warmup=<s>       discarded warm-up seconds per scenario (env BENCH_WARMUP)
  --connections=<n>  concurrent connections (env BENCH_CONNECTIONS; default 8)
  --only=<suite>[:<scenario>]  run only these (repeatable; yardsticks always run)
  --profile          CPU-profile each service scenario (figures then carry the profiler's cost)
  --strict           exit 1 when a target is missed
  --keep             keep the bench database at the end (prints its URL; not with an embedded server)
  --node-flags="<flags>"  node flags for the service processes only (env BENCH_NODE_FLAGS; default: scripts/launcher/node-flags.ts),
                     e.g. --node-flags="--max-semi-space-size=16"
PostgreSQL: DATABASE_URL, else 127.0.0.1:5432 when it answers, else an embedded server.`;

export class OptionsError extends Error {
  override name = 'OptionsError';
}

function positive(name: string, raw: string, integer: boolean): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new OptionsError(`${name} must be a positive ${integer ? 'whole number' : 'number'}, got '${raw}'`);
  }
  return n;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  let quick = false;
  let duration = env.BENCH_DURATION ? positive('BENCH_DURATION', env.BENCH_DURATION, false) : undefined;
  let warmup = env.BENCH_WARMUP ? positive('BENCH_WARMUP', env.BENCH_WARMUP, false) : undefined;
  let connections = env.BENCH_CONNECTIONS ? positive('BENCH_CONNECTIONS', env.BENCH_CONNECTIONS, true) : 8;
  const only: string[] = [];
  let profile = false;
  let strict = false;
  let keep = false;
  // The services run with the flags they run with everywhere (scripts/launcher/node-flags.ts).
  let nodeFlags = env.BENCH_NODE_FLAGS ?? SERVICE_NODE_FLAGS.join(' ');
  let help = false;
  for (const arg of argv) {
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const needValue = (): string => {
      if (value === undefined || value === '') throw new OptionsError(`${flag} needs a value (${flag}=…)`);
      return value;
    };
    switch (flag) {
      case '--quick':
        quick = true;
        break;
      case '--duration':
        duration = positive(flag, needValue(), false);
        break;
      case '--warmup':
        warmup = positive(flag, needValue(), false);
        break;
      case '--connections':
        connections = positive(flag, needValue(), true);
        break;
      case '--only':
        only.push(...needValue().split(','));
        break;
      case '--profile':
        profile = true;
        break;
      case '--strict':
        strict = true;
        break;
      case '--keep':
        keep = true;
        break;
      case '--node-flags':
        nodeFlags = needValue();
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new OptionsError(`Unknown option '${arg}'`);
    }
  }
  return {
    durationSeconds: duration ?? (quick ? 3 : 10),
    warmupSeconds: warmup ?? (quick ? 2 : 3),
    connections,
    only,
    profile,
    strict,
    keep,
    serviceNodeFlags: nodeFlags.split(/\s+/).filter(Boolean),
    help,
  };
}

/** Whether `only` lets a scenario of a suite run; yardsticks are never filtered out. */
export function selected(only: readonly string[], suite: string, scenario?: string): boolean {
  if (only.length === 0) return true;
  return only.some((o) => {
    const [s, sc] = o.split(':');
    return s === suite && (scenario === undefined || sc === undefined || sc === scenario);
  });
}
