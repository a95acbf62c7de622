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
        parts.push(
          `(${f.values
            .map((v) =>
              dateCondition(
                f.lo,
                f.hi,
                v.prefix,
                () => `${bind(v.range.lo)}::timestamptz`,
                () => `${bind(v.range.hi)}::timestamptz`,
              ),
            )
            .join(' OR ')})`,
        );
        break;
    }
  }
  return { text: parts.join(' AND '), values };
}

/**
 * FHIR date search on half-open ranges: the resource's [lo, hi) against the search value's
 * [s, e). A column that is one instant (lo and hi the same column) is the range [t, t].
 */
function dateCondition(loCol: string, hiCol: string, prefix: DatePrefix, start: () => string, end: () => string): string {
  // Only the bounds a condition uses are bound: PostgreSQL cannot type an unused parameter.
  const lo = ident(loCol);
  const hi = ident(hiCol);
  const point = loCol === hiCol;
  switch (prefix) {
    case 'eq':
    case 'ne': {
      const s = start();
      const e = end();
      const inside = point ? `${lo} >= ${s} AND ${lo} < ${e}` : `${lo} >= ${s} AND ${hi} <= ${e}`;
      return prefix === 'eq' ? `(${inside})` : `(${lo} IS NOT NULL AND NOT (${inside}))`;
    }
    case 'gt':
      return point ? `${lo} >= ${end()}` : `${hi} > ${end()}`;
    case 'sa':
      return `${lo} >= ${end()}`;
    case 'lt':
      return `${lo} < ${start()}`;
    case 'eb':
      return point ? `${lo} < ${start()}` : `${hi} <= ${start()}`;
    case 'ge':
      return point ? `${lo} >= ${start()}` : `${hi} > ${start()}`;
    case 'le':
      return `${lo} < ${end()}`;
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
