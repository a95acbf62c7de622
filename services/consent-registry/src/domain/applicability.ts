import { ALL_PROVIDERS, VIEW_BLOCK_KINDS, type Audience, type Block, type DecisionRequest, type Purpose, type RecordRef, type RuleId } from './model.ts';
import { samePerson } from './people.ts';
import { windowCovers } from './time.ts';

const EVERYONE_VIEWING: Audience = { accessors: ['patient', 'guardian', 'representative'] };
const GUARDIANS: Audience = { accessors: ['guardian'] };

/**
 * A seal and a clinician's block of the patient's access keep out everyone who sees the patient's
 * view, since a representative or guardian sees what the patient sees; a guardian block keeps out
 * guardians only.
 */
export function audienceOf(block: Block): Audience {
  if (block.audience !== undefined) return block.audience;
  return block.kind === 'guardian-access' ? GUARDIANS : EVERYONE_VIEWING;
}

/** NSF-R2 and NSF-R3: does the block cover this record at all? */
export function covers(block: Block, record: RecordRef): boolean {
  if (block.owner !== ALL_PROVIDERS && block.owner !== record.owner) return false;
  const units = block.scope.careUnits;
  if (units !== undefined && units.length > 0 && !units.includes(record.careUnit)) return false;
  if (block.category !== 'all' && block.category !== record.category) return false;
  return windowCovers(block.dataPeriod, record.dataPeriod);
}

/**
 * The deny rule a block covering the record brings to bear on this request, if any. Care blocks
 * (NSF-R4–R7) bind care professionals only: they never hide the patient's own data from the
 * patient. View blocks (NSF-R8–R10) bind the patient's view only: they never restrict care.
 */
export function denyRule(block: Block, request: DecisionRequest): RuleId | undefined {
  const { purpose, requester, record } = request;
  if (purpose.type === 'patient-access') {
    if (!VIEW_BLOCK_KINDS.has(block.kind) || !inAudience(audienceOf(block), purpose)) return undefined;
    return block.kind === 'seal' ? 'NSF-R8' : block.kind === 'patient-access' ? 'NSF-R9' : 'NSF-R10';
  }
  const anotherProvider = requester.organisation !== record.owner;
  switch (block.kind) {
    case 'opt-out':
      return anotherProvider ? 'NSF-R4' : undefined;
    case 'care-provider':
      if (block.scope.level === 'outer') return anotherProvider ? 'NSF-R5' : undefined;
      // A requester that names no unit cannot show it is the unit holding the data.
      return anotherProvider || requester.careUnit !== record.careUnit ? 'NSF-R6' : undefined;
    case 'all-providers':
      return anotherProvider ? 'NSF-R7' : undefined;
    default:
      return undefined;
  }
}

function inAudience(audience: Audience, purpose: Extract<Purpose, { type: 'patient-access' }>): boolean {
  if (!audience.accessors.includes(purpose.accessor)) return false;
  const persons = audience.persons;
  return persons === undefined || persons.length === 0 || persons.some((p) => samePerson(p, purpose.person));
}
