import { createHash } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import type { AuditFacts } from '../audit/audit-event.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import { FhirError, informational } from '../errors/index.ts';
import { extractSearchColumns } from '../fhir/extract.ts';
import type { Interaction, Registry, ResourceType } from '../fhir/registry.ts';
import { decodeCursor, parseSearch } from '../fhir/search-request.ts';
import type { Db, Queryable, Tx } from '../storage/db.ts';
import { enqueue } from '../storage/outbox.ts';
import { conflictIfDeleted, ResourceStore, type StoredVersion } from '../storage/resource-store.ts';
import { processBundle } from './bundle-processing.ts';
import { historyBundle, searchsetBundle, withQuery } from './bundles.ts';
import type { RequestContext } from './context.ts';
import type { FhirRequest, FhirResponse, OperationDef } from './fhir-request.ts';
import type { Validator } from './validator.ts';

const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;

export interface RouterOptions {
  readonly service: string;
  readonly registry: Registry;
  readonly db: Db;
  /** Where audit records go: in the write's transaction, or before a read's answer is released. */
  readonly audit: AuditTrail;
  readonly validator: Validator;
  readonly operations: readonly OperationDef[];
  readonly capability: () => Resource;
  readonly maxBundleEntries: number;
  /** Route policy (the trust module): throws the 401/403 refusal before any interaction runs. */
  readonly authorize?: (ctx: RequestContext, req: FhirRequest) => Promise<void>;
}

/** Inside a transaction Bundle: the shared transaction and ids assigned up front. */
interface Within {
  readonly tx: Tx;
  readonly assignedId?: string;
}

/**
 * The FHIR interaction table: every interaction is a small method here, all of them talk to one
 * store, and every refusal is a FhirError that the HTTP layer turns into an OperationOutcome.
 * Services add resource types and operations; they do not write HTTP routes for FHIR.
 */
export class FhirRouter {
  readonly store = new ResourceStore();
  private readonly o: RouterOptions;
  private readonly ops = new Map<string, OperationDef>();

  constructor(options: RouterOptions) {
    this.o = options;
    for (const op of options.operations) this.ops.set(opKey(op.level, op.resourceType, op.name), op);
  }

  get registry(): Registry {
    return this.o.registry;
  }

  get operations(): OperationDef[] {
    return [...this.ops.values()];
  }

