import type { Organization } from '@medplum/fhirtypes';
import type { Queryable } from '@ndi-mesh/kernel';

export async function readOrganization(q: Queryable, id: string): Promise<Organization | undefined> {
  const { rows } = await q.query<{ content: Organization }>('SELECT content FROM res_organization WHERE id = $1 AND NOT deleted', [id]);
  return rows[0]?.content;
}

/**
 * The organisation holding `hsaId`, other than `exceptId`. Takes a transaction-scoped lock on the
 * HSA-id first, so two writers registering the same HSA-id at once are serialised (NTK-R6).
 */
export async function otherOrganizationWithHsaId(tx: Queryable, hsaId: string, exceptId: string | undefined): Promise<string | undefined> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`ntk:hsa:${hsaId}`]);
  const { rows } = await tx.query<{ id: string }>('SELECT organization_id AS id FROM ntk_hsa WHERE hsa_id = $1 AND organization_id <> $2', [
    hsaId,
    exceptId ?? '',
  ]);
  return rows[0]?.id;
}

/** Records which organisation holds the HSA-id (it never changes, NTK-R5). */
export async function recordHsaId(tx: Queryable, hsaId: string, organizationId: string): Promise<void> {
  await tx.query('INSERT INTO ntk_hsa (hsa_id, organization_id) VALUES ($1, $2) ON CONFLICT (hsa_id) DO NOTHING', [hsaId, organizationId]);
}
