import type { Consent, ConsentProvisionActor } from '@medplum/fhirtypes';
import { FhirError, HSA_ID_SYSTEM } from '@ndi-mesh/kernel';
import { ALL_PROVIDERS, type Actor, type Block, type Grantee, type RecordStatus, type Revoke } from '../domain/index.ts';
import { actorFromReferences, actorReferences } from './actor-reference.ts';
import { ACTOR_ROLE_SYSTEM, CONSENT_KIND_SYSTEM, CONSENT_SCOPE_SYSTEM, EXTENSION, PROFILE, REVOKE_KIND_CODE, RULES_POLICY } from './codes.ts';
import { consentToBlock, kindOf, patientOf } from './consent-block.ts';
import { exclusiveEndOf, iso, startOf } from './instants.ts';

const STATUS_TO_DOMAIN: Record<string, RecordStatus> = { active: 'active', inactive: 'cancelled', 'entered-in-error': 'entered-in-error' };
const STATUS_TO_FHIR: Record<RecordStatus, Consent['status']> = { active: 'active', cancelled: 'inactive', 'entered-in-error': 'entered-in-error' };
const GRANTEE_ROLES = { organisation: 'grantee', careUnit: 'grantee-care-unit', professional: 'grantee-professional' } as const;

/** The domain kind of a revoke Consent, or undefined for a block. */
export function revokeKindOf(consent: Consent): Revoke['kind'] | undefined {
  const code = kindOf(consent);
  if (code === REVOKE_KIND_CODE.consent) return 'consent';
  if (code === REVOKE_KIND_CODE.emergency) return 'emergency';
  return undefined;
}

export const isRevoke = (consent: Consent): boolean => revokeKindOf(consent) !== undefined;

/**
 * Blocks and revokes share res_consent (and the change feed), so the one indexed read of a
 * patient's Consents gives the decision both; this is where they part.
 */
export function splitConsents(consents: readonly Consent[]): { blocks: Block[]; revokes: Revoke[] } {
  const blocks: Block[] = [];
  const revokes: Revoke[] = [];
  for (const c of consents) {
    if (isRevoke(c)) revokes.push(consentToRevoke(c));
    else blocks.push(consentToBlock(c));
  }
  return { blocks, revokes };
}

/**
 * A revoke Consent (profile consent-revoke) as the domain's Revoke. The grantee is the
 * provision's actors by role; the blocks a consent lifts are `provision.data` references
 * `Consent/<id>`; the reason is the consent-reason extension; who recorded it is `performer`.
 */
export function consentToRevoke(consent: Consent, fallbackRecordedBy?: Actor): Revoke {
  const provision = consent.provision ?? {};
  const kind = revokeKindOf(consent);
  if (kind === undefined)
    throw new FhirError('MESH-NSF-002', { diagnostics: 'the kind is consent-revoke or emergency-revoke', expression: 'Consent.category' });
  const actors = provision.actor ?? [];
  const withRole = (role: string) =>
    actors.filter((a) => a.role?.coding?.some((c) => c.system === ACTOR_ROLE_SYSTEM && c.code === role)).map((a) => a.reference?.identifier?.value ?? '');
  const organisations = withRole(GRANTEE_ROLES.organisation);
  if (organisations.length !== 1)
    throw new FhirError('MESH-NSF-002', { diagnostics: 'a revoke names exactly one grantee organisation', expression: 'Consent.provision.actor' });
  const careUnit = withRole(GRANTEE_ROLES.careUnit)[0];
  const professional = withRole(GRANTEE_ROLES.professional)[0];
  const grantee: Grantee = { organisation: organisations[0]!, ...(careUnit ? { careUnit } : {}), ...(professional ? { professional } : {}) };
  const blockIds = (provision.data ?? []).map((d, i) => {
    const ref = d.reference?.reference ?? '';
    if (!ref.startsWith('Consent/') || ref.length <= 8)
      throw new FhirError('MESH-NSF-005', {
        diagnostics: 'a lifted block is referenced as Consent/<id>',
        expression: `Consent.provision.data[${i}].reference`,
      });
    return ref.slice('Consent/'.length);
  });
  const period = provision.period;
  if (!period?.start || !period.end)
    throw new FhirError('MESH-NSF-004', { diagnostics: 'a temporary revoke has a start and an end', expression: 'Consent.provision.period' });
  const recordedBy = actorFromReferences(consent.performer) ?? fallbackRecordedBy;
  if (!recordedBy) throw new FhirError('MESH-NSF-010', { diagnostics: 'the revoke names no one who recorded it', expression: 'Consent.performer' });
  const reason = (consent.extension ?? []).find((e) => e.url === EXTENSION.reason)?.valueString ?? '';
  return {
    id: consent.id ?? '(new)',
    patient: patientOf(consent),
    kind,
    grantee,
    ...(blockIds.length ? { blockIds } : {}),
    period: { start: startOf(period.start, 'Consent.provision.period.start'), end: exclusiveEndOf(period.end, 'Consent.provision.period.end') },
    reason,
    status: STATUS_TO_DOMAIN[consent.status] ?? 'entered-in-error',
    recordedBy,
  };
}