  async handle(ctx: RequestContext, req: FhirRequest, within?: Within): Promise<FhirResponse> {
    if (this.o.authorize) await this.o.authorize(ctx, req);
    const [first, second, third, fourth, ...rest] = req.segments;
    if (first === undefined) {
      if (req.method === 'POST') return this.bundle(ctx, req);
      throw methodNotAllowed(req.method, 'the FHIR base');
    }
    if (first === 'metadata' && second === undefined) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method, 'metadata');
      return { status: 200, body: this.o.capability() };
    }
    if (first.startsWith('$')) return this.operation(ctx, req, 'system', undefined, undefined, first, within);
    const type = this.resourceType(first);
    if (rest.length > 0) throw unknownPath(req.segments);
    if (second === undefined) {
      if (req.method === 'GET' || req.method === 'HEAD') return this.search(ctx, type, req.query, within);
      if (req.method === 'POST') return this.create(ctx, type, req, within);
      if (req.method === 'PUT') return this.conditionalUpdate(ctx, type, req, within);
      throw methodNotAllowed(req.method, type.type);
    }
    if (second === '_search' && third === undefined) {
      if (req.method !== 'POST') throw methodNotAllowed(req.method, `${type.type}/_search`);
      return this.search(ctx, type, req.body instanceof URLSearchParams ? mergeQuery(req.query, req.body) : req.query, within);
    }
    if (second === '_history' && third === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed(req.method, `${type.type}/_history`);
      return this.history(ctx, type, req.query, undefined, within);
    }
    if (second.startsWith('$')) return this.operation(ctx, req, 'type', type, undefined, second, within);
    const id = second;
    if (!ID_RE.test(id)) throw new FhirError('MESH-FHIR-010', { diagnostics: `'${id}' is not a valid FHIR id ([A-Za-z0-9-.]{1,64})` });
    if (third === undefined) {
      if (req.method === 'GET' || req.method === 'HEAD') return this.read(ctx, type, id, within);
      if (req.method === 'PUT') return this.update(ctx, type, id, req, within);
      if (req.method === 'DELETE') return this.delete(ctx, type, id, within);
      throw methodNotAllowed(req.method, `${type.type}/${id}`);
    }
    if (third.startsWith('$') && fourth === undefined) return this.operation(ctx, req, 'instance', type, id, third, within);
    if (third === '_history') {
      if (req.method !== 'GET') throw methodNotAllowed(req.method, `${type.type}/${id}/_history`);
      if (fourth === undefined) return this.history(ctx, type, req.query, id, within);
      return this.vread(ctx, type, id, fourth, within);
    }
    throw unknownPath(req.segments);
  }

  // ---- interactions -------------------------------------------------------------------------

  private async read(ctx: RequestContext, type: ResourceType, id: string, within?: Within): Promise<FhirResponse> {
    this.allow(type, 'read');
    const v = conflictIfDeleted(await this.store.read(this.reader(within), type, id), type.type, id);
    await this.auditRead(within, ctx, type, 'read', [v.resource!], `${type.type}/${id}`);
    return ok(v.resource!);
  }

  private async vread(ctx: RequestContext, type: ResourceType, id: string, vid: string, within?: Within): Promise<FhirResponse> {
    this.allow(type, 'vread');
    if (!/^[1-9]\d{0,8}$/.test(vid)) throw new FhirError('MESH-FHIR-013', { diagnostics: `'${vid}' is not a version of ${type.type}/${id}` });
    const v = await this.store.vread(this.reader(within), type, id, Number(vid));
    if (!v) throw new FhirError('MESH-FHIR-013', { diagnostics: `${type.type}/${id} has no version ${vid}` });
    if (v.deleted) throw new FhirError('MESH-FHIR-002', { diagnostics: `Version ${vid} of ${type.type}/${id} is its deletion` });
    await this.auditRead(within, ctx, type, 'vread', [v.resource!], `${type.type}/${id}/_history/${vid}`);
    return ok(v.resource!);
  }

  private async search(ctx: RequestContext, type: ResourceType, query: URLSearchParams, within?: Within): Promise<FhirResponse> {
    this.allow(type, 'search-type');
    if (type.beforeSearch) query = type.beforeSearch(ctx, query);
    const req = parseSearch(type, query, (t) => this.o.registry.get(t));
    const q = this.reader(within);
    const result = await this.store.search(q, type, req);
    const includes: Resource[] = [];
    for (const inc of req.include) {
      const keys = result.resources.flatMap((r) => (extractSearchColumns([inc.param], r)[inc.param.column] as string[] | null) ?? []);
      const targets = inc.targetType ? [inc.targetType] : (inc.param.targets ?? []);
      for (const t of targets) {
        const target = this.o.registry.get(t);
        if (!target) continue;
        const ids = keys.filter((k) => k.startsWith(`${t}/`)).map((k) => k.slice(t.length + 1));
        includes.push(...(await this.store.readMany(q, target, [...new Set(ids)])));
      }
    }
    for (const inc of req.revinclude) {
      const source = this.o.registry.get(inc.sourceType)!;
      const keys = result.resources.map((r) => `${r.resourceType}/${r.id}`);
      includes.push(...(await this.store.referencing(q, source, inc.param.column, keys, 1000)));
    }
    await this.auditRead(within, ctx, type, 'search-type', [...result.resources, ...includes], undefined, query.toString());
    return { status: 200, body: searchsetBundle(ctx.fhirBase, type.type, query, result.resources, dedupe(includes), result.next, result.total) };
  }

  private async history(ctx: RequestContext, type: ResourceType, query: URLSearchParams, id: string | undefined, within?: Within): Promise<FhirResponse> {
    this.allow(type, id ? 'history-instance' : 'history-type');
    let since: string | undefined;
    let count = 50;
    let cursor: string[] | undefined;
    for (const [k, v] of query) {
      if (k === '_since') {
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v))
          throw new FhirError('MESH-SEARCH-002', { diagnostics: `_since must be an instant, got '${v}'`, expression: '_since' });
        since = v;
      } else if (k === '_count') {
        if (!/^\d+$/.test(v)) throw new FhirError('MESH-SEARCH-004', { diagnostics: `_count must be a whole number`, expression: '_count' });
        count = Math.min(Number(v), 1000);
      } else if (k === '_cursor') {
        cursor = decodeCursor(v);
        if (cursor.length !== 3) throw new FhirError('MESH-SEARCH-004', { diagnostics: '_cursor is not a history cursor', expression: '_cursor' });
      } else if (k !== '_format')
        throw new FhirError('MESH-SEARCH-001', { diagnostics: `History supports _since, _count and _cursor; not '${k}'`, expression: k });
    }
    const q = this.reader(within);
    if (id) conflictIfMissing(await this.store.read(q, type, id), type.type, id);
    const { versions, next } = await this.store.history(q, type, { id, since, count, cursor });
    await this.auditRead(
      within,
      ctx,
      type,
      id ? 'history-instance' : 'history-type',
      versions.flatMap((v) => (v.resource ? [v.resource] : [])),
      id ? `${type.type}/${id}` : undefined,
    );
    const path = `${ctx.fhirBase}/${type.type}${id ? `/${id}` : ''}/_history`;
    let nextUrl: string | undefined;
    if (next) {
      const nextQuery = new URLSearchParams(query);
      nextQuery.set('_cursor', next);
      nextUrl = withQuery(path, nextQuery);
    }
    return { status: 200, body: historyBundle(ctx.fhirBase, type.type, withQuery(path, query), versions, nextUrl) };
  }

  private async create(ctx: RequestContext, type: ResourceType, req: FhirRequest, within?: Within): Promise<FhirResponse> {
    this.allow(type, 'create');
    const input = this.incoming(type, req.body);
    if (req.ifNoneExist !== undefined) this.allow(type, 'conditional-create');
    return this.inTx(within, async (tx) => {
      if (req.ifNoneExist !== undefined) {
        const existing = await this.matchOne(tx, type, new URLSearchParams(req.ifNoneExist), 'If-None-Exist');
        if (existing) return { ...ok(existing.resource!), headers: versionHeaders(ctx, existing.resource!) };
      }
      await type.beforeWrite?.(ctx, input, undefined, tx);
      const created = await this.store.create(tx, type, input, within?.assignedId);
      await this.afterWrite(tx, ctx, type, 'create', created);
      return respond(ctx, 201, created, req.prefer);
    });
  }

  private async update(ctx: RequestContext, type: ResourceType, id: string, req: FhirRequest, within?: Within): Promise<FhirResponse> {
    this.allow(type, 'update');
    const input = this.incoming(type, req.body);
    if (input.id !== id)
      throw new FhirError('MESH-FHIR-004', {
        diagnostics: `The body's id '${input.id ?? '(none)'}' must equal the URL's id '${id}'`,
        expression: `${type.type}.id`,
      });
    const expected = req.ifMatch === undefined ? undefined : parseIfMatch(req.ifMatch);
    return this.inTx(within, async (tx) => {
      const previous = await this.store.read(tx, type, id, true);
      if (!previous)
        throw new FhirError('MESH-FHIR-014', {
          diagnostics: `${type.type}/${id} does not exist; create it with POST ${type.type} (the server assigns the id)`,
        });
      return this.writeUpdate(tx, ctx, type, previous, input, expected, req.prefer);
    });
  }

  private async conditionalUpdate(ctx: RequestContext, type: ResourceType, req: FhirRequest, within?: Within): Promise<FhirResponse> {
    this.allow(type, 'conditional-update');
    if ([...req.query.keys()].length === 0) throw methodNotAllowed('PUT', `${type.type} without search parameters`);
    const input = this.incoming(type, req.body);
    const expected = req.ifMatch === undefined ? undefined : parseIfMatch(req.ifMatch);
    return this.inTx(within, async (tx) => {
      const match = await this.matchOne(tx, type, req.query, 'the conditional update');
      if (!match) {
        if (input.id !== undefined)
          throw new FhirError('MESH-FHIR-014', { diagnostics: `No ${type.type} matches; remove the id so the server can assign one` });
        await type.beforeWrite?.(ctx, input, undefined, tx);
        const created = await this.store.create(tx, type, input, within?.assignedId);
        await this.afterWrite(tx, ctx, type, 'create', created);
        return respond(ctx, 201, created, req.prefer);
      }
      if (input.id !== undefined && input.id !== match.id)
        throw new FhirError('MESH-FHIR-004', {
          diagnostics: `The body's id '${input.id}' is not the id of the matching ${type.type} (${match.id})`,
          expression: `${type.type}.id`,
        });
      const locked = (await this.store.read(tx, type, match.id, true))!;
      return this.writeUpdate(tx, ctx, type, locked, { ...input, id: match.id } as Resource, expected, req.prefer);
    });
  }

  private async writeUpdate(
    tx: Tx,
    ctx: RequestContext,
    type: ResourceType,
    previous: StoredVersion,
    input: Resource,
    expected: number | undefined,
    prefer?: string,
  ): Promise<FhirResponse> {
    if (expected !== undefined && expected !== previous.versionId)
      throw new FhirError('MESH-FHIR-005', {
        diagnostics: `If-Match names version ${expected}; the current version of ${type.type}/${previous.id} is ${previous.versionId}`,
      });
    await type.beforeWrite?.(ctx, input, previous.deleted ? undefined : previous.resource, tx);
    const updated = await this.store.update(tx, type, previous, input);
    await this.afterWrite(tx, ctx, type, 'update', updated);
    return respond(ctx, 200, updated, prefer);
  }

  private async delete(ctx: RequestContext, type: ResourceType, id: string, within?: Within): Promise<FhirResponse> {
    this.allow(type, 'delete');
    return this.inTx(within, async (tx) => {
      const previous = await this.store.read(tx, type, id, true);
      if (!previous || previous.deleted) return { status: 204 };
      const versionId = await this.store.delete(tx, type, previous);
      await this.afterWrite(tx, ctx, type, 'delete', { id, versionId, patientsOf: previous.resource! });
      return { status: 204, headers: { etag: `W/"${versionId}"` } };
    });
  }

  private async operation(
    ctx: RequestContext,
    req: FhirRequest,
    level: OperationDef['level'],
    type: ResourceType | undefined,
    id: string | undefined,
    segment: string,
    within?: Within,
  ): Promise<FhirResponse> {
    const op = this.ops.get(opKey(level, type?.type, segment.slice(1)));
    if (!op) throw new FhirError('MESH-HTTP-004', { diagnostics: `No operation ${segment} at ${type ? type.type : 'system'} level` });
    if (req.method !== 'POST' && !(req.method === 'GET' && !op.affectsState))
      throw methodNotAllowed(req.method, `${segment}${op.affectsState ? ' (it changes state: use POST)' : ''}`);
    // A read-only operation reads on the pool and audits by group commit: inside a transaction
    // Bundle that would wait for a second connection while the Bundle holds one, and it adds
    // nothing to the Bundle's atomicity. A batch Bundle runs its entries on their own.
    if (within && op.readOnly)
      throw new FhirError('MESH-FHIR-011', {
        diagnostics: `${segment} runs outside any transaction: send it alone or in a batch Bundle, not in a transaction Bundle`,
      });
    const readOnly = op.readOnly === true;
    return this.inTx(
      within,
      (tx) =>
        op.handler({
          ctx,
          request: req,
          tx,
          id,
          resourceType: type?.type,
          auditRead: readOnly ? (facts) => this.o.audit.beforeRelease(ctx, facts) : (facts) => this.o.audit.write(tx, ctx, facts),
          transaction: readOnly ? (fn) => this.o.db.transaction(fn) : (fn) => fn(tx),
        }),
      readOnly,
    );
  }

  // ---- batch and transaction ---------------------------------------------------------------

  private async bundle(ctx: RequestContext, req: FhirRequest): Promise<FhirResponse> {
    return processBundle(this, ctx, req.body, this.o.maxBundleEntries, this.o.db);
  }

  // ---- shared steps -------------------------------------------------------------------------

  /** Runs `fn` in the caller's transaction (inside a Bundle) or a new one; read-only work runs on the pool. */
  inTx<T>(within: Within | undefined, fn: (tx: Tx) => Promise<T>, readOnly = false): Promise<T> {
    if (within) return fn(within.tx);
    if (readOnly) return fn(this.o.db as Queryable);
    return this.o.db.transaction(fn);
  }

  /** Where a read reads: the Bundle's transaction, or the pool (its audit is group-committed, see auditRead). */
  private reader(within: Within | undefined): Queryable {
    return within ? within.tx : this.o.db;
  }

  private resourceType(name: string): ResourceType {
    const type = this.o.registry.get(name);
    if (!type) {
      if (/^[A-Z][A-Za-z]+$/.test(name))
        throw new FhirError('MESH-HTTP-004', { diagnostics: `This service does not serve ${name}; GET metadata lists what it serves` });
      throw new FhirError('MESH-HTTP-004', { diagnostics: `Unknown path segment '${name}'` });
    }
    return type;
  }

  private allow(type: ResourceType, interaction: Interaction): void {
    if (!type.interactions.includes(interaction)) throw new FhirError('MESH-HTTP-005', { diagnostics: `${interaction} is not supported for ${type.type}` });
  }

  /** The body of a create or update: a JSON object of the URL's type, valid against its profile. */
  private incoming(type: ResourceType, body: unknown): Resource {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
      throw new FhirError('MESH-FHIR-008', { diagnostics: `The body must be a ${type.type} resource (a JSON object)` });
    const resource = body as Resource;
    if (resource.resourceType !== type.type)
      throw new FhirError('MESH-FHIR-003', {
        diagnostics: `The body is a ${String(resource.resourceType ?? 'resource without resourceType')}, the URL says ${type.type}`,
        expression: 'resourceType',
      });
    if (resource.id !== undefined && (typeof resource.id !== 'string' || !ID_RE.test(resource.id)))
      throw new FhirError('MESH-FHIR-010', { diagnostics: `'${String(resource.id)}' is not a valid FHIR id`, expression: `${type.type}.id` });
    // The server owns versionId and lastUpdated; what a client sends there is replaced.
    const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta ?? {};
    const clean = { ...resource, ...(resource.meta ? { meta } : {}) } as Resource;
    if (clean.meta && Object.keys(clean.meta).length === 0) delete clean.meta;
    this.o.validator.validate(clean, type.profile);
    return clean;
  }

  /**
   * The id a conditional write in a transaction will land on: the one match, or none (a create).
   * Lets `urn:uuid:` references to a conditional entry be resolved before anything runs.
   */
  async conditionalTarget(tx: Tx, typeName: string, query: URLSearchParams): Promise<string | undefined> {
    return (await this.matchOne(tx, this.resourceType(typeName), query, 'the conditional entry'))?.id;
  }

  private async matchOne(tx: Tx, type: ResourceType, query: URLSearchParams, what: string): Promise<StoredVersion | undefined> {
    if ([...query.keys()].length === 0) throw new FhirError('MESH-SEARCH-002', { diagnostics: `${what} needs search parameters` });
    const search = parseSearch(type, query, (t) => this.o.registry.get(t));
    // Serialise conditional writes on the same criteria, so two at once cannot both create.
    const key = createHash('sha256')
      .update(`${type.type}?${[...query].sort().join('&')}`)
      .digest();
    await tx.query('SELECT pg_advisory_xact_lock($1)', [key.readBigInt64BE(0).toString()]);
    const found = await this.store.search(tx, type, { ...search, count: 2, cursor: undefined, summaryCount: false, include: [], revinclude: [] });
    if (found.resources.length > 1)
      throw new FhirError('MESH-FHIR-007', { diagnostics: `${what} matched more than one ${type.type}; make the criteria more selective` });
    const r = found.resources[0];
    return r ? this.store.read(tx, type, r.id!) : undefined;
  }

  /**
   * What every write leaves in its transaction: the AuditEvent, the outbox message for types that
   * notify, and the type's own afterWrite hook. A deletion has no new resource; its audit names
   * the patients of the version it deleted.
   */
  private async afterWrite(
    tx: Tx,
    ctx: RequestContext,
    type: ResourceType,
    interaction: 'create' | 'update' | 'delete',
    written: Resource | { id: string; versionId: number; patientsOf: Resource },
  ): Promise<void> {
    const deleted = !('resourceType' in written);
    const id = written.id!;
    const versionId = deleted ? written.versionId : Number(written.meta!.versionId);
    await this.audit(tx, ctx, {
      interaction,
      action: WRITE_ACTION[interaction],
      outcome: 'success',
      what: `${type.type}/${id}/_history/${versionId}`,
      patients: type.patientsOf?.(deleted ? written.patientsOf : written),
    });
    if (type.notify) await enqueue(tx, 'resource.changed', { resourceType: type.type, id, versionId, action: interaction });
    await type.afterWrite?.(ctx, deleted ? { id } : { id, resource: written }, tx);
  }

  /**
   * Audits a read of personal data (a type with `patientsOf`). Inside a Bundle the record is
   * written in the Bundle's transaction; otherwise it is group-committed and this resolves only
   * once it is durable, so the answer is released after its record and never without it.
   */
  private async auditRead(
    within: Within | undefined,
    ctx: RequestContext,
    type: ResourceType,
    interaction: string,
    resources: readonly Resource[],
    what?: string,
    query?: string,
  ): Promise<void> {
    const patientsOf = type.patientsOf;
    if (!patientsOf) return;
    const patients = uniqueIdentifiers(resources.filter((r) => r.resourceType === type.type).flatMap((r) => patientsOf(r)));
    const facts: AuditFacts = { interaction, action: interaction === 'search-type' ? 'E' : 'R', outcome: 'success', what, query, patients };
    if (within) await this.o.audit.write(within.tx, ctx, facts);
    else await this.o.audit.beforeRelease(ctx, facts);
  }

  /**
   * Writes one AuditEvent in the given transaction. Operations use their input's `auditRead`,
   * which knows whether they hold a transaction.
   */
  async audit(tx: Queryable, ctx: RequestContext, facts: AuditFacts): Promise<void> {
    await this.o.audit.write(tx, ctx, facts);
  }
}

