import {
  compileBlockSet,
  decideWithin,
  INFORMATION_TYPES,
  type Block,
  type Decision,
  type DecisionPolicy,
  type Revoke,
  type TraceEntry,
} from './domain/index.ts';
import type { DecideInput } from './fhir/decide-parameters.ts';

/**
 * Decides every record of a $decide call against one compiled block set. A record asked with no
 * care unit, or with category `all`, stands for several concrete records; it is permitted only if
 * every one of them is (a block narrowed to a unit or a category must not be slipped past by
 * leaving the unit or category out). Likewise, when the accessor's own identity is not given, an
 * audience narrowed to named persons keeps out anyone of its kinds.
 */
export function decideAsked(input: DecideInput, blocks: readonly Block[], revokes: readonly Revoke[], policy: DecisionPolicy, now: number): Decision[] {
  const effective = input.accessorKnown ? blocks : blocks.map(widenAudience);
  const set = compileBlockSet(input.patient, effective, revokes, now);
  const knownUnits = [...new Set(blocks.flatMap((b) => b.scope.careUnits ?? []))];
  return input.records.map((record) => {
    const units = record.careUnit !== undefined ? [record.careUnit] : ['', ...knownUnits];
    const categories = record.category === 'all' ? INFORMATION_TYPES : [record.category];
    const decisions: Decision[] = [];
    for (const careUnit of units)
      for (const category of categories)
        decisions.push(
          decideWithin(
            set,
            {
              patient: input.patient,
              requester: input.requester,
              purpose: input.purpose,
              record: { owner: record.owner, careUnit, category, ...(record.dataPeriod ? { dataPeriod: record.dataPeriod } : {}) },
              ...(input.country ? { country: input.country } : {}),
            },
            policy,
          ),
        );
    return decisions.length === 1 ? decisions[0]! : merge(decisions);
  });
}

function widenAudience(block: Block): Block {
  return block.audience?.persons ? { ...block, audience: { accessors: block.audience.accessors } } : block;
}

function merge(decisions: readonly Decision[]): Decision {
  const denied = decisions.filter((d) => d.effect === 'deny');
  const from = denied.length ? denied : decisions;
  const seen = new Set<string>();
  const trace: TraceEntry[] = [];
  for (const d of from)
    for (const t of d.trace) {
      const key = `${t.rule} ${t.blockId ?? ''} ${t.revokeId ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        trace.push(t);
      }
    }
  const terminal = trace.filter((t) => t.rule === 'NSF-R14' || t.rule === 'NSF-R15');
  const body = trace.filter((t) => t.rule !== 'NSF-R14' && t.rule !== 'NSF-R15');
  return {
    effect: denied.length ? 'deny' : 'permit',
    trace: [...body, ...terminal.slice(0, 1)],
    obligations: denied.length ? [] : [...new Set(decisions.flatMap((d) => d.obligations))],
  };
}
