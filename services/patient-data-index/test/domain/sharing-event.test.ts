import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { FhirError, PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM, HSA_ID_SYSTEM, syntheticSamordningsnummer } from '@ndi-mesh/kernel';
import { END_REASON_SYSTEM } from '../../src/domain/end-reason.ts';
import { parseSharingEvent, sharingEventParameters } from '../../src/domain/sharing-event.ts';
import { EHR_SYSTEM, LOCAL_SYSTEM, NOW, OTHER_PROVIDER, parameters, PROVIDER, seededRng, sharingEvent } from './fixtures.ts';

const options = { now: NOW, callerOrganisation: PROVIDER };

function refusal(input: unknown, opts = options): { code: string; expression: string | undefined; diagnostics: string } {
  try {
    parseSharingEvent(input, opts);
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    return { code: err.code, expression: err.issues[0]?.expression, diagnostics: err.issues[0]?.diagnostics ?? '' };
  }
  throw new Error('the event was accepted');
}

function withParameter(base: Parameters, name: string, replacement: ParametersParameter | undefined): Parameters {
  const list = base.parameter!.filter((p) => p.name !== name);
  return { ...base, parameter: replacement ? [...list, replacement] : list };
}

function indexOf(p: Parameters, name: string): number {
  return p.parameter!.findIndex((x) => x.name === name);
}

describe('parseSharingEvent accepts', () => {
  test('a started event, exactly as sharingEventParameters writes it', () => {
    const event = sharingEvent({ localPatient: { system: LOCAL_SYSTEM, value: 'MRN-000123' } });
    expect(parseSharingEvent(sharingEventParameters(event), options)).toEqual(event);
  });

  test('an ended event with its reason', () => {
    const event = sharingEvent({ eventType: 'ended', endReason: 'patient-moved' });
    expect(parseSharingEvent(sharingEventParameters(event), options)).toEqual(event);
  });

  test('a samordningsnummer as the patient', () => {
    const event = sharingEvent({ patient: { system: SAMORDNINGSNUMMER_SYSTEM, value: syntheticSamordningsnummer(seededRng(3)) } });
    expect(parseSharingEvent(sharingEventParameters(event), options).patient).toEqual(event.patient);
  });

  test('the registering system as a URI (its federation entity id)', () => {
    const event = sharingEvent({ system: 'https://ehr.example.se/federation' });
    const input = sharingEventParameters(event);
    expect(input.parameter!.find((p) => p.name === 'system')).toEqual({ name: 'system', valueUri: 'https://ehr.example.se/federation' });
    expect(parseSharingEvent(input, options).system).toBe('https://ehr.example.se/federation');
  });

  test('occurredAt in any zone, kept as UTC to the millisecond', () => {
    const input = withParameter(parameters(), 'occurredAt', { name: 'occurredAt', valueInstant: '2026-02-01T09:00:00.123456+01:00' });
    expect(parseSharingEvent(input, options).occurredAt).toBe('2026-02-01T08:00:00.123Z');
  });

  test('PDI-R5: up to 5 minutes ahead of the index clock (clock skew)', () => {
    const input = withParameter(parameters(), 'occurredAt', { name: 'occurredAt', valueInstant: '2026-03-01T12:05:00Z' });
    expect(parseSharingEvent(input, options).occurredAt).toBe('2026-03-01T12:05:00.000Z');
  });

  test('PDI-R9: a local identifier that repeats the national one is dropped', () => {
    const event = sharingEvent();
    const input = sharingEventParameters({ ...event, localPatient: event.patient });
    expect(parseSharingEvent(input, options)).not.toHaveProperty('localPatient');
  });
});

