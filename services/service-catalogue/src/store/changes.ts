import type { Endpoint, Organization } from '@medplum/fhirtypes';
import type { Queryable } from '@ndi-mesh/kernel';

/**
 * NTK-R14: marks a resource as changed by the current transaction. The version is stamped at
 * commit by the trigger of migration 001, in commit order (see there why).
 */
export async function markChanged(tx: Queryable, resourceType: 'Organization' | 'Endpoint', id: string): Promise<void> {
  await tx.query('INSERT INTO ntk_change (resource_type, id, version) VALUES ($1, $2, NULL) ON CONFLICT (resource_type, id) DO UPDATE SET version = NULL', [
    resourceType,
    id,
  ]);
}

export interface CatalogueState {
  readonly version: number;
  readonly organizations: Organization[];
  readonly endpoints: Endpoint[];
  /** `Type/id` of what changed and is no longer in the catalogue's live set. */
  readonly removed: string[];
}

interface Row {
  version: number;
  resource_type: string | null;
  id: string | null;
  content: Organization | Endpoint | null;
  deleted: boolean | null;
}

/**
 * The live catalogue (every organisation and every active endpoint, whatever its period), or what
 * changed after `since`: changed resources that are live, and `removed` for those that left it;
 * with the version it is current at. One statement, so the version and the rows come from one
 * database snapshot.
 */
export async function catalogueState(q: Queryable, since: number | undefined): Promise<CatalogueState> {
  const { rows } =
    since === undefined
      ? await q.query<Row>(
          `SELECT v.version, x.resource_type, x.id, x.content, false AS deleted
             FROM ntk_version v
             LEFT JOIN LATERAL (
               SELECT 'Organization' AS resource_type, id, content FROM res_organization WHERE NOT deleted
               UNION ALL
               SELECT 'Endpoint', id, content FROM res_endpoint WHERE NOT deleted AND content->>'status' = 'active'
             ) x ON true
            ORDER BY x.resource_type, x.id`,
        )
      : await q.query<Row>(
          `SELECT v.version, c.resource_type, c.id, coalesce(o.content, e.content) AS content, coalesce(o.deleted, e.deleted, true) AS deleted
             FROM ntk_version v
             LEFT JOIN ntk_change c ON c.version > $1
             LEFT JOIN res_organization o ON c.resource_type = 'Organization' AND o.id = c.id
             LEFT JOIN res_endpoint e ON c.resource_type = 'Endpoint' AND e.id = c.id
            ORDER BY c.version, c.resource_type, c.id`,
          [since],
        );
  const organizations: Organization[] = [];
  const endpoints: Endpoint[] = [];
  const removed: string[] = [];
  for (const r of rows) {
    if (!r.resource_type || !r.id) continue;
    const live = r.content && !r.deleted && (r.resource_type === 'Organization' || (r.content as Endpoint).status === 'active');
    if (!live) removed.push(`${r.resource_type}/${r.id}`);
    else if (r.resource_type === 'Organization') organizations.push(r.content as Organization);
    else endpoints.push(r.content as Endpoint);
  }
  return { version: Number(rows[0]?.version ?? 0), organizations, endpoints, removed };
}