function dedupe(resources: Resource[]): Resource[] {
  const seen = new Set<string>();
  return resources.filter((r) => {
    const key = `${r.resourceType}/${r.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function uniqueIdentifiers<T extends { system?: string; value?: string }>(ids: T[]): T[] {
  const seen = new Set<string>();
  return ids.filter((i) => {
    const k = `${i.system}|${i.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const WRITE_ACTION = { create: 'C', update: 'U', delete: 'D' } as const;

function opKey(level: string, type: string | undefined, name: string): string {
  return `${level}:${type ?? ''}:${name}`;
}

function ok(resource: Resource): FhirResponse {
  return {
    status: 200,
    body: resource,
    headers: { etag: `W/"${resource.meta?.versionId}"`, 'last-modified': new Date(resource.meta!.lastUpdated!).toUTCString() },
  };
}

function versionHeaders(ctx: RequestContext, r: Resource): Record<string, string> {
  return {
    etag: `W/"${r.meta!.versionId}"`,
    'last-modified': new Date(r.meta!.lastUpdated!).toUTCString(),
    location: `${ctx.fhirBase}/${r.resourceType}/${r.id}/_history/${r.meta!.versionId}`,
  };
}

function respond(ctx: RequestContext, status: number, r: Resource, prefer?: string): FhirResponse {
  const headers = versionHeaders(ctx, r);
  const ret = /return=(minimal|representation|OperationOutcome)/.exec(prefer ?? '')?.[1];
  if (ret === 'minimal') return { status, headers };
  if (ret === 'OperationOutcome') return { status, headers, body: informational(`${r.resourceType}/${r.id} version ${r.meta!.versionId} stored`) };
  return { status, headers, body: r };
}

function parseIfMatch(value: string): number {
  const m = /^(?:W\/)?"([1-9]\d{0,8})"$/.exec(value.trim());
  if (!m) throw new FhirError('MESH-FHIR-009', { diagnostics: `If-Match must be an ETag like W/"3", got '${value}'` });
  return Number(m[1]);
}

function conflictIfMissing(v: StoredVersion | undefined, type: string, id: string): void {
  if (!v) throw new FhirError('MESH-FHIR-001', { diagnostics: `${type}/${id} does not exist` });
}

function methodNotAllowed(method: string, what: string): FhirError {
  return new FhirError('MESH-HTTP-005', { diagnostics: `${method} is not allowed on ${what}` });
}

function unknownPath(segments: readonly string[]): FhirError {
  return new FhirError('MESH-HTTP-004', { diagnostics: `No FHIR interaction at /${segments.join('/')}` });
}

function mergeQuery(a: URLSearchParams, b: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(a);
  for (const [k, v] of b) out.append(k, v);
  return out;
}
