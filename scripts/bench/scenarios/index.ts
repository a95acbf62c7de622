import type { Suite } from '../types.ts';

type SuiteModule = { default: Suite<unknown> };

/**
 * Every suite the benchmark knows, by name, loaded on demand (the load runner imports only the
 * one it drives). The yardsticks come first: each service's figures are read against them.
 * A new service adds its module here.
 */
export const SUITES: Readonly<Record<string, () => Promise<SuiteModule>>> = {
  'bare-http': () => import('./bare-http.ts'),
  'http-pg': () => import('./http-pg.ts'),
  'service-catalogue': () => import('./service-catalogue.ts'),
  'consent-registry': () => import('./consent-registry.ts'),
  'patient-data-index': () => import('./patient-data-index.ts'),
};

export async function loadSuite(name: string): Promise<Suite<unknown>> {
  const load = SUITES[name];
  if (!load) throw new Error(`Unknown benchmark suite '${name}' (known: ${Object.keys(SUITES).join(', ')})`);
  return (await load()).default;
}
