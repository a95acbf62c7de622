import { FhirError } from '../errors/index.ts';
import { parseFhirDateRange, type InstantRange } from './dates.ts';
import type { ResourceType } from './registry.ts';
import type { CompiledSearchParam } from './search-parameters.ts';
import { normaliseString, splitOr, tokenSearchKey, unescape, unescapedIndex } from './tokens.ts';

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb';
const DATE_PREFIXES: readonly DatePrefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'];

/** One AND-ed condition; its values are OR-ed. */
export type Filter =
  | { readonly kind: 'keys'; readonly column: string; readonly keys: readonly string[] }
  | { readonly kind: 'string'; readonly column: string; readonly patterns: readonly string[] }
  | { readonly kind: 'date'; readonly lo: string; readonly hi: string; readonly values: readonly { prefix: DatePrefix; range: InstantRange }[] }
  | { readonly kind: 'missing'; readonly columns: readonly string[]; readonly missing: boolean }
  | { readonly kind: 'id'; readonly ids: readonly string[] };

export type SortKey = '_lastUpdated' | '-_lastUpdated' | '_id' | '-_id';

export interface IncludeSpec {
  /** Resource type that holds the reference parameter. */
  readonly sourceType: string;
  readonly param: CompiledSearchParam;
  readonly targetType?: string;
}

export interface SearchRequest {
  readonly filters: readonly Filter[];
  readonly count: number;
  readonly sort: SortKey;
  readonly cursor?: readonly string[];
  readonly total: 'none' | 'accurate';
  readonly summaryCount: boolean;
  readonly include: readonly IncludeSpec[];
  readonly revinclude: readonly IncludeSpec[];
}

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;
const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;

/** Parameters that change how results are returned rather than which match. */
const RESULT_PARAMS = new Set(['_count', '_sort', '_cursor', '_total', '_summary', '_include', '_revinclude', '_format', '_pretty']);

/**
 * Turns a query string into a typed search, refusing what it does not understand: an unknown
 * parameter, modifier or prefix is a 400 that names it (FHIR lets servers ignore them, but a
 * national service that silently widens a search would return data nobody asked for).
 */
export function parseSearch(type: ResourceType, query: URLSearchParams, lookup: (type: string) => ResourceType | undefined): SearchRequest {
  const filters: Filter[] = [];
  let count = DEFAULT_COUNT;
  let sort: SortKey = '_lastUpdated';
  let cursor: string[] | undefined;
  let total: 'none' | 'accurate' = 'none';
  let summaryCount = false;
  const include: IncludeSpec[] = [];
  const revinclude: IncludeSpec[] = [];

  for (const [rawName, rawValue] of query) {
    const [name, modifier] = splitModifier(rawName);
    if (RESULT_PARAMS.has(name)) {
      if (modifier !== undefined && name !== '_include' && name !== '_revinclude') throw unsupportedModifier(rawName);
      switch (name) {
        case '_count':
          if (!/^\d+$/.test(rawValue))
            throw new FhirError('MESH-SEARCH-004', { diagnostics: `_count must be a whole number, got '${rawValue}'`, expression: '_count' });
          count = Math.min(Number(rawValue), MAX_COUNT);
          break;
        case '_sort':
          if (!['_lastUpdated', '-_lastUpdated', '_id', '-_id'].includes(rawValue))
            throw new FhirError('MESH-SEARCH-004', {
              diagnostics: `_sort supports _lastUpdated, -_lastUpdated, _id and -_id; got '${rawValue}'`,
              expression: '_sort',
            });
          sort = rawValue as SortKey;
          break;
        case '_cursor':
          cursor = decodeCursor(rawValue);
          break;
        case '_total':
          if (!['none', 'estimate', 'accurate'].includes(rawValue))
            throw new FhirError('MESH-SEARCH-004', { diagnostics: `_total must be none, estimate or accurate`, expression: '_total' });
          total = rawValue === 'none' ? 'none' : 'accurate';
          break;
        case '_summary':
          if (rawValue !== 'count' && rawValue !== 'false')
            throw new FhirError('MESH-SEARCH-003', { diagnostics: `_summary supports count and false; got '${rawValue}'`, expression: '_summary' });
          summaryCount = rawValue === 'count';
          break;
        case '_include':
          include.push(parseInclude(rawValue, lookup, modifier, '_include'));
          break;
        case '_revinclude':
          revinclude.push(parseInclude(rawValue, lookup, modifier, '_revinclude'));
          break;
        case '_format':
        case '_pretty':
          break;
      }
      continue;
    }
    filters.push(parseFilter(type, name, modifier, rawValue, rawName));
  }
  for (const inc of include) {
    if (inc.sourceType !== type.type)
      throw new FhirError('MESH-SEARCH-002', { diagnostics: `_include must name a parameter of ${type.type}`, expression: '_include' });
  }
  return { filters, count, sort, cursor, total, summaryCount, include, revinclude };
}

