import type { Communication, Identifier, Task } from '@medplum/fhirtypes';
import { defineResourceType, ResourceStore, type AuditTrail, type RequestContext, type Tx } from '@ndi-mesh/kernel';
import type { FollowUpItem } from '../domain/index.ts';
import { FOLLOW_UP_ID_SYSTEM, followUpKey, followUpTask, patientNotice } from './resources.ts';
import { communicationType, taskType } from './types.ts';

const store = new ResourceStore();
const task = defineResourceType(taskType);
const communication = defineResourceType(communicationType);

/**
 * The obligations of a release under break-glass (NSF-R13), in $decide's own transaction so the
 * answer and its obligations commit together: every use is audited (one AuditEvent per revoke
 * used, per call); the owner's follow-up Task and the patient's notice are written once per
 * revoke, owner and day (followUpKey), so a clinician paging through records does not flood
 * either list. Returns the follow-up keys written now.
 */
export async function recordEmergencyUse(tx: Tx, trail: AuditTrail, ctx: RequestContext, items: readonly FollowUpItem[]): Promise<string[]> {
  const written: string[] = [];
  const seen = new Set<string>();
  for (const item of items)
    for (const revokeId of item.revokeIds) {
      const key = followUpKey(revokeId, item.owner, item.at);
      if (seen.has(key)) continue;
      seen.add(key);
      const r = item.requester;
      await trail.write(tx, ctx, {
        interaction: 'operation',
        action: 'E',
        outcome: 'success',
        what: `Consent/${revokeId}`,
        patients: [item.patient as Identifier],
        description: `break-glass use: revoke ${revokeId} released data of ${item.owner} to ${r.professional ?? '-'} at ${r.organisation}; blocks lifted ${item.blockIds.join(' ') || '-'}`,
      });
      if (await exists(tx, 'res_task', key)) continue;
      await store.create(tx, task, followUpTask(item, revokeId, key) as Task);
      if (!(await exists(tx, 'res_communication', key))) await store.create(tx, communication, patientNotice(item, revokeId, key) as Communication);
      written.push(key);
    }
  return written;
}

async function exists(tx: Tx, table: 'res_task' | 'res_communication', key: string): Promise<boolean> {
  const { rows } = await tx.query(`SELECT 1 FROM ${table} WHERE sp_identifier && $1::text[] AND NOT deleted LIMIT 1`, [[`${FOLLOW_UP_ID_SYSTEM}|${key}`]]);
  return rows.length > 0;
}
