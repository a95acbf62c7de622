import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/index.ts';
import { extractSearchColumns } from '../fhir/extract.ts';
import type { ResourceType } from '../fhir/registry.ts';
import { encodeCursor, type SearchRequest } from '../fhir/search-request.ts';
import { ident, type Queryable, type Tx } from './db.ts';
import { searchColumnNames } from './resource-tables.ts';
import { orderAndCursor, whereClause } from './search-sql.ts';

export interface StoredVersion {
  readonly id: string;
  readonly versionId: number;
  readonly lastUpdated: string;
  readonly deleted: boolean;
  /** Absent for a deletion's history entry. */
  readonly resource?: Resource;
}

export interface SearchResult {
  readonly resources: Resource[];
  /** Cursor of the last row when more may follow. */
  readonly next?: string;
  readonly total?: number;
}

export interface HistoryQuery {
  readonly id?: string;
  readonly since?: string;
  readonly count: number;
  /** Continue below this (lastUpdated, id, versionId). */
  readonly cursor?: readonly string[];
}

/** Searches are planned for their values each time (see QueryOptions.prepare). */
const VALUE_DEPENDENT = { prepare: false } as const;

interface Row {
  id: string;
  version_id: number;
  last_updated: string;
  deleted: boolean;
  content: Resource | null;
}

/**
 * The SQL for FHIR resources: current versions with their extracted search columns, and every
 * version in history. Callers pass the connection (a transaction for writes), so a write, its
 * audit and its outbox message commit together.
 */
