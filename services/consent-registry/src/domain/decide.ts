import { covers, denyRule } from './applicability.ts';
import { compileBlockSet, type BlockSet } from './block-set.ts';
import { countryAllows } from './country-policy.ts';
import { liftRule } from './lifting.ts';
import type { Block, Decision, DecisionPolicy, DecisionRequest, Instant, Obligation, Revoke, TraceEntry } from './model.ts';
import { samePerson } from './people.ts';

const NONE: readonly never[] = [];
/** NSF-R13: every release under break-glass is audited, told to the patient and put on the owner's follow-up list. */
export const EMERGENCY_OBLIGATIONS: readonly Obligation[] = ['audit-emergency-access', 'notify-patient', 'owner-follow-up'];

/**
 * Whether the information owner may release one record to this requester, with the rules that
 * decided it (implementation-guides/consent-registry/rules.md). Pure: the same input gives the
 * same answer, whichever copy of the blocks (national or a provider's local one) it is given.
 */
export function decide(request: DecisionRequest, blocks: readonly Block[], revokes: readonly Revoke[], policy: DecisionPolicy, now: Instant): Decision {
  return decideWithin(compileBlockSet(request.patient, blocks, revokes, now), request, policy);
}

/**
 * One decision per request, in order: the batch form for an owner filtering many records in one
 * call. Blocks are indexed once per patient in the batch, so the cost grows with the records, not
 * with records × blocks.
 */
export function decideMany(
  requests: readonly DecisionRequest[],
  blocks: readonly Block[],
  revokes: readonly Revoke[],
  policy: DecisionPolicy,
  now: Instant,
): Decision[] {
  const sets = new Map<string, BlockSet>();
  return requests.map((request) => {
    const key = `${request.patient.system}|${request.patient.value}`;
    let set = sets.get(key);
    if (set === undefined) {
      set = compileBlockSet(request.patient, blocks, revokes, now);
      sets.set(key, set);
    }
    return decideWithin(set, request, policy);
  });
}

/** Decides against a set compiled beforehand, for a caller that keeps a patient's blocks warm. */
export function decideWithin(set: BlockSet, request: DecisionRequest, policy: DecisionPolicy): Decision {
  if (!samePerson(set.patient, request.patient)) throw new RangeError("the block set is another patient's");
  const { record } = request;
  const trace: TraceEntry[] = [];
  let denied = false;
  let breakGlass = false;

  if (request.country !== undefined && !countryAllows(policy.countries, request.country, record.category)) {
    trace.push({ rule: 'NSF-R11' });
    denied = true;
  }
  const revokes = set.revokesByOrganisation.get(request.requester.organisation) ?? NONE;
  for (const candidates of [set.byOwner.get(record.owner) ?? NONE, set.general]) {
    for (const block of candidates) {
      if (!covers(block, record)) continue;
      const rule = denyRule(block, request);
      if (rule === undefined) continue;
      const lift = findLift(revokes, block, request, policy);
      if (lift === undefined) {
        trace.push({ rule, blockId: block.id });
        denied = true;
      } else {
        trace.push({ rule: lift.rule, blockId: block.id, revokeId: lift.revoke.id });
        if (lift.rule === 'NSF-R13') breakGlass = true;
      }
    }
  }
  if (denied) {
    trace.push({ rule: 'NSF-R14' });
    return { effect: 'deny', trace, obligations: NONE };
  }
  trace.push({ rule: 'NSF-R15' });
  return { effect: 'permit', trace, obligations: breakGlass ? EMERGENCY_OBLIGATIONS : NONE };
}

/** A consent revoke is preferred: where the patient has agreed, nobody needs to break the glass. */
function findLift(
  revokes: readonly Revoke[],
  block: Block,
  request: DecisionRequest,
  policy: DecisionPolicy,
): { rule: 'NSF-R12' | 'NSF-R13'; revoke: Revoke } | undefined {
  let emergency: Revoke | undefined;
  for (const revoke of revokes) {
    const rule = liftRule(revoke, block, request, policy);
    if (rule === 'NSF-R12') return { rule, revoke };
    if (rule === 'NSF-R13' && emergency === undefined) emergency = revoke;
  }
  return emergency === undefined ? undefined : { rule: 'NSF-R13', revoke: emergency };
}

/**
 * What the requester gets: the permitted items and nothing else, so that a blocked record looks
 * exactly like one that does not exist (seed 001 §5.3.2, assumption 2; EHDS art. 8).
 */
export function permitted<T>(items: readonly T[], decisions: readonly Decision[]): T[] {
  if (items.length !== decisions.length) throw new RangeError('one decision per item');
  return items.filter((_, i) => decisions[i]?.effect === 'permit');
}
