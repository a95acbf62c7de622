// Container health check, run by the image's HEALTHCHECK and by docker/compose.yaml:
// exit 0 when the service in this container answers 2xx on the given path (default
// /ready: database reachable, migrations applied, so compose starts dependants only
// then), 1 when it does not, 2 when it cannot tell where to ask. Written in Node because
// the slim base image has no curl or wget.
import { isServiceName, servicePorts } from './service-ports.ts';

const TIMEOUT_MS = 3000;

function target(env: NodeJS.ProcessEnv, path: string): string {
  const service = env.SERVICE ?? '';
  const port = env.PORT ?? (isServiceName(service) ? String(servicePorts[service]) : undefined);
  if (port === undefined || !/^\d+$/.test(port)) {
    throw new Error(`no usable PORT (PORT=${env.PORT ?? 'unset'}, SERVICE=${service || 'unset'})`);
  }
  // A service bound to every interface is asked on loopback; one bound to an address, there.
  const bound = env.HOST ?? '127.0.0.1';
  const host = bound === '0.0.0.0' || bound === '::' || bound === '' ? '127.0.0.1' : bound;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
}

const path = process.argv[2] ?? '/ready';
let url: string;
try {
  if (!path.startsWith('/')) throw new Error(`path must start with "/": ${path}`);
  url = target(process.env, path);
} catch (error) {
  console.error(`healthcheck: ${(error as Error).message}`);
  process.exit(2);
}

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  await response.body?.cancel();
  if (response.ok) {
    process.exitCode = 0;
  } else {
    console.error(`healthcheck: ${url} answered ${response.status}`);
    process.exitCode = 1;
  }
} catch (error) {
  const cause = (error as Error & { cause?: Error }).cause;
  console.error(`healthcheck: ${url} unreachable: ${cause?.message ?? (error as Error).message}`);
  process.exitCode = 1;
}
