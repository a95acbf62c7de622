import type { Identifier, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { assertHsaId, FhirError, validatePatientIdentifier } from '@ndi-mesh/kernel';
import {
  ACCESSOR_KINDS,
  INFORMATION_TYPES,
  type AccessorKind,
  type DataWindow,
  type Decision,
  type InformationType,
  type PersonRef,
  type Purpose,
  type Requester,
} from '../domain/index.ts';
import { inclusiveEndOf, startOf } from './instants.ts';

/** At most this many records in one $decide call, as a batch Bundle's limit. */
export const MAX_RECORDS = 1000;

/** One record as asked: the care unit and category may be left open, and are then decided for the worst case. */
export interface AskedRecord {
  readonly owner: string;
  readonly careUnit?: string;
  readonly category: InformationType | 'all';
  readonly dataPeriod?: DataWindow;
}

export interface DecideInput {
  readonly patient: PersonRef;
  readonly requester: Requester;
  readonly purpose: Purpose;
  /** False when the accessor's own identity was not given: audiences narrowed to named persons are then applied to anyone. */
  readonly accessorKnown: boolean;
  readonly country?: string;
  readonly records: readonly AskedRecord[];
}

const PURPOSES = ['treatment', 'emergency', 'patient-access'];
const CATEGORIES: ReadonlySet<string> = new Set([...INFORMATION_TYPES, 'all']);

/** Reads the C3 `$decide` Parameters; every problem is a 400 naming the parameter. */
export function parseDecide(body: unknown): DecideInput {
  if (!isParameters(body)) bad('the body is a Parameters resource', 'Parameters');
  const params = body.parameter ?? [];
  const patientId = one(params, 'patient')?.valueIdentifier;
  if (!patientId) bad('patient (valueIdentifier) is required', 'patient');
  const patient = person(patientId, 'Parameters.parameter[patient].valueIdentifier');

  const requesterPart = one(params, 'requester')?.part ?? [];
  const hsa = (name: string) => {
    const id = one(requesterPart, name)?.valueIdentifier?.value;
    if (id !== undefined) assertHsaId(id, `requester.${name}`);
    return id;
  };
  const organisation = hsa('organization');
  const careUnit = hsa('careUnit');
  const professional = hsa('professional');
  const role = one(requesterPart, 'role')?.valueCode;
  const requester: Requester = {
    organisation: organisation ?? '',
    ...(careUnit ? { careUnit } : {}),
    ...(professional ? { professional } : {}),
    ...(role ? { role } : {}),
  };

  const purposeCode = one(params, 'purpose')?.valueCode;
  if (!purposeCode || !PURPOSES.includes(purposeCode)) bad(`purpose is one of ${PURPOSES.join(', ')}`, 'purpose');
  let purpose: Purpose;
  let accessorKnown = true;
  if (purposeCode === 'patient-access') {
    const accessor = one(params, 'accessor')?.valueCode as AccessorKind | undefined;
    if (!accessor || !ACCESSOR_KINDS.includes(accessor)) bad(`a patient-access request names the accessor: ${ACCESSOR_KINDS.join(', ')}`, 'accessor');
    const given = one(params, 'accessorIdentifier')?.valueIdentifier;
    const who = given ? person(given, 'Parameters.parameter[accessorIdentifier].valueIdentifier') : accessor === 'patient' ? patient : undefined;
    accessorKnown = who !== undefined;
    purpose = { type: 'patient-access', accessor, person: who ?? patient };
  } else {
    if (!organisation) bad('a treatment or emergency request names the requesting organisation', 'requester.organization');
    purpose = { type: purposeCode as 'treatment' | 'emergency' };
  }

  const country = one(params, 'country')?.valueCode;
  if (country !== undefined && !/^[A-Z]{2}$/.test(country)) bad('country is an ISO 3166-1 alpha-2 code', 'country');

  const recordParams = params.filter((p) => p.name === 'record');
  if (recordParams.length === 0) bad('at least one record is asked about', 'record');
  if (recordParams.length > MAX_RECORDS) bad(`at most ${MAX_RECORDS} records in one call`, 'record');
  const records = recordParams.map((p, i) => record(p.part ?? [], i));
  return { patient, requester, purpose, accessorKnown, ...(country && country !== 'SE' ? { country } : {}), records };
}

function record(parts: readonly ParametersParameter[], i: number): AskedRecord {
  const at = `record[${i}]`;
  const owner = one(parts, 'owner')?.valueIdentifier?.value;
  if (!owner) bad('each record names its owner (valueIdentifier, HSA-id)', `${at}.owner`);
  assertHsaId(owner, `${at}.owner`);
  const careUnit = one(parts, 'careUnit')?.valueIdentifier?.value;
  if (careUnit !== undefined) assertHsaId(careUnit, `${at}.careUnit`);
  const category = one(parts, 'category')?.valueCode;
  if (!category || !CATEGORIES.has(category)) bad(`category is "all" or one of ${INFORMATION_TYPES.join(', ')}`, `${at}.category`);
  const date = one(parts, 'date');
  let dataPeriod: DataWindow | undefined;
  if (date?.valueDate) dataPeriod = { from: startOf(date.valueDate, `${at}.date`), to: inclusiveEndOf(date.valueDate, `${at}.date`) };
  else if (date?.valuePeriod) {
    const { start, end } = date.valuePeriod;
    dataPeriod = { ...(start ? { from: startOf(start, `${at}.date.start`) } : {}), ...(end ? { to: inclusiveEndOf(end, `${at}.date.end`) } : {}) };
  } else if (date?.valueDateTime) dataPeriod = { from: startOf(date.valueDateTime, `${at}.date`), to: inclusiveEndOf(date.valueDateTime, `${at}.date`) };
  return { owner, ...(careUnit ? { careUnit } : {}), category: category as AskedRecord['category'], ...(dataPeriod ? { dataPeriod } : {}) };
}

/** The C3 answer: one decision per record, in order; the trace only where `showTrace` says so. */
export function decideAnswer(decisions: readonly Decision[], showTrace: (index: number) => boolean): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: decisions.map((d, index) => ({
      name: 'decision',
      part: [
        { name: 'index', valueInteger: index },
        { name: 'result', valueCode: d.effect },
        ...(showTrace(index)
          ? [
              ...d.trace.map((t) => ({
                name: 'trace',
                valueString: [t.rule, t.blockId && `block=${t.blockId}`, t.revokeId && `revoke=${t.revokeId}`].filter(Boolean).join(' '),
              })),
              ...d.obligations.map((o) => ({ name: 'obligation', valueCode: o })),
            ]
          : []),
      ],
    })),
  };
}

export function person(id: Identifier, expression: string): PersonRef {
  const checked = validatePatientIdentifier(id, { expression });
  return { system: checked.system, value: checked.value };
}

function one(params: readonly ParametersParameter[], name: string): ParametersParameter | undefined {
  const found = params.filter((p) => p.name === name);
  if (found.length > 1) bad(`${name} is given once`, name);
  return found[0];
}

function isParameters(body: unknown): body is Parameters {
  return typeof body === 'object' && body !== null && (body as { resourceType?: string }).resourceType === 'Parameters';
}

function bad(diagnostics: string, expression: string): never {
  throw new FhirError('MESH-OP-001', { diagnostics, expression });
}
