import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import type { SearchColumns } from '../fhir/extract.ts';
import type { ResourceType } from '../fhir/registry.ts';
import { ident, type Queryable } from '../storage/db.ts';
import { searchColumnNames } from '../storage/resource-tables.ts';
import { auditSearchColumns } from './audit-event.ts';

/** One AuditEvent ready to be stored: its id and version stamped, its search columns computed. */
export interface AuditRow {
  readonly event: AuditEvent;
  readonly columns: SearchColumns;
}

/** Stamps the event as the resource store stamps a create (a new id, version 1) and computes its columns. */
export function auditRow(event: AuditEvent): AuditRow {
  const stamped: AuditEvent = { ...event, id: randomUUID(), meta: { ...event.meta, versionId: '1', lastUpdated: new Date().toISOString() } };
  return { event: stamped, columns: auditSearchColumns(stamped) };
}

/**
 * Inserts AuditEvent rows into the type's table with ONE statement: outside a transaction it
 * commits all of them or none. The rows travel as one JSON array parameter, expanded by
 * `jsonb_populate_recordset` against the table's own row type (text[] columns from JSON arrays),
 * so the statement text is the same for any number of rows (prepared once) and the driver
 * serialises one string instead of escaping every array element. AuditEvents are immutable, so
 * there is no history table to write.
 */
export async function insertAuditRows(q: Queryable, type: ResourceType, rows: readonly AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  const names = searchColumnNames(type);
  const cols = ['id', 'version_id', 'last_updated', 'deleted', 'content', ...names].map(ident).join(', ');
  const records = rows.map(({ event, columns }) => {
    const record: Record<string, unknown> = { id: event.id, version_id: 1, last_updated: event.meta!.lastUpdated, deleted: false, content: event };
    for (const n of names) record[n] = columns[n] ?? null;
    return record;
  });
  await q.query(`INSERT INTO ${ident(type.table)} (${cols}) SELECT ${cols} FROM jsonb_populate_recordset(NULL::${ident(type.table)}, $1::jsonb)`, [
    JSON.stringify(records),
  ]);
}
