import type { AuditEvent, AuditEventAgent, AuditEventEntity, Identifier } from '@medplum/fhirtypes';
import { parseFhirDateRange } from '../fhir/dates.ts';
import type { SearchColumns } from '../fhir/extract.ts';
import { tokenKeys } from '../fhir/tokens.ts';
import type { Caller } from '../http/context.ts';
import { HSA_ID_SYSTEM } from '../identifiers/systems.ts';

/** What happened, in the terms of the FHIR RESTful interactions and IHE BALP. */
export interface AuditFacts {
  readonly interaction: string;
  readonly action: 'C' | 'R' | 'U' | 'D' | 'E';
  readonly outcome: 'success' | 'refused' | 'failed';
  /** `Type/id[/_history/n]` of what was touched, if one resource. */
  readonly what?: string;
  readonly patients?: readonly Identifier[];
  /** The query of a search, as received. */
  readonly query?: string;
  readonly description?: string;
}

const OUTCOME_CODE = { success: '0', refused: '4', failed: '8' } as const;
const PURPOSE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

/**
 * Builds a BALP-style AuditEvent (Basic Audit Log Patterns): type `rest`, subtype the FHIR
 * interaction, the calling system and its authorisation basis as agents, this service as the
 * observer, and the patient as an entity with role 1 so the patient's own view finds it.
 */
export function buildAuditEvent(service: string, observer: string, caller: Caller, facts: AuditFacts): AuditEvent {
  const agents: AuditEventAgent[] = [
    {
      type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153', display: 'Source Role ID' }] },
      requestor: true,
      who: caller.entityId
        ? { identifier: { system: 'urn:ietf:rfc:3986', value: caller.entityId }, display: caller.entityId }
        : { display: 'unauthenticated client' },
      ...(caller.clientAddress ? { network: { address: caller.clientAddress, type: '2' as const } } : {}),
      ...(caller.purposeOfUse ? { purposeOfUse: [{ coding: [{ system: PURPOSE_SYSTEM, code: caller.purposeOfUse }] }] } : {}),
    },
  ];
  if (caller.organisation)
    agents.push({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass', code: 'PROV', display: 'healthcare provider' }] },
      requestor: false,
      who: { identifier: { system: HSA_ID_SYSTEM, value: caller.organisation.hsaId }, display: caller.organisation.name },
    });
  if (caller.person)
    agents.push({
      type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110152', display: 'Destination Role ID' }] },
      requestor: true,
      who: caller.person.hsaId
        ? { identifier: { system: HSA_ID_SYSTEM, value: caller.person.hsaId }, display: caller.person.name }
        : { display: caller.person.name },
      ...(caller.person.role ? { role: [{ text: caller.person.role }] } : {}),
    });

  const entities: AuditEventEntity[] = [];
  if (facts.what)
    entities.push({
      what: { reference: facts.what },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '4', display: 'Domain Resource' },
    });
  if (facts.query)
    entities.push({
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24', display: 'Query' },
      query: Buffer.from(facts.query).toString('base64'),
    });
  for (const p of facts.patients ?? [])
    entities.push({
      what: { identifier: { system: p.system, value: p.value } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });

  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: facts.interaction }],
    action: facts.action,
    recorded: new Date().toISOString(),
    outcome: OUTCOME_CODE[facts.outcome],
    ...(facts.description ? { outcomeDesc: facts.description } : {}),
    agent: agents,
    source: {
      observer: { display: `${service} (${observer})` },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    entity: entities.length ? entities : undefined,
  };
}

/**
 * The search columns of an AuditEvent (see audit-type.ts), read straight from the event instead
 * of evaluating its search parameters' FHIRPath: audit is written on every access, and FHIRPath
 * cost a measurable share of a hot call. A test holds it equal to `extractSearchColumns` for
 * every shape `buildAuditEvent` produces, so the two cannot drift apart.
 */
export function auditSearchColumns(event: AuditEvent): SearchColumns {
  const recorded = event.recorded ? parseFhirDateRange(event.recorded) : undefined;
  const entity = new Set<string>();
  const patient = new Set<string>();
  const agent = new Set<string>();
  for (const e of event.entity ?? []) {
    if (e.what?.reference) for (const k of referenceKeys(e.what.reference)) entity.add(k);
    if (e.role?.code === '1' && e.what?.identifier) for (const k of tokenKeys(e.what.identifier.system, e.what.identifier.value, true)) patient.add(k);
  }
  for (const a of event.agent ?? []) if (a.who?.identifier) for (const k of tokenKeys(a.who.identifier.system, a.who.identifier.value, true)) agent.add(k);
  const subtype = new Set((event.subtype ?? []).flatMap((c) => tokenKeys(c.system, c.code)));
  return {
    sp_date_lo: recorded?.lo ?? null,
    sp_date_hi: recorded?.hi ?? null,
    sp_action: orNull(tokenKeys(undefined, event.action)),
    sp_outcome: orNull(tokenKeys(undefined, event.outcome)),
    sp_subtype: orNull([...subtype]),
    sp_entity: orNull([...entity]),
    sp_patient_identifier: orNull([...patient]),
    sp_agent_identifier: orNull([...agent]),
  };
}

/** A reference as the reference columns keep it: `Type/id` and `id` (a version is dropped). */
function referenceKeys(ref: string): string[] {
  const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(ref);
  return m ? [`${m[1]}/${m[2]}`, m[2]!] : [ref];
}

function orNull(keys: string[]): string[] | null {
  return keys.length ? keys : null;
}
