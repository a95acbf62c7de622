import type { DatePrefix, Filter, SearchRequest } from '../fhir/search-request.ts';
import { ident } from './db.ts';

/** A WHERE clause and its parameters; values are always bound, never spliced into the text. */
export interface SqlFragment {
  readonly text: string;
  readonly values: unknown[];
}

export function whereClause(filters: readonly Filter[], values: unknown[] = []): SqlFragment {
  const parts = ['NOT deleted'];
  const bind = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  for (const f of filters) {
    switch (f.kind) {
      case 'id':
        parts.push(`id = ANY(${bind(f.ids)}::text[])`);
        break;
      case 'keys':
        parts.push(`${ident(f.column)} && ${bind(f.keys)}::text[]`);
        break;
      case 'string':
        parts.push(`EXISTS (SELECT 1 FROM unnest(${ident(f.column)}) v WHERE v LIKE ANY(${bind(f.patterns)}::text[]))`);
        break;
      case 'missing':
        parts.push(f.columns.map((c) => `${ident(c)} IS ${f.missing ? '' : 'NOT '}NULL`).join(' AND '));
        break;
      case 'date':
        parts.push(`(${f.values.map((v) => dateCondition(f.lo, f.hi, v.prefix, bind(v.range.lo), bind(v.range.hi))).join(' OR ')})`);
        break;
    }
  }
  return { text: parts.join(' AND '), values };
}

/**
 * FHIR date search on half-open ranges: the resource's [lo, hi) against the search value's
 * [s, e). A column that is one instant (lo and hi the same column) is the range [t, t].
 */
function dateCondition(loCol: string, hiCol: string, prefix: DatePrefix, s: string, e: string): string {
  const lo = ident(loCol);
  const hi = ident(hiCol);
  const point = loCol === hiCol;
  switch (prefix) {
    case 'eq':
      return point ? `(${lo} >= ${s}::timestamptz AND ${lo} < ${e}::timestamptz)` : `(${lo} >= ${s}::timestamptz AND ${hi} <= ${e}::timestamptz)`;
    case 'ne':
      return point
        ? `NOT (${lo} >= ${s}::timestamptz AND ${lo} < ${e}::timestamptz)`
        : `(${lo} IS NOT NULL AND NOT (${lo} >= ${s}::timestamptz AND ${hi} <= ${e}::timestamptz))`;
    case 'gt':
    case 'sa':
      return prefix === 'gt' && !point ? `${hi} > ${e}::timestamptz` : `${lo} >= ${e}::timestamptz`;
    case 'lt':
    case 'eb':
      return prefix === 'eb' && !point ? `${hi} <= ${s}::timestamptz` : `${lo} < ${s}::timestamptz`;
    case 'ge':
      return point ? `${lo} >= ${s}::timestamptz` : `${hi} > ${s}::timestamptz`;
    case 'le':
      return `${lo} < ${e}::timestamptz`;
  }
}

/** ORDER BY and the keyset condition that continues after the cursor's row. */
export function orderAndCursor(req: SearchRequest, values: unknown[]): { order: string; after?: string } {
  const desc = req.sort.startsWith('-');
  const dir = desc ? 'DESC' : 'ASC';
  const op = desc ? '<' : '>';
  const byId = req.sort.endsWith('_id');
  const order = byId ? `id ${dir}` : `last_updated ${dir}, id ${dir}`;
  if (!req.cursor) return { order };
  if (byId) {
    values.push(req.cursor[0]);
    return { order, after: `id ${op} $${values.length}` };
  }
  values.push(req.cursor[0], req.cursor[1]);
  return { order, after: `(last_updated, id) ${op} ($${values.length - 1}::timestamptz, $${values.length})` };
}