function parseFilter(type: ResourceType, name: string, modifier: string | undefined, rawValue: string, rawName: string): Filter {
  if (name === '_id') {
    if (modifier !== undefined) throw unsupportedModifier(rawName);
    const ids = splitOr(rawValue).map(unescape);
    for (const id of ids) if (!ID_RE.test(id)) throw badValue(rawName, `'${id}' is not a valid id`);
    return { kind: 'id', ids };
  }
  if (name === '_lastUpdated') {
    if (modifier !== undefined) throw unsupportedModifier(rawName);
    return dateFilter('last_updated', 'last_updated', rawName, rawValue);
  }
  const param = type.params.get(name);
  if (!param) {
    const known = ['_id', '_lastUpdated', ...type.params.keys()].join(', ');
    throw new FhirError('MESH-SEARCH-001', { diagnostics: `${type.type} has no search parameter '${name}' here; supported: ${known}`, expression: name });
  }
  if (modifier === 'missing') {
    if (rawValue !== 'true' && rawValue !== 'false') throw badValue(rawName, ':missing takes true or false');
    const columns = param.type === 'date' ? [`${param.column}_lo`] : [param.column];
    return { kind: 'missing', columns, missing: rawValue === 'true' };
  }
  const values = splitOr(rawValue);
  if (values.some((v) => v === '')) throw badValue(rawName, 'empty value');
  switch (param.type) {
    case 'token': {
      if (modifier !== undefined) throw unsupportedModifier(rawName);
      // An exact parameter keeps only `system|value` (and `|value`): a value alone or a system alone would find nothing.
      if (param.exact && values.some((v) => !hasSystemAndValue(v)))
        throw badValue(rawName, `${param.code} is searched as <system>|<value> (or |<value>), not by value or system alone`);
      return { kind: 'keys', column: param.column, keys: values.map(tokenSearchKey) };
    }
    case 'uri':
      if (modifier !== undefined) throw unsupportedModifier(rawName);
      return { kind: 'keys', column: param.column, keys: values.map(unescape) };
    case 'reference':
      return { kind: 'keys', column: param.column, keys: values.map((v) => referenceKey(param, modifier, unescape(v), rawName)) };
    case 'string': {
      if (modifier !== undefined && modifier !== 'contains') throw unsupportedModifier(rawName);
      const lead = modifier === 'contains' ? '%' : '';
      return { kind: 'string', column: param.column, patterns: values.map((v) => `${lead}${escapeLike(normaliseString(unescape(v)))}%`) };
    }
    case 'date':
      if (modifier !== undefined) throw unsupportedModifier(rawName);
      return dateFilter(`${param.column}_lo`, `${param.column}_hi`, rawName, rawValue);
  }
}

function dateFilter(lo: string, hi: string, rawName: string, rawValue: string): Filter {
  const values = splitOr(rawValue).map((v) => {
    const prefix = (DATE_PREFIXES as readonly string[]).includes(v.slice(0, 2)) ? (v.slice(0, 2) as DatePrefix) : undefined;
    if (!prefix && /^[a-z]{2}/.test(v))
      throw new FhirError('MESH-SEARCH-003', { diagnostics: `Unsupported date prefix '${v.slice(0, 2)}' in ${rawName}`, expression: rawName });
    const text = prefix ? v.slice(2) : v;
    const range = parseFhirDateRange(text);
    if (!range) throw badValue(rawName, `'${text}' is not a FHIR date`);
    return { prefix: prefix ?? 'eq', range };
  });
  return { kind: 'date', lo, hi, values };
}

function referenceKey(param: CompiledSearchParam, modifier: string | undefined, value: string, rawName: string): string {
  const targets = param.targets ?? [];
  if (modifier !== undefined) {
    // `organization:Organization=123` names the target type explicitly.
    if (!targets.includes(modifier)) throw unsupportedModifier(rawName);
    if (!ID_RE.test(value)) throw badValue(rawName, `'${value}' is not a valid id`);
    return `${modifier}/${value}`;
  }
  if (value.includes('/')) {
    const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(value);
    if (m) return value;
    if (/^https?:\/\//.test(value)) return value;
    throw badValue(rawName, `'${value}' is not a reference (Type/id or an absolute URL)`);
  }
  if (!ID_RE.test(value)) throw badValue(rawName, `'${value}' is not a valid id`);
  return targets.length === 1 ? `${targets[0]}/${value}` : value;
}

function parseInclude(value: string, lookup: (type: string) => ResourceType | undefined, modifier: string | undefined, name: string): IncludeSpec {
  if (modifier !== undefined) throw unsupportedModifier(`${name}:${modifier}`);
  const [sourceType, code, targetType, extra] = value.split(':');
  const source = sourceType ? lookup(sourceType) : undefined;
  const param = code ? source?.params.get(code) : undefined;
  if (!source || !param || param.type !== 'reference' || extra !== undefined)
    throw new FhirError('MESH-SEARCH-002', {
      diagnostics: `${name}=${value} does not name a reference search parameter of a type served here (Type:param[:target])`,
      expression: name,
    });
  if (targetType !== undefined && !(param.targets ?? []).includes(targetType))
    throw new FhirError('MESH-SEARCH-002', { diagnostics: `${name}=${value}: ${code} cannot point at ${targetType}`, expression: name });
  return { sourceType: source.type, param, targetType };
}

function splitModifier(name: string): [string, string | undefined] {
  const colon = name.indexOf(':');
  return colon < 0 ? [name, undefined] : [name.slice(0, colon), name.slice(colon + 1)];
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function unsupportedModifier(rawName: string): FhirError {
  return new FhirError('MESH-SEARCH-003', { diagnostics: `Unsupported modifier in '${rawName}'`, expression: rawName });
}

function badValue(rawName: string, why: string): FhirError {
  return new FhirError('MESH-SEARCH-002', { diagnostics: `${rawName}: ${why}`, expression: rawName });
}

export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(value: string): string[] {
  try {
    const parts = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts) && parts.length <= 3 && parts.every((p) => typeof p === 'string')) return parts as string[];
  } catch {
    // fall through
  }
  throw new FhirError('MESH-SEARCH-004', { diagnostics: '_cursor is not one this server issued; follow the next link as given', expression: '_cursor' });
}

/** `system|value` or `|value`: a separator, and something after it. */
function hasSystemAndValue(token: string): boolean {
  const bar = unescapedIndex(token, '|');
  return bar >= 0 && bar < token.length - 1;
}
