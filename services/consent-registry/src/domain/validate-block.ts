import { assertHsaId, FhirError, validatePatientIdentifier } from '@ndi-mesh/kernel';
import {
  ACCESSOR_KINDS,
  ALL_PROVIDERS,
  BLOCK_KINDS,
  INFORMATION_TYPES,
  type Actor,
  type Block,
  type BlockKind,
  type DataWindow,
  type Period,
} from './model.ts';
import { samePerson } from './people.ts';

const CATEGORIES: ReadonlySet<string> = new Set([...INFORMATION_TYPES, 'all']);
const KINDS: ReadonlySet<string> = new Set(BLOCK_KINDS);
const ACCESSORS: ReadonlySet<string> = new Set(ACCESSOR_KINDS);
/** The blocks a patient asks for; the other two are a clinician's assessment, made against the patient's or a guardian's wish. */
export const PATIENT_BLOCK_KINDS: ReadonlySet<BlockKind> = new Set(['opt-out', 'care-provider', 'all-providers', 'seal']);

/**
 * Checks a block about to be registered, locally or in NSR, and returns it unchanged. Throws the
 * first problem found: MESH-NSF-001 (a period or window ending before it starts), MESH-NSF-002
 * (fields that do not fit the kind), MESH-NSF-010 (a registrant who may not register it),
 * MESH-ID-00x (identifiers).
 */
export function validateBlock(block: Block): Block {
  if (typeof block.id !== 'string' || block.id.trim() === '') refuse('a block has an id', 'id');
  validatePatientIdentifier(block.patient, { expression: 'patient' });
  if (!KINDS.has(block.kind)) refuse(`the kind is one of ${BLOCK_KINDS.join(', ')}`, 'kind');
  if (!CATEGORIES.has(block.category)) refuse(`the category is "all" or one of ${INFORMATION_TYPES.join(', ')}`, 'category');
  if (block.status !== 'active' || block.cancellation !== undefined) refuse('a new block is active', 'status');
  checkPeriod(block.period, 'period');
  if (block.dataPeriod !== undefined) checkWindow(block.dataPeriod);
  if (block.owner !== ALL_PROVIDERS) assertHsaId(block.owner, 'owner');
  block.scope.careUnits?.forEach((unit, i) => assertHsaId(unit, `scope.careUnits[${i}]`));
  checkKind(block);
  checkRegistrant(block);
  return block;
}

/** MESH-NSF-001 for a period that is empty or runs backwards. */
export function checkPeriod(period: Period, expression: string): void {
  if (!Number.isFinite(period.start)) refuse('a period has a start', `${expression}.start`);
  if (period.end !== undefined && !(period.end > period.start)) {
    throw new FhirError('MESH-NSF-001', { diagnostics: 'the period ends before (or when) it starts', expression: `${expression}.end` });
  }
}

function checkWindow(window: DataWindow): void {
  if (window.from === undefined && window.to === undefined) refuse('an information time window has a start, an end or both', 'dataPeriod');
  if (window.from !== undefined && window.to !== undefined && window.to < window.from) {
    throw new FhirError('MESH-NSF-001', { diagnostics: 'the information time window ends before it starts', expression: 'dataPeriod.to' });
  }
}

function checkKind(block: Block): void {
  const general = block.owner === ALL_PROVIDERS;
  const units = block.scope.careUnits ?? [];
  if (block.scope.level !== 'outer' && block.scope.level !== 'inner') refuse('the scope level is outer or inner', 'scope.level');
  if (general && units.length > 0) refuse('a block for all providers names no care unit: units belong to one provider', 'scope.careUnits');
  if (block.scope.level === 'inner' && block.kind !== 'care-provider') refuse('only a care-provider block can be inner', 'scope.level');
  const viewBlock = block.kind === 'seal' || block.kind === 'patient-access' || block.kind === 'guardian-access';
  if (!viewBlock && block.audience !== undefined) refuse('only seals, patient-access and guardian blocks have an audience', 'audience');
  switch (block.kind) {
    case 'opt-out':
      if (!general) refuse('an opt-out applies to all providers', 'owner');
      if (block.category !== 'all') refuse('an opt-out covers every category', 'category');
      if (block.dataPeriod !== undefined) refuse('an opt-out has no information time window', 'dataPeriod');
      return;
    case 'care-provider':
      if (general) refuse('a care-provider block names the provider holding the data', 'owner');
      if (block.scope.level === 'inner' && units.length === 0) refuse('an inner block names the care unit(s) whose data it blocks', 'scope.careUnits');
      return;
    case 'all-providers':
      if (!general) refuse(`a general block's owner is ${ALL_PROVIDERS}`, 'owner');
      return;
    case 'seal':
      checkAudience(block, false);
      return;
    case 'patient-access':
    case 'guardian-access':
      if (general) refuse('a clinician restricts access to the data of their own provider only', 'owner');
      if (block.reason === undefined || block.reason.trim() === '') refuse('a clinician states why access is restricted', 'reason');
      checkAudience(block, block.kind === 'guardian-access');
      return;
  }
}

function checkAudience(block: Block, guardiansOnly: boolean): void {
  const audience = block.audience;
  if (audience === undefined) return;
  if (audience.accessors.length === 0 || audience.accessors.some((a) => !ACCESSORS.has(a))) {
    refuse(`the audience names one or more of ${ACCESSOR_KINDS.join(', ')}`, 'audience.accessors');
  }
  if (guardiansOnly && audience.accessors.some((a) => a !== 'guardian')) refuse('a guardian block keeps out guardians only', 'audience.accessors');
  if (audience.persons !== undefined && audience.persons.length === 0)
    refuse('leave persons out to mean everyone; an empty list is ambiguous', 'audience.persons');
  audience.persons?.forEach((person, i) => validatePatientIdentifier(person, { expression: `audience.persons[${i}]` }));
}

/**
 * Who may register what. The patient (or a representative acting in the patient's name) the
 * blocks they may ask for; a care provider blocks on the data it holds, general blocks on the
 * patient's request, and, through a named professional, restrictions of the patient's or
 * guardians' access to its own data; the operator, for manual handling (seed 001 §5.3.3), what
 * the patient may ask for.
 */
function checkRegistrant(block: Block): void {
  const by: Actor = block.createdBy;
  switch (by.type) {
    case 'patient':
      if (!samePerson(by.patient, block.patient)) forbid('a patient registers blocks on their own data only');
      if (!PATIENT_BLOCK_KINDS.has(block.kind)) forbid(`a ${block.kind} block is a clinician's decision, not the patient's`);
      return;
    case 'care-provider':
      assertHsaId(by.organisation, 'createdBy.organisation');
      if (block.owner !== ALL_PROVIDERS && block.owner !== by.organisation) forbid('a care provider registers blocks on the data it holds only');
      if (!PATIENT_BLOCK_KINDS.has(block.kind) && by.professional === undefined) {
        forbid(`a ${block.kind} block names the professional who decided it`);
      }
      return;
    case 'operator':
      if (!PATIENT_BLOCK_KINDS.has(block.kind)) forbid(`a ${block.kind} block is a clinician's decision, not the operator's`);
      return;
  }
}

function refuse(diagnostics: string, expression: string): never {
  throw new FhirError('MESH-NSF-002', { diagnostics, expression });
}

function forbid(diagnostics: string): never {
  throw new FhirError('MESH-NSF-010', { diagnostics, expression: 'createdBy' });
}
