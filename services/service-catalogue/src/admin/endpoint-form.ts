import type { Endpoint, Extension } from '@medplum/fhirtypes';
import { INFORMATION_TYPE_SYSTEM } from '../domain/information-type.ts';
import { CONNECTION_TYPE_SYSTEM, IMPLEMENTATION_GUIDE_URL } from './vocabulary.ts';

/** The editable part of an endpoint, as the form holds it (strings, as typed). */
export interface EndpointFields {
  readonly name: string;
  readonly status: string;
  readonly address: string;
  readonly connectionType: string;
  readonly informationTypes: readonly string[];
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly guide: string;
  readonly guideVersion: string;
}

export type FieldName = keyof EndpointFields;

export const EMPTY_FIELDS: EndpointFields = {
  name: '',
  status: 'active',
  address: '',
  connectionType: 'hl7-fhir-rest',
  informationTypes: [],
  periodStart: '',
  periodEnd: '',
  guide: '',
  guideVersion: '',
};

export function fieldsFromForm(form: URLSearchParams): EndpointFields {
  const text = (name: string) => (form.get(name) ?? '').trim();
  return {
    name: text('name'),
    status: text('status'),
    address: text('address'),
    connectionType: text('connectionType'),
    informationTypes: form
      .getAll('informationType')
      .map((v) => v.trim())
      .filter(Boolean),
    periodStart: text('periodStart'),
    periodEnd: text('periodEnd'),
    guide: text('guide'),
    guideVersion: text('guideVersion'),
  };
}

function guideOf(ep: Endpoint): { guide: string; version: string } {
  const ext = ep.extension?.find((e) => e.url === IMPLEMENTATION_GUIDE_URL);
  const part = (url: string) => ext?.extension?.find((e) => e.url === url);
  const g = part('guide');
  return { guide: g?.valueCanonical ?? g?.valueUrl ?? '', version: part('version')?.valueString ?? '' };
}

export function fieldsFromEndpoint(ep: Endpoint): EndpointFields {
  const { guide, version } = guideOf(ep);
  return {
    name: ep.name ?? '',
    status: ep.status ?? '',
    address: ep.address ?? '',
    connectionType: ep.connectionType?.code ?? '',
    informationTypes: (ep.payloadType ?? []).flatMap((cc) =>
      (cc.coding ?? []).filter((c) => c.system === INFORMATION_TYPE_SYSTEM && c.code).map((c) => c.code!),
    ),
    periodStart: ep.period?.start?.slice(0, 10) ?? '',
    periodEnd: ep.period?.end?.slice(0, 10) ?? '',
    guide,
    guideVersion: version,
  };
}

/**
 * The endpoint the form describes, on top of the stored one (whatever the form does not edit,
 * such as identifiers, contacts or further guides, is kept). Nothing is checked here: the FHIR
 * router validates the result exactly as it would a system's write.
 */
export function applyFields(base: Endpoint, f: EndpointFields, managingOrganizationId: string): Endpoint {
  const others = (base.extension ?? []).filter((e) => e.url !== IMPLEMENTATION_GUIDE_URL);
  const firstGuide = (base.extension ?? []).findIndex((e) => e.url === IMPLEMENTATION_GUIDE_URL);
  const furtherGuides = (base.extension ?? []).filter((e, i) => e.url === IMPLEMENTATION_GUIDE_URL && i !== firstGuide);
  const guide: Extension[] = f.guide
    ? [
        {
          url: IMPLEMENTATION_GUIDE_URL,
          extension: [{ url: 'guide', valueUrl: f.guide }, ...(f.guideVersion ? [{ url: 'version', valueString: f.guideVersion }] : [])],
        },
      ]
    : [];
  const extension = [...guide, ...furtherGuides, ...others];
  const period =
    f.periodStart || f.periodEnd ? { ...(f.periodStart ? { start: f.periodStart } : {}), ...(f.periodEnd ? { end: f.periodEnd } : {}) } : undefined;
  const next: Endpoint = {
    ...base,
    resourceType: 'Endpoint',
    status: f.status as Endpoint['status'],
    connectionType: { system: CONNECTION_TYPE_SYSTEM, code: f.connectionType },
    managingOrganization: { reference: `Organization/${managingOrganizationId}` },
    payloadType: f.informationTypes.map((code) => ({ coding: [{ system: INFORMATION_TYPE_SYSTEM, code }] })),
    address: f.address,
  };
  if (f.name) next.name = f.name;
  else delete next.name;
  if (period) next.period = period;
  else delete next.period;
  if (extension.length) next.extension = extension;
  else delete next.extension;
  return next;
}
