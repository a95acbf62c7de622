import type { Coding, Identifier as FhirIdentifier, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { assertHsaId, FhirError, HSA_ID_SYSTEM, validatePatientIdentifier, type IssueDetail } from '@ndi-mesh/kernel';
import { END_REASON_SYSTEM, isEndReason, type EndReason } from './end-reason.ts';
import { parseInstant } from './fhir-instant.ts';
import { checkEndReason, checkNotInFuture, checkReporter } from './index-rules.ts';
import type { Identifier } from './pseudonym.ts';

/**
 * A sharing event (seed 001 §5.1.2): a care provider's system reports that a patient's
 * documentation became available for sharing from it (`started`) or stopped being so (`ended`).
 * It arrives as a FHIR Parameters resource holding exactly the event's fields, one parameter each.
 */
export type SharingEventType = 'started' | 'ended';

export interface SharingEvent {
  /** The patient's personnummer or samordningsnummer. */
  readonly patient: Identifier;
  /** The patient's identifier in the provider's system, when it is not the national one. */
  readonly localPatient?: Identifier;
  /** The care provider's HSA-id. */
  readonly careProvider: string;
  /** The registering system: `system|value` of its identifier (e.g. its HSA-id), or its URI (e.g. its federation entity id). */
  readonly system: string;
  readonly eventType: SharingEventType;
  /** ISO 8601 UTC, to the millisecond. */
  readonly occurredAt: string;
  /** Only on an ended event (PDI-R4). */
  readonly endReason?: EndReason;
}

/** The parameter names and the value type each takes. */
export const EVENT_PARAMETERS = {
  patient: { types: ['valueIdentifier'], required: true },
  localPatient: { types: ['valueIdentifier'], required: false },
  careProvider: { types: ['valueIdentifier'], required: true },
  system: { types: ['valueIdentifier', 'valueUri'], required: true },
  eventType: { types: ['valueCode'], required: true },
  occurredAt: { types: ['valueInstant'], required: true },
  endReason: { types: ['valueCoding'], required: false },
} as const satisfies Record<string, { types: readonly ValueKey[]; required: boolean }>;

export type EventParameterName = keyof typeof EVENT_PARAMETERS;
type ValueKey = 'valueIdentifier' | 'valueUri' | 'valueCode' | 'valueInstant' | 'valueCoding';

const MAX_SYSTEM_LENGTH = 255;
const MAX_LOCAL_ID_LENGTH = 128;
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s|]+$/;

export interface ParseOptions {
  /** The index's clock, for PDI-R5; defaults to now. */
  readonly now?: Date;
  /** The caller's organisation HSA-id; when given, PDI-R3 is checked too. */
  readonly callerOrganisation?: string;
}

interface Found {
  readonly index: number;
  readonly key: ValueKey;
  readonly value: unknown;
}

/**
 * Reads and checks one sharing event. Throws a FhirError whose issue expression points at the
 * parameter at fault: MESH-OP-001 for the shape (a parameter missing, unknown, repeated or of the
 * wrong type), MESH-ID-00x for identifiers, MESH-PDI-00x for the index's own rules, MESH-AUTH-005
 * for PDI-R3.
 */
