import type { Consent, Subscription } from '@medplum/fhirtypes';
import { FhirError, HSA_ID_SYSTEM, loadValidator, TRUST_MARK, type RequestContext, type ResourceTypeConfig, type Tx } from '@ndi-mesh/kernel';
import { actorOf, callerPatient, isOperator } from './auth/caller.ts';
import { DEFAULT_REVOKE_LIMITS, revokeRecipients, validateBlock, validateRevoke, type RevokeLimits } from './domain/index.ts';
import { actorReferences } from './fhir/actor-reference.ts';
import { PROFILE } from './fhir/codes.ts';
import { blockProfileOf, consentToBlock, kindOf, patientOf } from './fhir/consent-block.ts';
import { consentToRevoke, revokeKindOf, splitConsents, withOwners } from './fhir/consent-revoke.ts';
import { iso } from './fhir/instants.ts';
import { checkChannel, EVERY_OWNER, subscriberOwner } from './fhir/subscription-criteria.ts';
import { activeBlockConsents, patientKey } from './store/blocks.ts';

/** The owner search parameter: the owner's HSA-id, or the code `all-providers` for a general block. */
export const OWNER_EXPRESSION =
  "Consent.provision.actor.where(role.coding.code = 'owner').reference.identifier | iif(Consent.provision.actor.where(role.coding.code = 'owner').exists(), {}, 'all-providers')";

/**
 * A block is a Consent (profile consent-block and the profile of its kind), and so is a temporary
 * revoke (profile consent-revoke): one table, one indexed read and one change feed for both. It
 * is created with POST (the registrant is taken from the caller's token, never from the body) and
 * cancelled with `$cancel`, never updated in place: every version stays in its history. The type
 * names no single profile because it holds two; registerConsent checks the one of each write.
 */
const consentConfig = (limits: RevokeLimits): ResourceTypeConfig<Consent> => ({
  type: 'Consent',
  interactions: ['read', 'vread', 'search-type', 'create', 'conditional-create', 'history-instance'],
  searchParams: [
    'identifier',
    'status',
    'category',
    'period',
    'date',
    {
      code: 'patient-identifier',
      type: 'token',
      expression: 'Consent.patient.identifier',
      description: 'The patient the block protects, by personnummer or samordningsnummer.',
      url: 'https://ndi-mesh.se/fhir/SearchParameter/Consent-patient-identifier',
    },
    {
      code: 'owner',
      type: 'token',
      expression: OWNER_EXPRESSION,
      description: 'The care provider (HSA-id) whose data the block covers, or all-providers for a general block.',
      url: 'https://ndi-mesh.se/fhir/SearchParameter/Consent-owner',
    },
  ],
  // $decide and every revoke read a patient's blocks by this one identifier (Consent.patient is 0..1).
  lookups: ['patient-identifier'],
  patientsOf: (c) => (c.patient?.identifier ? [c.patient.identifier] : []),
  notify: true,
  beforeWrite: (ctx, next, _previous, tx) => (revokeKindOf(next) ? registerRevoke(ctx, next, tx, limits) : registerBlock(ctx, next)),
  beforeSearch: narrowConsentSearch,
  documentation:
    'Blocks (spärrar) and opt-outs: one Consent each, scope patient-privacy, provision deny. Temporary revokes by consent: provision permit (profile consent-revoke). Rules in implementation-guides/consent-registry/rules.md.',
});

/**
 * Registration (rules.md "Registering a block"): the kind's own profile, then the domain's
 * validateBlock with the registrant the token stands for. The body's performer is replaced by
 * that registrant, and a missing period start becomes now.
 */
function registerBlock(ctx: RequestContext, next: Consent): void {
  // The structure first, as the kernel checks a type's own profile before anything else.
  loadValidator().validate(next, PROFILE.block);
  const actor = actorOf(ctx.caller);
  const profile = blockProfileOf(kindOf(next) ?? '');
  if (profile) loadValidator().validate(next, profile);
  const now = Date.now();
  validateBlock(consentToBlock({ ...next, performer: undefined }, actor, now));
  next.performer = actorReferences(actor);
  next.dateTime = iso(now);
  next.provision = { ...next.provision, period: { ...next.provision?.period, start: next.provision?.period?.start ?? iso(now) } };
  if (profile) next.meta = { ...next.meta, profile: [...new Set([...(next.meta?.profile ?? []).filter((p) => p !== profile), profile])] };
}

