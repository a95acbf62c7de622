import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Device, DocumentReference, Identifier, Provenance, Reference } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM } from '@ndi-mesh/kernel';
import type { ProviderEndpoints } from '../peers/catalogue-client.ts';
import { END_REASON_SYSTEM, END_REASONS, type EndReason } from './end-reason.ts';
import { INFORMATION_TYPE_SYSTEM, type InformationType } from './locate-query.ts';
import type { SharingEventType } from './sharing-event.ts';

/**
 * The index's read side as FHIR resources. One index entry (patient, care provider, registering
 * system) is one `DocumentReference` under the pdi-location profile, as the Dutch localisation
 * service (NL Generic Functions, nl-gf-localization-documentreference) and IHE MHD's document
 * metadata model "data about this patient is held there": `custodian` is the care provider,
 * `author` the registering system, `subject` the patient, `context.sourcePatientInfo` the
 * patient's identifier at the provider and `content` the catalogue endpoints to fetch from.
 */
export const PDI_LOCATION_PROFILE = 'https://ndi-mesh.se/fhir/StructureDefinition/pdi-location';
export const PDI_EVENT_PROFILE = 'https://ndi-mesh.se/fhir/StructureDefinition/pdi-sharing-event-provenance';
export const EVENT_TYPE_SYSTEM = 'https://ndi-mesh.se/fhir/CodeSystem/pdi-event-type';
const URI_SYSTEM = 'urn:ietf:rfc:3986';

/** An entry as the read side shows it: the national identifier back in place of the pseudonym. */
export interface LocatedEntry {
  readonly careProvider: string;
  readonly system: string;
  readonly state: 'active' | 'ended';
  readonly occurredAt: string;
  readonly endReason?: EndReason;
  readonly localPatient?: Identifier;
}

export interface ViewEvent {
  readonly careProvider: string;
  readonly system: string;
  readonly eventType: SharingEventType;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly endReason?: EndReason;
  readonly outcome: 'applied' | 'superseded';
}

/** The `$locate` answer: a searchset of locations, with the catalogue's Organizations and Endpoints included. */
export function locateBundle(options: {
  readonly self: string;
  readonly patient: Identifier;
  readonly entries: readonly LocatedEntry[];
  readonly informationType?: InformationType;
  readonly catalogue?: ReadonlyMap<string, ProviderEndpoints>;
  readonly catalogueBase: string;
}): Bundle {
  const matches: BundleEntry[] = [];
  const included = new Map<string, BundleEntry>();
  for (const entry of options.entries) {
    const found = options.catalogue?.get(entry.careProvider);
    const orgUrl = found?.organization?.id ? `${options.catalogueBase}/fhir/Organization/${found.organization.id}` : undefined;
    if (found?.organization && orgUrl) included.set(orgUrl, { fullUrl: orgUrl, resource: found.organization, search: { mode: 'include' } });
    for (const ep of found?.endpoints ?? []) {
      const url = `${options.catalogueBase}/fhir/Endpoint/${ep.id}`;
      included.set(url, { fullUrl: url, resource: ep, search: { mode: 'include' } });
    }
    const resource = location(options.patient, entry, options.informationType, orgUrl, found?.organization?.name);
    resource.content = found?.endpoints.length
      ? found.endpoints.map((ep) => ({ attachment: { contentType: 'application/fhir+json', url: ep.address, ...(ep.name ? { title: ep.name } : {}) } }))
      : [{ attachment: { contentType: 'application/fhir+json' } }];
    matches.push({ fullUrl: `urn:uuid:${resource.id}`, resource, search: { mode: 'match' } });
  }
  return searchset(options.self, matches, [...included.values()]);
}

/** The patient's own view: every entry (active and ended), each event as a Provenance of its entry. */
export function patientViewBundle(options: {
  readonly self: string;
  readonly patient: Identifier;
  readonly entries: readonly LocatedEntry[];
  readonly events: readonly ViewEvent[];
}): Bundle {
  const byKey = new Map<string, string>();
  const matches: BundleEntry[] = options.entries.map((entry) => {
    const resource = location(options.patient, entry, undefined, undefined, undefined);
    resource.content = [{ attachment: { contentType: 'application/fhir+json' } }];
    byKey.set(`${entry.careProvider}|${entry.system}`, `urn:uuid:${resource.id}`);
    return { fullUrl: `urn:uuid:${resource.id}`, resource, search: { mode: 'match' } };
  });
  const provenances: BundleEntry[] = options.events.map((event) => {
    const target = byKey.get(`${event.careProvider}|${event.system}`);
    const resource = provenance(event, target);
    return { fullUrl: `urn:uuid:${resource.id}`, resource, search: { mode: 'include' } };
  });
  return searchset(options.self, matches, provenances);
}

function location(
  patient: Identifier,
  entry: LocatedEntry,
  informationType: InformationType | undefined,
  orgUrl: string | undefined,
  orgName: string | undefined,
): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    id: randomUUID(),
    meta: { profile: [PDI_LOCATION_PROFILE] },
    // An ended entry is no longer where the data is shared from; only the patient's view shows one.
    status: entry.state === 'active' ? 'current' : 'superseded',
    ...(informationType ? { type: { coding: [{ system: INFORMATION_TYPE_SYSTEM, code: informationType }] } } : {}),
    subject: { identifier: { system: patient.system, value: patient.value } },
    date: entry.occurredAt,
    author: [registeringSystem(entry.system)],
    custodian: {
      ...(orgUrl ? { reference: orgUrl } : {}),
      identifier: { system: HSA_ID_SYSTEM, value: entry.careProvider },
      ...(orgName ? { display: orgName } : {}),
    },
    ...(entry.endReason ? { description: `Sharing ended: ${END_REASONS[entry.endReason]}` } : {}),
    ...(entry.localPatient ? { context: { sourcePatientInfo: { identifier: { system: entry.localPatient.system, value: entry.localPatient.value } } } } : {}),
    content: [],
  };
}

function provenance(event: ViewEvent, target: string | undefined): Provenance {
  return {
    resourceType: 'Provenance',
    id: randomUUID(),
    meta: { profile: [PDI_EVENT_PROFILE] },
    target: [target ? { reference: target } : { identifier: { system: HSA_ID_SYSTEM, value: event.careProvider } }],
    occurredDateTime: event.occurredAt,
    recorded: event.receivedAt,
    activity: { coding: [{ system: EVENT_TYPE_SYSTEM, code: event.eventType }] },
    ...(event.endReason ? { reason: [{ coding: [{ system: END_REASON_SYSTEM, code: event.endReason }] }] } : {}),
    // Whether the event decided its entry when it arrived (PDI-R2); a patient asking "why does
    // this still show" finds the answer here.
    policy: [`https://ndi-mesh.se/fhir/pdi/rules#${event.outcome === 'applied' ? 'applied' : 'superseded-PDI-R2'}`],
    agent: [{ who: registeringSystem(event.system), onBehalfOf: { identifier: { system: HSA_ID_SYSTEM, value: event.careProvider } } }],
  };
}

/** The registering system as a logical reference to a Device: its identifier, or its URI. */
function registeringSystem(system: string): Reference<Device> {
  const bar = system.indexOf('|');
  return { type: 'Device', identifier: bar < 0 ? { system: URI_SYSTEM, value: system } : { system: system.slice(0, bar), value: system.slice(bar + 1) } };
}

function searchset(self: string, matches: BundleEntry[], included: BundleEntry[]): Bundle {
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { lastUpdated: new Date().toISOString() },
    type: 'searchset',
    total: matches.length,
    link: [{ relation: 'self', url: self }],
    entry: [...matches, ...included],
  };
}
