import type { Bundle, Endpoint, Organization, Resource } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM } from '@ndi-mesh/kernel';
import { callPeer, peerUnavailable } from './peer-error.ts';

/** What the catalogue says about one care provider for one information type. */
export interface ProviderEndpoints {
  /** The provider's Organization in the catalogue; absent when it has no endpoint for the type. */
  readonly organization?: Organization;
  readonly endpoints: readonly Endpoint[];
}

/** C1 takes at most this many `organization` parameters in one request. */
export const MAX_ORGANIZATIONS_PER_LOOKUP = 100;

const PEER = 'the service catalogue';

/**
 * Client of the service catalogue's `Endpoint/$lookup` (contract C1). The catalogue is public and
 * changes slowly, while `$locate` asks about the same providers again and again, so answers are
 * kept per provider and information type for a short TTL, negative ones (no endpoint) too. A
 * locate then costs at most one lookup for all the providers not yet known, and usually none.
 */
export class CatalogueClient {
  readonly #base: string;
  readonly #ttlMs: number;
  readonly #timeoutMs: number;
  readonly #cache = new Map<string, { until: number; value: ProviderEndpoints }>();
  /** Lookups sent, for the metrics and the tests that prove the cache works. */
  lookups = 0;

  constructor(options: { baseUrl: string; ttlSeconds: number; timeoutMs: number }) {
    this.#base = options.baseUrl.replace(/\/$/, '');
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#timeoutMs = options.timeoutMs;
  }

  /** The endpoints serving `informationType` for each of `providers` (HSA-ids). */
  async endpointsFor(providers: readonly string[], informationType: string): Promise<Map<string, ProviderEndpoints>> {
    const now = Date.now();
    const out = new Map<string, ProviderEndpoints>();
    const missing: string[] = [];
    for (const hsaId of new Set(providers)) {
      const hit = this.#cache.get(`${informationType}|${hsaId}`);
      if (hit && hit.until > now) out.set(hsaId, hit.value);
      else missing.push(hsaId);
    }
    for (let i = 0; i < missing.length; i += MAX_ORGANIZATIONS_PER_LOOKUP) {
      const chunk = missing.slice(i, i + MAX_ORGANIZATIONS_PER_LOOKUP);
      const found = await this.#lookup(chunk, informationType);
      const until = Date.now() + this.#ttlMs;
      for (const hsaId of chunk) {
        const value = found.get(hsaId) ?? { endpoints: [] };
        out.set(hsaId, value);
        if (this.#ttlMs > 0) this.#cache.set(`${informationType}|${hsaId}`, { until, value });
      }
    }
    return out;
  }

  async #lookup(providers: readonly string[], informationType: string): Promise<Map<string, ProviderEndpoints>> {
    const query = new URLSearchParams();
    for (const hsaId of providers) query.append('organization', `${HSA_ID_SYSTEM}|${hsaId}`);
    query.set('information-type', informationType);
    this.lookups++;
    const body = await callPeer(
      PEER,
      (signal) => fetch(`${this.#base}/fhir/Endpoint/$lookup?${query}`, { headers: { accept: 'application/fhir+json' }, signal }),
      this.#timeoutMs,
    );
    return parseLookup(body, new Set(providers));
  }
}

/** Reads a C1 answer: Endpoints (match) grouped by their managing Organization's HSA-id (include). */
export function parseLookup(body: unknown, asked: ReadonlySet<string>): Map<string, ProviderEndpoints> {
  const bundle = body as Bundle;
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'searchset') throw peerUnavailable(PEER, 'the answer is not a searchset Bundle');
  const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r);
  const organizations = new Map<string, Organization>();
  for (const r of resources) if (r.resourceType === 'Organization' && r.id) organizations.set(`Organization/${r.id}`, r);
  const out = new Map<string, { organization?: Organization; endpoints: Endpoint[] }>();
  for (const r of resources) {
    if (r.resourceType !== 'Endpoint') continue;
    const ref = r.managingOrganization;
    const org = ref?.reference ? organizations.get(ref.reference.replace(/^.*\/(Organization\/[^/]+)$/, '$1')) : undefined;
    const hsaId = hsaIdOf(org) ?? (ref?.identifier?.system === HSA_ID_SYSTEM ? ref.identifier.value : undefined);
    // The catalogue answers only what was asked; anything else is not trusted into an answer.
    if (!hsaId || !asked.has(hsaId)) continue;
    const slot = out.get(hsaId) ?? { ...(org ? { organization: org } : {}), endpoints: [] };
    slot.endpoints.push(r);
    out.set(hsaId, slot);
  }
  return out;
}

function hsaIdOf(org: Organization | undefined): string | undefined {
  return org?.identifier?.find((i) => i.system === HSA_ID_SYSTEM)?.value;
}