export function parseSharingEvent(input: unknown, options: ParseOptions = {}): SharingEvent {
  const found = collect(input);
  const at = (name: EventParameterName, element = ''): string => {
    const f = found.get(name);
    return f === undefined ? `Parameters.parameter.where(name = '${name}')` : `Parameters.parameter[${f.index}].${f.key}${element}`;
  };

  const patientParam = found.get('patient')!;
  const patientId = identifierValue(patientParam, at('patient'));
  const national = validatePatientIdentifier(patientId, { expression: at('patient'), ...(options.now ? { now: options.now } : {}) });
  const patient = { system: national.system, value: national.value };

  const careProvider = hsaIdentifier(found.get('careProvider')!, at('careProvider'));
  if (options.callerOrganisation !== undefined) checkReporter(careProvider, options.callerOrganisation, at('careProvider', '.value'));

  const system = registeringSystem(found.get('system')!, at('system'));

  const eventType = found.get('eventType')!.value;
  if (eventType !== 'started' && eventType !== 'ended') {
    throw new FhirError('MESH-PDI-001', issue(`eventType is started or ended`, at('eventType')));
  }

  const occurredAt = parseInstant(found.get('occurredAt')!.value);
  if (occurredAt === undefined) {
    throw new FhirError(
      'MESH-OP-001',
      issue('occurredAt is a FHIR instant: date, time to the second and zone, e.g. 2026-03-01T08:15:00+01:00', at('occurredAt')),
    );
  }
  checkNotInFuture(occurredAt, options.now ?? new Date(), at('occurredAt'));

  const reasonParam = found.get('endReason');
  const endReason = reasonParam === undefined ? undefined : endReasonCode(reasonParam, at('endReason'));
  checkEndReason(eventType, endReason, at('endReason'));

  const localParam = found.get('localPatient');
  const local = localParam === undefined ? undefined : localIdentifier(localParam, at('localPatient'));
  // PDI-R9: an identifier that repeats the national one adds nothing but another copy of it.
  const localPatient = local && !(local.system === patient.system && local.value === patient.value) ? local : undefined;

  return {
    patient,
    ...(localPatient ? { localPatient } : {}),
    careProvider,
    system,
    eventType,
    occurredAt,
    ...(endReason ? { endReason } : {}),
  };
}

/** The Parameters resource that carries `event`: what a provider's system sends. */
export function sharingEventParameters(event: SharingEvent): Parameters {
  const parameter: ParametersParameter[] = [{ name: 'patient', valueIdentifier: { system: event.patient.system, value: event.patient.value } }];
  if (event.localPatient) parameter.push({ name: 'localPatient', valueIdentifier: { system: event.localPatient.system, value: event.localPatient.value } });
  parameter.push({ name: 'careProvider', valueIdentifier: { system: HSA_ID_SYSTEM, value: event.careProvider } });
  const bar = event.system.indexOf('|');
  parameter.push(
    bar < 0
      ? { name: 'system', valueUri: event.system }
      : { name: 'system', valueIdentifier: { system: event.system.slice(0, bar), value: event.system.slice(bar + 1) } },
  );
  parameter.push({ name: 'eventType', valueCode: event.eventType }, { name: 'occurredAt', valueInstant: event.occurredAt });
  if (event.endReason) parameter.push({ name: 'endReason', valueCoding: { system: END_REASON_SYSTEM, code: event.endReason } });
  return { resourceType: 'Parameters', parameter };
}

function collect(input: unknown): Map<EventParameterName, Found> {
  if (!isObject(input) || input.resourceType !== 'Parameters') {
    throw new FhirError('MESH-OP-001', issue('a sharing event is a Parameters resource', 'Parameters'));
  }
  const list = input.parameter;
  if (!Array.isArray(list) || list.length === 0) {
    throw new FhirError('MESH-OP-001', issue('a sharing event has parameters', 'Parameters.parameter'));
  }
  const found = new Map<EventParameterName, Found>();
  list.forEach((p: unknown, index) => {
    const here = `Parameters.parameter[${index}]`;
    if (!isObject(p) || typeof p.name !== 'string') throw new FhirError('MESH-OP-001', issue('each parameter has a name', here));
    const name = p.name;
    if (!Object.hasOwn(EVENT_PARAMETERS, name)) {
      throw new FhirError('MESH-OP-001', issue(`unknown parameter; a sharing event has ${Object.keys(EVENT_PARAMETERS).join(', ')}`, `${here}.name`));
    }
    const spec = EVENT_PARAMETERS[name as EventParameterName];
    if (found.has(name as EventParameterName)) throw new FhirError('MESH-OP-001', issue(`parameter ${name} is given more than once`, here));
    if (p.part !== undefined || p.resource !== undefined)
      throw new FhirError('MESH-OP-001', issue(`parameter ${name} has a value, not parts or a resource`, here));
    const keys = Object.keys(p).filter((k) => k.startsWith('value'));
    const expected = spec.types.join(' or ');
    if (keys.length !== 1 || !(spec.types as readonly string[]).includes(keys[0]!)) {
      throw new FhirError('MESH-OP-001', issue(`parameter ${name} takes ${expected}`, here));
    }
    const key = keys[0] as ValueKey;
    found.set(name as EventParameterName, { index, key, value: p[key] });
  });
  for (const [name, spec] of Object.entries(EVENT_PARAMETERS)) {
    if (spec.required && !found.has(name as EventParameterName)) {
      throw new FhirError('MESH-OP-001', issue(`parameter ${name} is required`, `Parameters.parameter.where(name = '${name}')`));
    }
  }
  return found;
}