/**
 * A consent revoke (rules.md "Temporary revokes"): the patient's own through the access service,
 * or the patient's consent given in care and recorded by a care provider (the performer then
 * names the provider and its professional, and the create is audited with them). Checked against
 * the patient's active blocks, as they stand in this transaction. Break-glass is not registered
 * here: it has its obligations and goes through `$break-glass`.
 */
async function registerRevoke(ctx: RequestContext, next: Consent, tx: Tx, limits: RevokeLimits): Promise<void> {
  loadValidator().validate(next, PROFILE.revoke);
  const actor = actorOf(ctx.caller);
  if (revokeKindOf(next) === 'emergency')
    throw new FhirError('MESH-NSF-010', { diagnostics: 'break-glass is recorded with POST /fhir/$break-glass', expression: 'Consent.category' });
  const now = Date.now();
  const start = next.provision?.period?.start ?? iso(now);
  const withStart: Consent = { ...next, performer: undefined, provision: { ...next.provision, period: { ...next.provision?.period, start } } };
  const revoke = consentToRevoke({ ...withStart, status: 'active' }, actor);
  if (next.status !== 'active') throw new FhirError('MESH-NSF-002', { diagnostics: 'a new revoke is active', expression: 'Consent.status' });
  const { blocks } = splitConsents(await activeBlockConsents(tx, patientOf(next)));
  validateRevoke(revoke, blocks, now, limits);
  next.performer = actorReferences(actor);
  next.dateTime = iso(now);
  // Whom the revoke is for (NSF-R16): the owners of the blocks it names, or every provider.
  next.provision = { ...withStart.provision!, actor: withOwners(withStart.provision?.actor, revokeRecipients(revoke, blocks)) };
  next.meta = { ...next.meta, profile: [...new Set([...(next.meta?.profile ?? []), PROFILE.revoke])] };
}

/**
 * What each caller may search: the access service only its patient's blocks, a care provider only
 * the blocks on its own data and the general ones (its local copy, NSF-R16), national services all.
 */
export function narrowConsentSearch(ctx: RequestContext, query: URLSearchParams): URLSearchParams {
  const caller = ctx.caller;
  if (caller.trustMarks.includes(TRUST_MARK.nationalService) || isOperator(caller)) return query;
  const narrowed = new URLSearchParams(query);
  if (caller.trustMarks.includes(TRUST_MARK.careProviderSystem)) {
    if (!caller.organisation) throw new FhirError('MESH-AUTH-004', 'a care provider system states the organisation (HSA-id) it acts for');
    narrowed.append('owner', `${HSA_ID_SYSTEM}|${caller.organisation.hsaId},all-providers`);
    return narrowed;
  }
  if (caller.trustMarks.includes(TRUST_MARK.accessService)) {
    narrowed.append('patient-identifier', patientKey(callerPatient(caller)));
    return narrowed;
  }
  throw new FhirError('MESH-AUTH-003', 'blocks are searched by the access service, a care provider system or a national service');
}

// The kernel's registry holds configs of any resource type; these are typed for their own.
export const createConsentType = (limits: RevokeLimits): ResourceTypeConfig => consentConfig(limits) as unknown as ResourceTypeConfig;
export const consentType = createConsentType(DEFAULT_REVOKE_LIMITS);

/** A local block service's registration for the changes it needs (rest-hook). */
const subscriptionConfig: ResourceTypeConfig<Subscription> = {
  type: 'Subscription',
  interactions: ['read', 'create', 'update'],
  searchParams: ['status', 'criteria'],
  beforeWrite: (ctx, next, previous) => {
    const owner = subscriberOwner(next.criteria);
    checkChannel(next);
    const caller = ctx.caller;
    if (!caller.trustMarks.includes(TRUST_MARK.nationalService)) {
      if (owner === EVERY_OWNER)
        throw new FhirError('MESH-AUTH-005', { diagnostics: 'only a national service subscribes to every block change', expression: 'Subscription.criteria' });
      const own = caller.organisation?.hsaId;
      if (owner !== own)
        throw new FhirError('MESH-AUTH-005', { diagnostics: 'a care provider subscribes to its own blocks only', expression: 'Subscription.criteria' });
      if (previous && subscriberOwner(previous.criteria) !== own) throw new FhirError('MESH-AUTH-005', "another care provider's subscription");
    }
    // Accepted at once: the handshake of later FHIR versions is not part of R4's rest-hook.
    if (next.status === 'requested') next.status = 'active';
  },
  documentation:
    "A local block service registering for the block changes it needs (rest-hook): a care provider's with criteria Consent?owner=<HSA-id>, a national service's (the patient data index) with Consent, every change.",
};

export const subscriptionType = subscriptionConfig as unknown as ResourceTypeConfig;
