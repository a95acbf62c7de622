import type { Consent, ConsentProvisionActor, Extension } from '@medplum/fhirtypes';
import { FhirError, HSA_ID_SYSTEM } from '@ndi-mesh/kernel';
import {
  ALL_PROVIDERS,
  INFORMATION_TYPE_SYSTEM,
  type AccessorKind,
  type Actor,
  type Block,
  type BlockCategory,
  type BlockKind,
  type DataWindow,
  type PersonRef,
  type RecordStatus,
} from '../domain/index.ts';
import { actorFromReferences, actorReferences, type ActorReference } from './actor-reference.ts';
import { ACTOR_ROLE_SYSTEM, CONSENT_KIND_SYSTEM, CONSENT_SCOPE_SYSTEM, EXTENSION, PROFILE, RULES_POLICY } from './codes.ts';
import { exclusiveEndOf, inclusiveEndOf, iso, startOf } from './instants.ts';

const STATUS_TO_DOMAIN: Record<string, RecordStatus> = { active: 'active', inactive: 'cancelled', 'entered-in-error': 'entered-in-error' };
const STATUS_TO_FHIR: Record<RecordStatus, Consent['status']> = { active: 'active', cancelled: 'inactive', 'entered-in-error': 'entered-in-error' };

export const kindOf = (consent: Consent): string | undefined => consent.category?.[0]?.coding?.find((c) => c.system === CONSENT_KIND_SYSTEM)?.code;

/** The patient a Consent is about, as the domain names people. */
export function patientOf(consent: Consent): PersonRef {
  const id = consent.patient?.identifier;
  if (!id?.system || !id.value)
    throw new FhirError('MESH-FHIR-008', { diagnostics: 'a block names its patient by identifier', expression: 'Consent.patient.identifier' });
  return { system: id.system, value: id.value };
}

/**
 * A stored or incoming block Consent (profile consent-block, already valid) as the domain's Block.
 * `now` fills a missing period start: a block without one is in force from its registration.
 */