export class ResourceStore {
  async read(q: Queryable, type: ResourceType, id: string, forUpdate = false): Promise<StoredVersion | undefined> {
    const { rows } = await q.query<Row>(
      `SELECT id, version_id, last_updated, deleted, content FROM ${ident(type.table)} WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  async vread(q: Queryable, type: ResourceType, id: string, versionId: number): Promise<StoredVersion | undefined> {
    const table = type.immutable ? type.table : type.historyTable;
    const { rows } = await q.query<Row>(`SELECT id, version_id, last_updated, deleted, content FROM ${ident(table)} WHERE id = $1 AND version_id = $2`, [
      id,
      versionId,
    ]);
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  /** Writes a new resource (version 1) with a server-assigned id unless one is given. */
  async create(tx: Tx, type: ResourceType, input: Resource, id: string = randomUUID()): Promise<Resource> {
    const resource = stamp(input, id, 1);
    await this.writeCurrent(tx, type, resource, 1, false, 'insert');
    return resource;
  }

  /** Writes the next version of an existing resource; the caller holds its row lock. */
  async update(tx: Tx, type: ResourceType, previous: StoredVersion, input: Resource): Promise<Resource> {
    const versionId = previous.versionId + 1;
    const resource = stamp(input, previous.id, versionId);
    await this.writeCurrent(tx, type, resource, versionId, false, previous.deleted ? 'revive' : 'update');
    return resource;
  }

  async delete(tx: Tx, type: ResourceType, previous: StoredVersion): Promise<number> {
    const versionId = previous.versionId + 1;
    const lastUpdated = new Date().toISOString();
    await tx.query(`UPDATE ${ident(type.table)} SET version_id = $2, last_updated = $3, deleted = true WHERE id = $1`, [previous.id, versionId, lastUpdated]);
    await tx.query(`INSERT INTO ${ident(type.historyTable)} (id, version_id, last_updated, deleted, content) VALUES ($1, $2, $3, true, NULL)`, [
      previous.id,
      versionId,
      lastUpdated,
    ]);
    return versionId;
  }

  async search(q: Queryable, type: ResourceType, req: SearchRequest): Promise<SearchResult> {
    const where = whereClause(req.filters);
    if (req.summaryCount) return { resources: [], total: await this.count(q, type, where.text, where.values) };
    const values = [...where.values];
    const { order, after } = orderAndCursor(req, values);
    values.push(req.count + 1);
    const { rows } = await q.query<Row>(
      `SELECT id, version_id, last_updated, deleted, content FROM ${ident(type.table)} WHERE ${where.text}${after ? ` AND ${after}` : ''} ORDER BY ${order} LIMIT $${values.length}`,
      values,
      VALUE_DEPENDENT,
    );
    const more = rows.length > req.count;
    const page = more ? rows.slice(0, req.count) : rows;
    const last = page.at(-1);
    const next = more && last ? encodeCursor(req.sort.endsWith('_id') ? [last.id] : [last.last_updated, last.id]) : undefined;
    let total: number | undefined;
    if (req.total === 'accurate') total = await this.count(q, type, where.text, where.values);
    else if (!more && !req.cursor) total = page.length;
    return { resources: page.map((r) => r.content!), next, total };
  }

  /** Current resources of `type` whose reference column points at any of `keys`. */
  async referencing(q: Queryable, type: ResourceType, column: string, keys: readonly string[], limit: number): Promise<Resource[]> {
    if (keys.length === 0) return [];
    const { rows } = await q.query<Row>(
      `SELECT content FROM ${ident(type.table)} WHERE NOT deleted AND ${ident(column)} && $1::text[] ORDER BY id LIMIT $2`,
      [keys, limit],
      VALUE_DEPENDENT,
    );
    return rows.map((r) => r.content!);
  }

  async readMany(q: Queryable, type: ResourceType, ids: readonly string[]): Promise<Resource[]> {
    if (ids.length === 0) return [];
    const { rows } = await q.query<Row>(`SELECT content FROM ${ident(type.table)} WHERE NOT deleted AND id = ANY($1::text[]) ORDER BY id`, [ids]);
    return rows.map((r) => r.content!);
  }

  async history(q: Queryable, type: ResourceType, h: HistoryQuery): Promise<{ versions: StoredVersion[]; next?: string }> {
    const table = type.immutable ? type.table : type.historyTable;
    const values: unknown[] = [];
    const where: string[] = [];
    if (h.id !== undefined) {
      values.push(h.id);
      where.push(`id = $${values.length}`);
    }
    if (h.since !== undefined) {
      values.push(h.since);
      where.push(`last_updated >= $${values.length}::timestamptz`);
    }
    if (h.cursor) {
      values.push(h.cursor[0], h.cursor[1], Number(h.cursor[2]));
      where.push(`(last_updated, id, version_id) < ($${values.length - 2}::timestamptz, $${values.length - 1}, $${values.length})`);
    }
    values.push(h.count + 1);
    const { rows } = await q.query<Row>(
      `SELECT id, version_id, last_updated, deleted, content FROM ${ident(table)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
       ORDER BY last_updated DESC, id DESC, version_id DESC LIMIT $${values.length}`,
      values,
    );
    const more = rows.length > h.count;
    const page = (more ? rows.slice(0, h.count) : rows).map(toVersion);
    const last = page.at(-1);
    return { versions: page, next: more && last ? encodeCursor([last.lastUpdated, last.id, String(last.versionId)]) : undefined };
  }

  private async count(q: Queryable, type: ResourceType, where: string, values: unknown[]): Promise<number> {
    const { rows } = await q.query<{ n: number }>(`SELECT count(*) AS n FROM ${ident(type.table)} WHERE ${where}`, values, VALUE_DEPENDENT);
    return Number(rows[0]?.n ?? 0);
  }

  private async writeCurrent(
    tx: Tx,
    type: ResourceType,
    resource: Resource,
    versionId: number,
    deleted: boolean,
    mode: 'insert' | 'update' | 'revive',
  ): Promise<void> {
    const columns = extractSearchColumns([...type.params.values()], resource);
    const names = searchColumnNames(type);
    const lastUpdated = resource.meta!.lastUpdated!;
    const base = [resource.id, versionId, lastUpdated, deleted, resource];
    const values = [...base, ...names.map((n) => columns[n] ?? null)];
    const cols = ['id', 'version_id', 'last_updated', 'deleted', 'content', ...names].map(ident);
    const placeholders = cols.map((_, i) => `$${i + 1}`);
    if (mode === 'insert') {
      await tx.query(`INSERT INTO ${ident(type.table)} (${cols.join(', ')}) VALUES (${placeholders.join(', ')})`, values);
    } else {
      const sets = cols.slice(1).map((c, i) => `${c} = $${i + 2}`);
      await tx.query(`UPDATE ${ident(type.table)} SET ${sets.join(', ')} WHERE id = $1`, values);
    }
    if (!type.immutable) {
      await tx.query(`INSERT INTO ${ident(type.historyTable)} (id, version_id, last_updated, deleted, content) VALUES ($1, $2, $3, $4, $5)`, base);
    }
  }

  /** Fills the search columns of every row again, after a search parameter was added. */
  async refill(tx: Tx, type: ResourceType): Promise<number> {
    const names = searchColumnNames(type);
    let done = 0;
    let after = '';
    for (;;) {
      const { rows } = await tx.query<Row>(`SELECT id, content FROM ${ident(type.table)} WHERE id > $1 AND NOT deleted ORDER BY id LIMIT 500`, [after]);
      if (rows.length === 0) return done;
      for (const row of rows) {
        const columns = extractSearchColumns([...type.params.values()], row.content!);
        const sets = names.map((n, i) => `${ident(n)} = $${i + 2}`);
        await tx.query(`UPDATE ${ident(type.table)} SET ${sets.join(', ')} WHERE id = $1`, [row.id, ...names.map((n) => columns[n] ?? null)]);
      }
      done += rows.length;
      after = rows.at(-1)!.id;
    }
  }
}

function stamp(input: Resource, id: string, versionId: number): Resource {
  const meta = { ...input.meta, versionId: String(versionId), lastUpdated: new Date().toISOString() };
  return { ...input, id, meta } as Resource;
}

function toVersion(r: Row): StoredVersion {
  return { id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, deleted: r.deleted, resource: r.content ?? undefined };
}

export function conflictIfDeleted(v: StoredVersion | undefined, type: string, id: string): StoredVersion {
  if (!v) throw new FhirError('MESH-FHIR-001', { diagnostics: `${type}/${id} does not exist` });
  if (v.deleted) throw new FhirError('MESH-FHIR-002', { diagnostics: `${type}/${id} was deleted (version ${v.versionId})` });
  return v;
}