function identifierValue(found: Found, expression: string): { system?: string; value?: string } {
  const id = found.value;
  if (!isObject(id)) throw new FhirError('MESH-OP-001', issue('an Identifier is an object with system and value', expression));
  const { system, value } = id as FhirIdentifier;
  if ((system !== undefined && typeof system !== 'string') || (value !== undefined && typeof value !== 'string')) {
    throw new FhirError('MESH-OP-001', issue('Identifier.system and Identifier.value are strings', expression));
  }
  return { ...(system !== undefined ? { system } : {}), ...(value !== undefined ? { value } : {}) };
}

function hsaIdentifier(found: Found, expression: string): string {
  const { system, value } = identifierValue(found, expression);
  if (system !== HSA_ID_SYSTEM)
    throw new FhirError('MESH-ID-003', issue(`the care provider is named by its HSA-id (system ${HSA_ID_SYSTEM})`, `${expression}.system`));
  assertHsaId(value, `${expression}.value`);
  return value;
}

function registeringSystem(found: Found, expression: string): string {
  if (found.key === 'valueUri') {
    const uri = found.value;
    if (typeof uri !== 'string' || uri.length > MAX_SYSTEM_LENGTH || !ABSOLUTE_URI.test(uri)) {
      throw new FhirError('MESH-OP-001', issue(`system as valueUri is an absolute URI of at most ${MAX_SYSTEM_LENGTH} characters, without '|'`, expression));
    }
    return uri;
  }
  const { system, value } = identifierValue(found, expression);
  if (system === undefined || !ABSOLUTE_URI.test(system))
    throw new FhirError('MESH-OP-001', issue("the registering system's identifier has an absolute URI as system", `${expression}.system`));
  if (value === undefined || value === '' || value.trim() !== value) {
    throw new FhirError('MESH-OP-001', issue("the registering system's identifier has a value without surrounding spaces", `${expression}.value`));
  }
  if (system === HSA_ID_SYSTEM) assertHsaId(value, `${expression}.value`);
  const normalised = `${system}|${value}`;
  if (normalised.length > MAX_SYSTEM_LENGTH)
    throw new FhirError('MESH-OP-001', issue(`the registering system's identifier is at most ${MAX_SYSTEM_LENGTH} characters in all`, expression));
  return normalised;
}

function localIdentifier(found: Found, expression: string): Identifier {
  const { system, value } = identifierValue(found, expression);
  if (system === undefined || system.length > MAX_SYSTEM_LENGTH || !ABSOLUTE_URI.test(system)) {
    throw new FhirError(
      'MESH-OP-001',
      issue(`the local identifier's system is an absolute URI of at most ${MAX_SYSTEM_LENGTH} characters`, `${expression}.system`),
    );
  }
  if (value === undefined || value === '' || value.length > MAX_LOCAL_ID_LENGTH || value.trim() !== value) {
    throw new FhirError(
      'MESH-OP-001',
      issue(`the local identifier's value has 1 to ${MAX_LOCAL_ID_LENGTH} characters, without surrounding spaces`, `${expression}.value`),
    );
  }
  return { system, value };
}

function endReasonCode(found: Found, expression: string): EndReason {
  const coding = found.value;
  if (!isObject(coding)) throw new FhirError('MESH-OP-001', issue('endReason is a Coding', expression));
  const { system, code } = coding as Coding;
  if (system !== END_REASON_SYSTEM) throw new FhirError('MESH-PDI-004', issue(`endReason's system is ${END_REASON_SYSTEM}`, `${expression}.system`));
  if (!isEndReason(code)) throw new FhirError('MESH-PDI-004', issue(`endReason's code is one of the codes of ${END_REASON_SYSTEM}`, `${expression}.code`));
  return code;
}

function issue(diagnostics: string, expression: string): IssueDetail {
  return { diagnostics, expression };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
