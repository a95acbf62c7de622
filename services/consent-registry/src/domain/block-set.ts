import { ALL_PROVIDERS, type Block, type Instant, type PersonRef, type Revoke } from './model.ts';
import { samePerson } from './people.ts';
import { inForce } from './time.ts';

/**
 * One patient's blocks and revokes as they stand at one instant (NSF-R1), indexed for the
 * questions the decision asks per record: the blocks of the record's owner, the general blocks,
 * and the revokes granted to the requester's organisation. Built once per patient and batch, so a
 * decision costs the few blocks that can concern it, never the whole list.
 */
export interface BlockSet {
  readonly patient: PersonRef;
  readonly byOwner: ReadonlyMap<string, readonly Block[]>;
  readonly general: readonly Block[];
  readonly revokesByOrganisation: ReadonlyMap<string, readonly Revoke[]>;
}

export function compileBlockSet(patient: PersonRef, blocks: readonly Block[], revokes: readonly Revoke[], now: Instant): BlockSet {
  const byOwner = new Map<string, Block[]>();
  const general: Block[] = [];
  for (const block of blocks) {
    if (block.status !== 'active' || !inForce(block.period, now) || !samePerson(block.patient, patient)) continue;
    if (block.owner === ALL_PROVIDERS) general.push(block);
    else push(byOwner, block.owner, block);
  }
  const revokesByOrganisation = new Map<string, Revoke[]>();
  for (const revoke of revokes) {
    if (revoke.status !== 'active' || !inForce(revoke.period, now) || !samePerson(revoke.patient, patient)) continue;
    push(revokesByOrganisation, revoke.grantee.organisation, revoke);
  }
  return { patient, byOwner, general, revokesByOrganisation };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