export function consentToBlock(consent: Consent, fallbackCreatedBy?: Actor, now: number = Date.now()): Block {
  const provision = consent.provision ?? {};
  const actors = provision.actor ?? [];
  const withRole = (role: string) => actors.filter((a) => a.role?.coding?.some((c) => c.system === ACTOR_ROLE_SYSTEM && c.code === role));
  const hsa = (a: ConsentProvisionActor) => a.reference?.identifier?.value ?? '';
  const owners = withRole('owner').map(hsa);
  if (owners.length > 1) throw new FhirError('MESH-NSF-002', { diagnostics: 'a block has at most one owner', expression: 'Consent.provision.actor' });
  const units = withRole('care-unit').map(hsa);
  const persons = withRole('audience-person').map((a) => ({ system: a.reference?.identifier?.system ?? '', value: hsa(a) }));
  const accessors = extensions(consent, EXTENSION.audience).map((e) => e.valueCode as AccessorKind);
  const level = extensions(consent, EXTENSION.level)[0]?.valueCode === 'inner' ? 'inner' : 'outer';
  const reason = extensions(consent, EXTENSION.reason)[0]?.valueString;
  const createdBy = actorFromReferences(consent.performer) ?? fallbackCreatedBy;
  if (!createdBy) throw new FhirError('MESH-NSF-010', { diagnostics: 'the block names no registrant', expression: 'Consent.performer' });
  const period = provision.period;
  const data = provision.dataPeriod;
  const dataPeriod: DataWindow | undefined =
    data && (data.start || data.end)
      ? {
          ...(data.start ? { from: startOf(data.start, 'Consent.provision.dataPeriod.start') } : {}),
          ...(data.end ? { to: inclusiveEndOf(data.end, 'Consent.provision.dataPeriod.end') } : {}),
        }
      : undefined;
  const cancellation = cancellationOf(consent);
  return {
    id: consent.id ?? '(new)',
    patient: patientOf(consent),
    kind: (kindOf(consent) ?? '') as BlockKind,
    owner: owners[0] ?? ALL_PROVIDERS,
    scope: { level, ...(units.length ? { careUnits: units } : {}) },
    category: (provision.class?.[0]?.code ?? 'all') as BlockCategory,
    ...(dataPeriod ? { dataPeriod } : {}),
    period: {
      start: period?.start ? startOf(period.start, 'Consent.provision.period.start') : now,
      ...(period?.end ? { end: exclusiveEndOf(period.end, 'Consent.provision.period.end') } : {}),
    },
    status: STATUS_TO_DOMAIN[consent.status] ?? 'entered-in-error',
    createdBy,
    ...(accessors.length || persons.length ? { audience: { accessors, ...(persons.length ? { persons } : {}) } } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(cancellation ? { cancellation } : {}),
  };
}

/** The domain's Block as a Consent of its kind's profile: what a local block service sends up to NSF. */
export function blockToConsent(block: Block): Consent {
  const actor = (role: string, system: string, value: string, type: 'Organization' | 'RelatedPerson' = 'Organization'): ConsentProvisionActor => ({
    role: { coding: [{ system: ACTOR_ROLE_SYSTEM, code: role }] },
    reference: { type, identifier: { system, value } },
  });
  const actors: ConsentProvisionActor[] = [
    ...(block.owner === ALL_PROVIDERS ? [] : [actor('owner', HSA_ID_SYSTEM, block.owner)]),
    ...(block.scope.careUnits ?? []).map((u) => actor('care-unit', HSA_ID_SYSTEM, u)),
    ...(block.audience?.persons ?? []).map((p) => actor('audience-person', p.system, p.value, 'RelatedPerson')),
  ];
  const ext: Extension[] = [
    ...(block.scope.level === 'inner' ? [{ url: EXTENSION.level, valueCode: 'inner' }] : []),
    ...(block.audience?.accessors ?? []).map((a) => ({ url: EXTENSION.audience, valueCode: a })),
    ...(block.reason !== undefined ? [{ url: EXTENSION.reason, valueString: block.reason }] : []),
  ];
  const window = block.dataPeriod;
  return {
    resourceType: 'Consent',
    meta: { profile: [PROFILE[block.kind]] },
    ...(ext.length ? { extension: ext } : {}),
    status: STATUS_TO_FHIR[block.status],
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: CONSENT_KIND_SYSTEM, code: block.kind }] }],
    patient: { identifier: { ...block.patient } },
    performer: actorReferences(block.createdBy),
    policy: [{ uri: RULES_POLICY }],
    provision: {
      type: 'deny',
      period: { start: iso(block.period.start), ...(block.period.end !== undefined ? { end: iso(block.period.end) } : {}) },
      ...(window
        ? { dataPeriod: { ...(window.from !== undefined ? { start: iso(window.from) } : {}), ...(window.to !== undefined ? { end: iso(window.to) } : {}) } }
        : {}),
      ...(block.category !== 'all' ? { class: [{ system: INFORMATION_TYPE_SYSTEM, code: block.category }] } : {}),
      ...(actors.length ? { actor: actors } : {}),
    },
  };
}

/** The Consent (block or revoke) as it stands once cancelled: status and the cancellation extension, nothing else changed. */
export function cancelledConsent(consent: Consent, block: Pick<Block, 'status' | 'cancellation'>): Consent {
  const c = block.cancellation!;
  const ext: Extension = {
    url: EXTENSION.cancellation,
    extension: [
      { url: 'at', valueDateTime: iso(c.at) },
      { url: 'by', valueReference: actorReferences(c.by)[0]! },
      ...(c.reason !== undefined ? [{ url: 'reason', valueString: c.reason }] : []),
    ],
  };
  const { meta: _meta, ...rest } = consent;
  return {
    ...rest,
    ...(consent.meta?.profile ? { meta: { profile: consent.meta.profile } } : {}),
    status: STATUS_TO_FHIR[block.status],
    extension: [...(consent.extension ?? []), ext],
  };
}

function cancellationOf(consent: Consent): Block['cancellation'] {
  const ext = extensions(consent, EXTENSION.cancellation)[0];
  if (!ext) return undefined;
  const part = (url: string) => ext.extension?.find((e) => e.url === url);
  const at = part('at')?.valueDateTime;
  const by = actorFromReferences([(part('by')?.valueReference ?? {}) as ActorReference]);
  const reason = part('reason')?.valueString;
  if (!at || !by) return undefined;
  return { at: Date.parse(at), by, ...(reason !== undefined ? { reason } : {}) };
}

function extensions(consent: Consent, url: string): Extension[] {
  return (consent.extension ?? []).filter((e) => e.url === url);
}

export const blockProfileOf = (kind: string): string | undefined => (PROFILE as Record<string, string>)[kind];
