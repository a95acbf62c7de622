import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { FhirError, isFhirError } from '../errors/index.ts';
import type { Db } from '../storage/db.ts';
import type { RequestContext } from './context.ts';
import type { FhirRequest, FhirResponse } from './fhir-request.ts';
import type { FhirRouter } from './fhir-router.ts';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
/** FHIR's processing order for a transaction: deletes, creates, updates, then reads. */
const ORDER: Record<Method, number> = { DELETE: 0, POST: 1, PUT: 2, GET: 3 };

interface Planned {
  readonly index: number;
  readonly method: Method;
  readonly request: FhirRequest;
  readonly assignedId?: string;
}

/**
 * A `batch` runs each entry on its own (one entry's failure is reported in its response entry);
 * a `transaction` runs all of them in one database transaction, resolving `urn:uuid:` references
 * between entries, and fails as a whole with the first failing entry named.
 */
export async function processBundle(router: FhirRouter, ctx: RequestContext, body: unknown, maxEntries: number, db: Db): Promise<FhirResponse> {
  const bundle = body as Bundle;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle')
    throw new FhirError('MESH-FHIR-011', { diagnostics: 'POST to the base takes a Bundle of type batch or transaction' });
  if (bundle.type !== 'batch' && bundle.type !== 'transaction')
    throw new FhirError('MESH-FHIR-011', { diagnostics: `Bundle.type must be batch or transaction, not '${String(bundle.type)}'`, expression: 'Bundle.type' });
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw new FhirError('MESH-FHIR-011', { diagnostics: 'Bundle.entry must be an array', expression: 'Bundle.entry' });
  if (entries.length > maxEntries)
    throw new FhirError('MESH-FHIR-012', {
      diagnostics: `The Bundle has ${entries.length} entries; at most ${maxEntries} are accepted in one request`,
      expression: 'Bundle.entry',
    });
  return bundle.type === 'transaction' ? transaction(router, ctx, entries, db) : batch(router, ctx, entries);
}

async function batch(router: FhirRouter, ctx: RequestContext, entries: BundleEntry[]): Promise<FhirResponse> {
  const responses: BundleEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    try {
      const planned = plan(entries[i]!, i, new Map());
      responses.push(responseEntry(await router.handle(ctx, planned.request)));
    } catch (err) {
      if (!isFhirError(err)) throw err;
      responses.push({ response: { status: String(err.status), outcome: err.toOperationOutcome() } });
    }
  }
  return { status: 200, body: { resourceType: 'Bundle', type: 'batch-response', entry: responses } };
}

async function transaction(router: FhirRouter, ctx: RequestContext, entries: BundleEntry[], db: Db): Promise<FhirResponse> {
  const responses = new Array<BundleEntry>(entries.length);
  await db.transaction(async (tx) => {
    // Every entry that creates, or may create, gets its id before anything runs, so entries can
    // reference each other by fullUrl: a plain POST gets a new id; a conditional one the id of
    // its one match, or a new id when nothing matches.
    const ids = new Map<string, string>();
    const assigned = new Map<number, string>();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const method = e?.request?.method;
      const type = (e?.resource as Resource | undefined)?.resourceType;
      const [path, query] = (e?.request?.url ?? '').split('?', 2) as [string, string?];
      const conditional = method === 'PUT' && query !== undefined ? query : method === 'POST' ? e.request?.ifNoneExist : undefined;
      if (!type || (method !== 'POST' && conditional === undefined)) continue;
      const existing = conditional !== undefined ? await router.conditionalTarget(tx, path.replace(/\/$/, ''), new URLSearchParams(conditional)) : undefined;
      const id = existing ?? randomUUID();
      if (!existing) assigned.set(i, id);
      if (e.fullUrl?.startsWith('urn:uuid:')) {
        if (ids.has(e.fullUrl))
          throw new FhirError('MESH-FHIR-011', { diagnostics: `fullUrl ${e.fullUrl} appears twice`, expression: `Bundle.entry[${i}].fullUrl` });
        ids.set(e.fullUrl, `${type}/${id}`);
      }
    }
    const planned = entries.map((e, i) => plan(e, i, ids, assigned.get(i))).sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index);
    for (const p of planned) {
      try {
        responses[p.index] = responseEntry(await router.handle(ctx, p.request, { tx, assignedId: p.assignedId }));
      } catch (err) {
        if (!isFhirError(err)) throw err;
        throw new FhirError(
          err.code,
          err.issues.map((i) => ({
            ...i,
            diagnostics: `Bundle.entry[${p.index}]: ${i.diagnostics}`,
            expression: i.expression ? `Bundle.entry[${p.index}].resource.${i.expression.replace(/^[A-Z][A-Za-z]+\./, '')}` : `Bundle.entry[${p.index}]`,
          })),
        );
      }
    }
  });
  return { status: 200, body: { resourceType: 'Bundle', type: 'transaction-response', entry: responses } };
}

function plan(entry: BundleEntry, index: number, ids: Map<string, string>, assignedId?: string): Planned {
  const at = `Bundle.entry[${index}]`;
  const method = entry?.request?.method as Method | undefined;
  const url = entry?.request?.url;
  if (!method || !(METHODS as readonly string[]).includes(method) || typeof url !== 'string' || url === '')
    throw new FhirError('MESH-FHIR-011', { diagnostics: `${at}.request needs a method (GET, POST, PUT, DELETE) and a url`, expression: `${at}.request` });
  if (/^https?:/.test(url))
    throw new FhirError('MESH-FHIR-011', { diagnostics: `${at}.request.url must be relative to the base`, expression: `${at}.request.url` });
  const [path, rawQuery = ''] = url.split('?', 2) as [string, string?];
  const segments = path.split('/').filter(Boolean);
  const resource = entry.resource ? (resolveRefs(entry.resource, ids) as Resource) : undefined;
  return {
    index,
    method,
    assignedId,
    request: {
      method,
      segments,
      query: new URLSearchParams(rawQuery),
      body: resource,
      ifMatch: entry.request?.ifMatch,
      ifNoneExist: entry.request?.ifNoneExist,
      prefer: 'return=representation',
    },
  };
}

function resolveRefs(value: unknown, ids: Map<string, string>): unknown {
  if (ids.size === 0) return value;
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, ids));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'reference' && typeof v === 'string' && ids.has(v) ? ids.get(v) : resolveRefs(v, ids);
    return out;
  }
  return value;
}

function responseEntry(r: FhirResponse): BundleEntry {
  const h = r.headers ?? {};
  return {
    ...(r.body ? { resource: r.body } : {}),
    response: {
      status: String(r.status),
      ...(h.location ? { location: h.location } : {}),
      ...(h.etag ? { etag: h.etag } : {}),
      ...(h['last-modified'] ? { lastModified: new Date(h['last-modified']).toISOString() } : {}),
    },
  };
}
