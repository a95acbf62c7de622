import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import { PURPOSE, readSettings, TRUST_MARK, type ServiceDefinition } from '@ndi-mesh/kernel';
import { Distributor } from './distribution/distributor.ts';
import { communicationType, taskType } from './follow-up/types.ts';
import { createConsentType, subscriptionType } from './resource-types.ts';
import { breakGlassOperation } from './routes/break-glass.ts';
import { reviewOperation } from './routes/review.ts';
import { cancelOperation } from './routes/cancel.ts';
import { changesOperation } from './routes/changes.ts';
import { decideOperation } from './routes/decide.ts';
import { optOutOperation } from './routes/opt-out.ts';
import { consentSettingsTable, decisionPolicyFrom, revokeLimitsFrom } from './settings.ts';

const NAME = 'consent-registry';
const { accessService, careProviderSystem, nationalService } = TRUST_MARK;
const distributors = new WeakMap<FastifyInstance, Distributor>();

/** The running service's distributor (tests drain it instead of waiting for its timer). */
export function distributorOf(app: FastifyInstance): Distributor {
  const d = distributors.get(app);
  if (!d) throw new Error('this app is not a consent registry');
  return d;
}

/**
 * The national block function and register (NSF + NSR): blocks and opt-outs as Consents,
 * `$decide` and `$opt-out` (contract C3), cancellation, and distribution to the care providers'
 * local block services (Subscription + outbox + `$changes`).
 */
export function createConsentRegistry(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  const policy = decisionPolicyFrom(env);
  const settings = readSettings(consentSettingsTable, env);
  const limits = revokeLimitsFrom(env);
  return {
    name: NAME,
    title: 'ndi-mesh national block function and register (NSF + NSR)',
    description:
      "Blocks, opt-out, seals, temporary revokes and break-glass, and their decision (C3 $decide), distributed to care providers' local block services.",
    defaultPort: 8083,
    resourceTypes: [createConsentType(limits), subscriptionType, taskType, communicationType],
    migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
    operations: (kernel) => [
      decideOperation(kernel.audit, policy),
      optOutOperation(),
      cancelOperation(kernel.audit),
      changesOperation(),
      breakGlassOperation(kernel.audit, limits, settings.breakGlassDefaultMinutes * 60_000),
      reviewOperation(kernel.audit),
    ],
    trust: {
      policy: {
        // Reading blocks by id and their history: national services (and the operator) only.
        default: { anyTrustMark: [nationalService] },
        resources: {
          // Narrowed per caller by consentType.beforeSearch; the registrant is checked by the domain.
          Consent: {
            'search-type': { anyTrustMark: [accessService, careProviderSystem, nationalService] },
            create: { anyTrustMark: [accessService, careProviderSystem, nationalService] },
          },
          // The owner's follow-up list and the patient's notices after break-glass; narrowed per caller.
          Task: { 'search-type': { anyTrustMark: [careProviderSystem, nationalService] } },
          Communication: { 'search-type': { anyTrustMark: [accessService, nationalService] } },
          Subscription: { create: { anyTrustMark: [careProviderSystem, nationalService] }, update: { anyTrustMark: [careProviderSystem, nationalService] } },
        },
        operations: {
          $decide: { anyTrustMark: [nationalService, careProviderSystem] },
          // Break-glass: a professional of a care provider, in an emergency (purpose of use ETREAT).
          '$break-glass': { anyTrustMark: [careProviderSystem], basis: ['organisation', 'person'], purposeOfUse: [PURPOSE.emergency] },
          '$opt-out': { anyTrustMark: [nationalService] },
          'Consent/$cancel': { anyTrustMark: [accessService, careProviderSystem, nationalService] },
          'Consent/$changes': { anyTrustMark: [careProviderSystem, nationalService] },
          // The information owner's review of a break-glass access on its follow-up list.
          'Task/$review': { anyTrustMark: [careProviderSystem], basis: ['organisation'] },
        },
      },
    },
    extend(app, kernel) {
      const distributor = new Distributor(kernel.db, () => kernel.trust?.client, kernel.logger, settings.deliveryPollMs);
      distributors.set(app, distributor);
      if (env.NSF_DISTRIBUTION !== 'off') distributor.start();
      app.addHook('onClose', () => distributor.stop());
    },
  };
}

export const consentRegistry: ServiceDefinition = createConsentRegistry();
