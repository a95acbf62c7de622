import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/**
 * Loading a suite's data through the service's own FHIR API, so that the service fills its
 * search columns, history, audit and its own tables exactly as it does for any client.
 */

/** The largest Bundle the kernel accepts by default (MAX_BUNDLE_ENTRIES). */
export const MAX_BUNDLE_ENTRIES = 1000;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError('chunk size must be at least 1');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over the items with at most `concurrency` at a time; results keep the items' order. */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

export interface NewEntry {
  readonly resource: Resource;
  /** `urn:uuid:…`, for later entries of the same transaction to reference this one. */
  readonly fullUrl?: string;
}

/**
 * POSTs the resources as one transaction Bundle and returns the ids the server gave them, in
 * order. Anything but 200 with a 201 for every entry stops the run: its data would be wrong.
 */
export async function createAll(fhirBase: string, entries: readonly NewEntry[], token?: string): Promise<string[]> {
  if (entries.length > MAX_BUNDLE_ENTRIES) throw new RangeError(`at most ${MAX_BUNDLE_ENTRIES} entries per Bundle`);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: entries.map((e): BundleEntry => ({
      ...(e.fullUrl ? { fullUrl: e.fullUrl } : {}),
      resource: e.resource,
      request: { method: 'POST', url: e.resource.resourceType },
    })),
  };
  const res = await fetch(fhirBase, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(bundle),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`loading ${entries.length} resources answered ${res.status}: ${text.slice(0, 800)}`);
  const reply = JSON.parse(text) as Bundle;
  return (reply.entry ?? []).map((e, i) => {
    const status = e.response?.status ?? '';
    const id = e.resource?.id ?? /^[A-Za-z]+\/([^/]+)/.exec(e.response?.location?.replace(/^.*\/fhir\//, '') ?? '')?.[1];
    if (!status.startsWith('201') || !id) throw new Error(`entry ${i} of the load was not created: ${JSON.stringify(e.response).slice(0, 400)}`);
    return id;
  });
}
