import type { Endpoint, Organization } from '@medplum/fhirtypes';
import type { Queryable } from '@ndi-mesh/kernel';
import { sqlInstant, type Validity } from '../domain/validity.ts';

/**
 * The organisation's active endpoints other than `exceptId`, after a transaction-scoped lock on the
 * organisation: concurrent writes of its endpoints queue up, so the overlap check (NTK-R11) of one
 * sees what the one before it committed.
 */
export async function activeEndpointsOf(tx: Queryable, organizationId: string, exceptId: string | undefined): Promise<Endpoint[]> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`ntk:endpoints:${organizationId}`]);
  // The routing table holds exactly the active endpoints that serve an information type: the only
  // ones that can clash.
  const { rows } = await tx.query<{ content: Endpoint }>(
    `SELECT e.content FROM res_endpoint e
      WHERE e.id IN (SELECT endpoint_id FROM ntk_lookup WHERE organization_id = $1) AND e.id <> $2 AND NOT e.deleted`,
    [organizationId, exceptId ?? ''],
  );
  return rows.map((r) => r.content);
}

export interface Route {
  readonly endpointId: string;
  readonly organizationId: string;
  readonly hsaId: string;
  readonly informationTypes: readonly string[];
  readonly validity: Validity;
}

/** Replaces the endpoint's rows in the routing table (NTK-R13); `route` undefined removes them. */
export async function writeRoute(tx: Queryable, endpointId: string, route: Route | undefined): Promise<void> {
  await tx.query('DELETE FROM ntk_lookup WHERE endpoint_id = $1', [endpointId]);
  if (!route || route.informationTypes.length === 0) return;
  await tx.query(
    `INSERT INTO ntk_lookup (endpoint_id, information_type, hsa_id, organization_id, valid_from, valid_to)
     SELECT $1, t, $3, $4, $5::timestamptz, $6::timestamptz FROM unnest($2::text[]) AS t`,
    [endpointId, route.informationTypes, route.hsaId, route.organizationId, sqlInstant(route.validity.from), sqlInstant(route.validity.to)],
  );
}

export interface LookupRow {
  readonly endpoint: Endpoint;
  readonly organization: Organization;
}

/**
 * C1 in one statement: the routing rows of these HSA-ids and this information type whose validity
 * covers `at`, joined to the current endpoint and organisation by primary key.
 */
export async function lookup(q: Queryable, hsaIds: readonly string[], informationType: string, at: string): Promise<LookupRow[]> {
  const { rows } = await q.query<LookupRow>(
    `SELECT e.content AS endpoint, o.content AS organization
       FROM ntk_lookup l
       JOIN res_endpoint e ON e.id = l.endpoint_id AND NOT e.deleted
       JOIN res_organization o ON o.id = l.organization_id AND NOT o.deleted
      WHERE l.hsa_id = ANY($1::text[]) AND l.information_type = $2
        AND l.valid_from <= $3::timestamptz AND l.valid_to > $3::timestamptz
      ORDER BY l.hsa_id, l.endpoint_id`,
    [hsaIds, informationType, at],
  );
  return rows;
}
