/**
 * The shapes a benchmark suite is written in. A suite is one module under `scenarios/` whose
 * default export is a `Suite`: the load runner (a process of its own) imports it by name to build
 * each request, and the orchestrator imports it to start the server and load its data. Adding a
 * service's figures means adding one such module and naming it in `scenarios/index.ts`.
 */
import type { BasisInput } from '../../services/kernel/src/trust/basis.ts';

/** One HTTP request as the load generator sends it; `path` includes the query. */
export interface BenchRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** ARCHITECTURE.md "Performance": what a scenario must reach to pass. */
export interface Target {
  readonly minRps: number;
  readonly maxP99Ms: number;
  /** Least share of the http+pg yardstick's requests/s (the limit for any read here). */
  readonly minShareOfPg?: number;
}

export type Rng = () => number;

export interface Scenario<D = unknown> {
  /** Short and stable: used on the command line (`--only`) and in the JSON results. */
  readonly id: string;
  readonly title: string;
  /** Built afresh for every request, in the load runner, from the data the suite loaded. */
  request(data: D, rng: Rng): BenchRequest;
  /** The status every answer must have; any other counts as an error. */
  readonly expectStatus: number;
  /**
   * Looks at a few sample answers before the run and names what is wrong with one (undefined
   * when it is right), so that a run cannot measure empty results or refusals.
   */
  check?(body: string): string | undefined;
  readonly target?: Target;
}

/** A server process under test: how to start it and when it is ready. */
export interface ServerSpec {
  /** Script run with the pinned node, relative to the repository root. */
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
  /** Path answered with 2xx once the server accepts traffic. */
  readonly readyPath: string;
}

export interface MemoryTargets {
  readonly idleMb: number;
  readonly loadedMb: number;
}

/** The federation a federated service trusts (ARCHITECTURE.md "Trust and authorisation"). */
export interface BenchTrust {
  /** FEDERATION_ANCHOR and the rest a service needs at start to trust the anchor. */
  serviceEnv(): Record<string, string>;
  /**
   * Enrols the service at `serviceUrl` with these trust marks and returns a source of its access
   * tokens: the service, so enrolled, is the caller (its keys are in `serviceDataDir`).
   */
  callerOf(serviceUrl: string, serviceDataDir: string, marks: readonly string[]): Promise<TokenSource>;
  /**
   * A calling system of its own (a federation leaf with its own keys, enrolled with these marks
   * and, for a care provider's system, its provider's HSA-id), for tokens at any service: what a
   * suite needs when the caller cannot be the service itself (an EHR reporting for its provider).
   */
  system(name: string, marks: readonly string[], hsaId?: string): Promise<CallingSystem>;
}

export interface CallingSystem {
  /** A fresh access token from `serviceUrl`'s /auth/token, carrying this authorisation basis. */
  token(serviceUrl: string, basis?: BasisInput): Promise<string>;
}

export interface TokenSource {
  /** A fresh access token carrying this authorisation basis, from the service's own /auth/token. */
  token(basis?: BasisInput): Promise<string>;
  /** A token of this service as the client of another service (at that one's /auth/token): a call between services. */
  tokenAt(serviceUrl: string, basis?: BasisInput): Promise<string>;
}

/** What the orchestrator hands a suite: where its server listens and where its data lives. */
export interface SuiteContext {
  readonly databaseUrl: string;
  /** Scratch directory of this run (removed at the end). */
  readonly tmpDir: string;
  readonly port: number;
  /** The schema a server should own (the run may prefix it when it shares a database). */
  schema(base: string): string;
  /** Present for service suites: the run's trust anchor. */
  readonly trust?: BenchTrust;
  /** Base URLs of the suite's peers (`Suite.peers`), by the names the suite gave them. */
  readonly peers?: Readonly<Record<string, string>>;
  log(line: string): void;
}

export interface Suite<D = unknown> {
  readonly name: string;
  /** `service` suites are measured against the yardsticks; a `yardstick` suite is one. */
  readonly kind: 'service' | 'yardstick';
  server(ctx: SuiteContext): ServerSpec;
  /**
   * Other services the server under test calls, each started (not measured) before it in a
   * process of its own; their URLs reach `server` and `prepare` as `ctx.peers`.
   */
  peers?(ctx: SuiteContext): Readonly<Record<string, ServerSpec>>;
  /** Loads the data the scenarios need, through the server's own API, and returns what requests draw on. */
  prepare(baseUrl: string, ctx: SuiteContext): Promise<D>;
  readonly scenarios: readonly Scenario<D>[];
  readonly memory?: MemoryTargets;
}