/** An actor in role `owner`: whom a block or a revoke is for. */
const isOwnerActor = (a: ConsentProvisionActor): boolean => a.role?.coding?.some((c) => c.system === ACTOR_ROLE_SYSTEM && c.code === 'owner') ?? false;

/**
 * A revoke's actors with the providers it is for (NSF-R16, `revokeRecipients`) in role `owner`,
 * which the service sets and a client cannot: the owners of the blocks it names, and none when it
 * is for every provider. They are the revoke's `owner` search values, so a care provider's search
 * finds the revokes of its own blocks and those for everyone, as its feed does, and not the
 * revokes of blocks held elsewhere.
 */
export function withOwners(actors: readonly ConsentProvisionActor[] | undefined, recipients: readonly string[]): ConsentProvisionActor[] {
  const others = (actors ?? []).filter((a) => !isOwnerActor(a));
  if (recipients.includes(ALL_PROVIDERS)) return others;
  return [
    ...others,
    ...recipients.map((owner) => ({
      role: { coding: [{ system: ACTOR_ROLE_SYSTEM, code: 'owner' }] },
      reference: { type: 'Organization' as const, identifier: { system: HSA_ID_SYSTEM, value: owner } },
    })),
  ];
}

/**
 * Whom a stored Consent version is for (NSF-R16): its `owner` actors (a block's owner; the owners
 * the service recorded on a revoke, see withOwners), or every provider when it has none. The same
 * values as its `owner` search parameter, so a provider's feed, pushes and search agree.
 */
export function recipientsOf(consent: Consent): string[] {
  const owners = (consent.provision?.actor ?? [])
    .filter(isOwnerActor)
    .map((a) => a.reference?.identifier?.value)
    .filter((v): v is string => !!v);
  return owners.length ? owners : [ALL_PROVIDERS];
}

/** The domain's Revoke as a Consent of profile consent-revoke. */
export function revokeToConsent(revoke: Revoke): Consent {
  const actor = (role: string, value: string, type: 'Organization' | 'Practitioner'): ConsentProvisionActor => ({
    role: { coding: [{ system: ACTOR_ROLE_SYSTEM, code: role }] },
    reference: { type, identifier: { system: HSA_ID_SYSTEM, value } },
  });
  const { grantee } = revoke;
  return {
    resourceType: 'Consent',
    ...(revoke.id !== '(new)' ? { id: revoke.id } : {}),
    meta: { profile: [PROFILE.revoke] },
    extension: [{ url: EXTENSION.reason, valueString: revoke.reason }],
    status: STATUS_TO_FHIR[revoke.status],
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: CONSENT_KIND_SYSTEM, code: REVOKE_KIND_CODE[revoke.kind] }] }],
    patient: { identifier: { ...revoke.patient } },
    performer: actorReferences(revoke.recordedBy),
    policy: [{ uri: RULES_POLICY }],
    provision: {
      type: 'permit',
      period: { start: iso(revoke.period.start), end: iso(revoke.period.end) },
      actor: [
        actor(GRANTEE_ROLES.organisation, grantee.organisation, 'Organization'),
        ...(grantee.careUnit ? [actor(GRANTEE_ROLES.careUnit, grantee.careUnit, 'Organization')] : []),
        ...(grantee.professional ? [actor(GRANTEE_ROLES.professional, grantee.professional, 'Practitioner')] : []),
      ],
      ...(revoke.blockIds?.length ? { data: revoke.blockIds.map((id) => ({ meaning: 'instance' as const, reference: { reference: `Consent/${id}` } })) } : {}),
    },
  };
}
