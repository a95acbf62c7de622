import type { Identifier, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../http/context.ts';
import { ident, type Tx } from '../storage/db.ts';
import { compileSearchParam, type CompiledSearchParam, type SearchParamDef } from './search-parameters.ts';

export type Interaction =
  'read' | 'vread' | 'search-type' | 'create' | 'update' | 'delete' | 'history-instance' | 'history-type' | 'conditional-create' | 'conditional-update';

/** What a service says about one resource type it serves; the kernel does the rest. */
export interface ResourceTypeConfig<R extends Resource = Resource> {
  readonly type: R['resourceType'];
  readonly interactions: readonly Interaction[];
  /** Profile every instance must conform to (its canonical URL); the base R4 definition if absent. */
  readonly profile?: string;
  /** Base R4 search parameter codes, or full definitions of our own. */
  readonly searchParams?: readonly (string | SearchParamDef)[];
  /**
   * Search parameters (codes) stored in their column but given no index: values shared by most rows
   * (an audit record's action or outcome), where an index never narrows a search and every write
   * pays for it. They still filter a search; other parameters must narrow it.
   */
  readonly unindexed?: readonly string[];
  /**
   * Token search parameters that a service's own hot path reads rows by, one exact value at a time
   * (the consent registry's blocks of one patient). The element must hold at most one value (0..1,
   * as a Reference's identifier does). Each gets, beside its GIN index, a btree index on the exact
   * key its column stores first (`system|value`); compare `lookupExpression(type, code)` with `=`.
   * Why: a GIN overlap (`&&`) has value-dependent estimates, so PostgreSQL plans a prepared
   * statement that uses it afresh on every call; an equality on the btree plans the same for
   * every value, so the statement keeps one plan per connection and the lookup is a plain index scan.
   */
  readonly lookups?: readonly string[];
  /**
   * For personal data: the patients a resource is about. Reads of such types are audited, with
   * these identifiers as the audit record's patient.
   */
  readonly patientsOf?: (resource: R) => readonly Identifier[];
  /** Written once, never changed (audit records): no history table, no update. */
  readonly immutable?: boolean;
  /** Each change also leaves a `resource.changed` message in the outbox. */
  readonly notify?: boolean;
  /**
   * The service's rules for a write, run inside the write's transaction after validation:
   * throw a FhirError to refuse. `previous` is the current version on update.
   */
  readonly beforeWrite?: (ctx: RequestContext, next: R, previous: R | undefined, tx: Tx) => void | Promise<void>;
  /**
   * Runs inside the write's transaction once the new version is stored (so a created resource's
   * id is known), for a service's own derived tables; `resource` is absent for a delete.
   */
  readonly afterWrite?: (ctx: RequestContext, change: { readonly id: string; readonly resource?: R }, tx: Tx) => void | Promise<void>;
  /**
   * Narrows a search to what this caller may see: returns the query with the caller's own
   * restrictions appended (repeated parameters AND together, so it can only narrow), or throws a
   * FhirError to refuse the search.
   */
  readonly beforeSearch?: (ctx: RequestContext, query: URLSearchParams) => URLSearchParams;
  readonly documentation?: string;
}

export interface ResourceType extends ResourceTypeConfig {
  readonly params: ReadonlyMap<string, CompiledSearchParam>;
  readonly table: string;
  readonly historyTable: string;
}

export function defineResourceType(config: ResourceTypeConfig): ResourceType {
  const params = new Map<string, CompiledSearchParam>();
  for (const p of config.searchParams ?? []) {
    const compiled = compileSearchParam(config.type, p);
    if (params.has(compiled.code)) throw new Error(`${config.type}: search parameter ${compiled.code} declared twice`);
    params.set(compiled.code, compiled);
  }
  for (const code of config.unindexed ?? []) if (!params.has(code)) throw new Error(`${config.type}: unindexed ${code} is not one of its search parameters`);
  for (const code of config.lookups ?? [])
    if (params.get(code)?.type !== 'token') throw new Error(`${config.type}: lookup ${code} is not one of its token search parameters`);
  if (config.immutable && config.interactions.some((i) => i === 'update' || i === 'delete' || i === 'conditional-update'))
    throw new Error(`${config.type} is immutable and cannot allow update or delete`);
  const table = `res_${config.type.toLowerCase()}`;
  return { ...config, params, table, historyTable: `${table}_history` };
}

/**
 * The SQL expression that holds a lookup parameter's exact key (see `lookups`): compare it with `=`
 * to a `system|value` key, e.g. `WHERE ${lookupExpression(t, 'patient-identifier')} = $1`.
 */
export function lookupExpression(t: ResourceType, code: string): string {
  const p = t.params.get(code);
  if (!p || !t.lookups?.includes(code)) throw new Error(`${t.type}: ${code} is not declared a lookup`);
  return `${ident(p.column)}[1]`;
}

export class Registry {
  private readonly types = new Map<string, ResourceType>();

  constructor(types: readonly ResourceType[]) {
    for (const t of types) {
      if (this.types.has(t.type)) throw new Error(`Resource type ${t.type} registered twice`);
      this.types.set(t.type, t);
    }
  }

  get(type: string): ResourceType | undefined {
    return this.types.get(type);
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }
}
