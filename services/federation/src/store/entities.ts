import type { Jwks, Metadata, MetadataPolicy, Queryable } from '@ndi-mesh/kernel';

export interface EntityRecord {
  readonly entityId: string;
  readonly jwks: Jwks;
  readonly entityTypes: readonly string[];
  readonly hsaId?: string;
  readonly metadata?: Metadata;
  readonly metadataPolicy?: MetadataPolicy;
  readonly registeredAt: string;
  readonly updatedAt: string;
}

interface Row {
  entity_id: string;
  jwks: Jwks;
  entity_types: string[];
  hsa_id: string | null;
  metadata: Metadata | null;
  metadata_policy: MetadataPolicy | null;
  registered_at: string;
  updated_at: string;
}

const COLUMNS = 'entity_id, jwks, entity_types, hsa_id, metadata, metadata_policy, registered_at, updated_at';

function toRecord(r: Row): EntityRecord {
  return {
    entityId: r.entity_id,
    jwks: r.jwks,
    entityTypes: r.entity_types,
    ...(r.hsa_id ? { hsaId: r.hsa_id } : {}),
    ...(r.metadata ? { metadata: r.metadata } : {}),
    ...(r.metadata_policy ? { metadataPolicy: r.metadata_policy } : {}),
    registeredAt: r.registered_at,
    updatedAt: r.updated_at,
  };
}

/** Registers or updates an entity; true when it was new. */
export async function upsertEntity(db: Queryable, e: Omit<EntityRecord, 'registeredAt' | 'updatedAt'>): Promise<boolean> {
  const { rows } = await db.query<{ inserted: boolean }>(
    `INSERT INTO fed_entity (entity_id, jwks, entity_types, hsa_id, metadata, metadata_policy) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (entity_id) DO UPDATE SET jwks = EXCLUDED.jwks, entity_types = EXCLUDED.entity_types, hsa_id = EXCLUDED.hsa_id,
       metadata = EXCLUDED.metadata, metadata_policy = EXCLUDED.metadata_policy, updated_at = now()
     RETURNING (xmax = 0) AS inserted`,
    [
      e.entityId,
      JSON.stringify(e.jwks),
      e.entityTypes,
      e.hsaId ?? null,
      e.metadata ? JSON.stringify(e.metadata) : null,
      e.metadataPolicy ? JSON.stringify(e.metadataPolicy) : null,
    ],
  );
  return rows[0]!.inserted;
}

export async function getEntity(db: Queryable, entityId: string): Promise<EntityRecord | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM fed_entity WHERE entity_id = $1`, [entityId]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function deleteEntity(db: Queryable, entityId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM fed_entity WHERE entity_id = $1', [entityId]);
  return rowCount === 1;
}

export interface EntityFilter {
  readonly entityType?: string;
  /** Only entities holding an unrevoked, unexpired mark of this type. */
  readonly trustMarkType?: string;
}

export async function listEntities(db: Queryable, f: EntityFilter = {}): Promise<EntityRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM fed_entity e
     WHERE ($1::text IS NULL OR $1 = ANY (e.entity_types))
       AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM fed_trust_mark m WHERE m.sub = e.entity_id AND m.trust_mark_type = $2 AND m.revoked_at IS NULL AND m.expires_at > now()))
     ORDER BY e.entity_id`,
    [f.entityType ?? null, f.trustMarkType ?? null],
  );
  return rows.map(toRecord);
}