describe('parseSharingEvent refuses, pointing at the parameter', () => {
  test('anything but a Parameters resource', () => {
    expect(refusal({ resourceType: 'Patient' })).toMatchObject({ code: 'MESH-OP-001', expression: 'Parameters' });
    expect(refusal(null)).toMatchObject({ code: 'MESH-OP-001', expression: 'Parameters' });
    expect(refusal({ resourceType: 'Parameters', parameter: [] })).toMatchObject({ code: 'MESH-OP-001', expression: 'Parameters.parameter' });
  });

  test('an unknown parameter', () => {
    const input = parameters();
    input.parameter!.push({ name: 'diagnosis', valueString: 'J45' });
    expect(refusal(input)).toMatchObject({ code: 'MESH-OP-001', expression: `Parameters.parameter[${input.parameter!.length - 1}].name` });
  });

  test('a parameter given twice', () => {
    const input = parameters();
    input.parameter!.push({ name: 'eventType', valueCode: 'ended' });
    expect(refusal(input)).toMatchObject({ code: 'MESH-OP-001', expression: `Parameters.parameter[${input.parameter!.length - 1}]` });
  });

  test('a parameter of the wrong type', () => {
    const input = withParameter(parameters(), 'eventType', { name: 'eventType', valueString: 'started' });
    expect(refusal(input)).toMatchObject({ code: 'MESH-OP-001', expression: `Parameters.parameter[${indexOf(input, 'eventType')}]` });
  });

  test.each(['patient', 'careProvider', 'system', 'eventType', 'occurredAt'])('a missing %s', (name) => {
    expect(refusal(withParameter(parameters(), name, undefined))).toMatchObject({
      code: 'MESH-OP-001',
      expression: `Parameters.parameter.where(name = '${name}')`,
    });
  });

  test('an invalid personnummer (check digit)', () => {
    const input = parameters();
    const value = input.parameter![0]!.valueIdentifier!.value!;
    input.parameter![0]!.valueIdentifier!.value = value.slice(0, 11) + String((Number(value[11]) + 1) % 10);
    expect(refusal(input)).toMatchObject({ code: 'MESH-ID-001', expression: 'Parameters.parameter[0].valueIdentifier.value' });
  });

  test('an invalid samordningsnummer', () => {
    const input = withParameter(parameters(), 'patient', { name: 'patient', valueIdentifier: { system: SAMORDNINGSNUMMER_SYSTEM, value: '199101012380' } });
    expect(refusal(input)).toMatchObject({ code: 'MESH-ID-002', expression: `Parameters.parameter[${indexOf(input, 'patient')}].valueIdentifier.value` });
  });

  test('a patient identifier of another system', () => {
    const input = withParameter(parameters(), 'patient', { name: 'patient', valueIdentifier: { system: 'urn:oid:1.2.3', value: '123' } });
    expect(refusal(input)).toMatchObject({ code: 'MESH-ID-004', expression: `Parameters.parameter[${indexOf(input, 'patient')}].valueIdentifier.system` });
  });

  test('a care provider that is not an HSA-id', () => {
    const wrongSystem = withParameter(parameters(), 'careProvider', { name: 'careProvider', valueIdentifier: { system: 'urn:oid:2.5.4.97', value: PROVIDER } });
    expect(refusal(wrongSystem)).toMatchObject({
      code: 'MESH-ID-003',
      expression: `Parameters.parameter[${indexOf(wrongSystem, 'careProvider')}].valueIdentifier.system`,
    });
    const badValue = withParameter(parameters(), 'careProvider', { name: 'careProvider', valueIdentifier: { system: HSA_ID_SYSTEM, value: 'SE0000000001-X' } });
    expect(refusal(badValue)).toMatchObject({
      code: 'MESH-ID-003',
      expression: `Parameters.parameter[${indexOf(badValue, 'careProvider')}].valueIdentifier.value`,
    });
  });

  test('PDI-R3: a care provider that is not the caller', () => {
    const input = parameters({ careProvider: OTHER_PROVIDER });
    expect(refusal(input)).toMatchObject({
      code: 'MESH-AUTH-005',
      expression: `Parameters.parameter[${indexOf(input, 'careProvider')}].valueIdentifier.value`,
    });
  });

  test('a registering system that is neither an identifier nor an absolute URI', () => {
    const uri = withParameter(parameters(), 'system', { name: 'system', valueUri: 'ehr-1' });
    expect(refusal(uri)).toMatchObject({ code: 'MESH-OP-001', expression: `Parameters.parameter[${indexOf(uri, 'system')}].valueUri` });
    const id = withParameter(parameters(), 'system', { name: 'system', valueIdentifier: { system: HSA_ID_SYSTEM, value: 'not-an-hsa-id' } });
    expect(refusal(id)).toMatchObject({ code: 'MESH-ID-003', expression: `Parameters.parameter[${indexOf(id, 'system')}].valueIdentifier.value` });
  });

  test('an unknown event type', () => {
    const input = withParameter(parameters(), 'eventType', { name: 'eventType', valueCode: 'paused' });
    expect(refusal(input)).toMatchObject({ code: 'MESH-PDI-001', expression: `Parameters.parameter[${indexOf(input, 'eventType')}].valueCode` });
  });

  test.each(['2026-02-01T08:00:00', '2026-02-01', '2026-02-30T08:00:00Z', '2026-02-01T24:00:00Z', 'yesterday'])(
    'occurredAt %s (not a FHIR instant)',
    (valueInstant) => {
      const input = withParameter(parameters(), 'occurredAt', { name: 'occurredAt', valueInstant });
      expect(refusal(input)).toMatchObject({ code: 'MESH-OP-001', expression: `Parameters.parameter[${indexOf(input, 'occurredAt')}].valueInstant` });
    },
  );

  test('PDI-R5: occurredAt more than 5 minutes ahead of the index clock', () => {
    const input = withParameter(parameters(), 'occurredAt', { name: 'occurredAt', valueInstant: '2026-03-01T12:05:00.001Z' });
    const r = refusal(input);
    expect(r).toMatchObject({ code: 'MESH-PDI-005', expression: `Parameters.parameter[${indexOf(input, 'occurredAt')}].valueInstant` });
    expect(r.diagnostics).toMatch(/5 minutes/);
  });

  test('PDI-R4: an ended event without a reason', () => {
    expect(refusal(parameters({ eventType: 'ended' }))).toMatchObject({ code: 'MESH-PDI-002', expression: `Parameters.parameter.where(name = 'endReason')` });
  });

  test('PDI-R4: a started event with a reason', () => {
    const input = parameters({ eventType: 'started', endReason: 'other' });
    expect(refusal(input)).toMatchObject({ code: 'MESH-PDI-003', expression: `Parameters.parameter[${indexOf(input, 'endReason')}].valueCoding` });
  });

  test('PDI-R4: an end reason outside the code system', () => {
    const code = withParameter(parameters({ eventType: 'ended' }), 'endReason', {
      name: 'endReason',
      valueCoding: { system: END_REASON_SYSTEM, code: 'bored' },
    });
    expect(refusal(code)).toMatchObject({ code: 'MESH-PDI-004', expression: `Parameters.parameter[${indexOf(code, 'endReason')}].valueCoding.code` });
    const system = withParameter(parameters({ eventType: 'ended' }), 'endReason', {
      name: 'endReason',
      valueCoding: { system: 'http://example.org', code: 'other' },
    });
    expect(refusal(system)).toMatchObject({ code: 'MESH-PDI-004', expression: `Parameters.parameter[${indexOf(system, 'endReason')}].valueCoding.system` });
  });

  test('a local identifier without a system or with an overlong value', () => {
    const noSystem = withParameter(parameters(), 'localPatient', { name: 'localPatient', valueIdentifier: { value: 'MRN-1' } });
    expect(refusal(noSystem)).toMatchObject({
      code: 'MESH-OP-001',
      expression: `Parameters.parameter[${indexOf(noSystem, 'localPatient')}].valueIdentifier.system`,
    });
    const long = withParameter(parameters(), 'localPatient', { name: 'localPatient', valueIdentifier: { system: LOCAL_SYSTEM, value: 'x'.repeat(129) } });
    expect(refusal(long)).toMatchObject({ code: 'MESH-OP-001', expression: `Parameters.parameter[${indexOf(long, 'localPatient')}].valueIdentifier.value` });
  });

  test('the refusal does not echo the national identifier of a rejected patient', () => {
    const input = withParameter(parameters(), 'patient', { name: 'patient', valueIdentifier: { system: PERSONNUMMER_SYSTEM, value: '199101012381' } });
    expect(refusal(input).diagnostics).not.toContain('199101012381');
  });
});
