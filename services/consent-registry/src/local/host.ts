import type { Bundle } from '@medplum/fhirtypes';
import { FhirError, TRUST_MARK, type ServiceDefinition } from '@ndi-mesh/kernel';
import type { DecisionPolicy } from '../domain/index.ts';
import { decideAnswer, parseDecide } from '../fhir/decide-parameters.ts';
import { LocalBlockService } from './local-block-service.ts';

export interface LocalBlockHostOptions {
  readonly name?: string;
  readonly organisation: string;
  readonly nationalBase: string;
  readonly policy: DecisionPolicy;
}

/**
 * A kernel service that hosts a local block service: the shape the care-provider simulator
 * takes. `POST /fhir/$consent-notification` receives NSF's pushes (national services only);
 * `POST /fhir/$decide` answers the provider's own systems from the local copy, in C3's form,
 * with the trace (they are the information owner). At start it creates its tables and starts
 * sending up blocks registered here; once listening (its entity id is its address), the host
 * calls `subscribe` the first time and `catchUp` after every start.
 */
export function localBlockHost(options: LocalBlockHostOptions): { definition: ServiceDefinition; local: () => LocalBlockService } {
  let local: LocalBlockService | undefined;
  const get = () => {
    if (!local) throw new Error('the local block service starts with its host');
    return local;
  };
  const definition: ServiceDefinition = {
    name: options.name ?? 'local-block-service',
    title: `Local block service of ${options.organisation}`,
    description: "A care provider's copy of the blocks on its data (NSF-R16), deciding locally.",
    defaultPort: 0,
    resourceTypes: [],
    operations: () => [
      {
        name: 'consent-notification',
        level: 'system',
        affectsState: true,
        // Holds no transaction while the copy reads the feed (its pages commit in their own).
        readOnly: true,
        documentation: "NSF's rest-hook: a Bundle of changed block Consents, taken as a wake-up: the copy then reads NSF's change feed.",
        async handler({ request }) {
          const bundle = request.body as Bundle;
          if (bundle?.resourceType !== 'Bundle') throw new FhirError('MESH-OP-001', { diagnostics: 'a notification is a Bundle', expression: 'Bundle' });
          // A wake-up: the copy reads NSF's feed itself (see LocalBlockService.sync).
          await get().sync();
          return {
            status: 200,
            body: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: 'the local copy is current' }] },
          };
        },
      },
      {
        name: 'decide',
        level: 'system',
        affectsState: false,
        documentation: 'The local decision for records of this provider (C3 form).',
        async handler({ request }) {
          const input = parseDecide(request.body);
          const foreign = input.records.findIndex((r) => r.owner !== options.organisation);
          if (foreign >= 0)
            throw new FhirError('MESH-AUTH-005', {
              diagnostics: `record[${foreign}] is not held by ${options.organisation}`,
              expression: `record[${foreign}].owner`,
            });
          return { status: 200, body: decideAnswer(await get().decide(input), () => true) };
        },
      },
    ],
    trust: {
      policy: {
        default: { anyTrustMark: [TRUST_MARK.careProviderSystem] },
        operations: { '$consent-notification': { anyTrustMark: [TRUST_MARK.nationalService] } },
      },
    },
    async extend(app, kernel) {
      local = new LocalBlockService({
        db: kernel.db,
        organisation: options.organisation,
        nationalBase: options.nationalBase,
        client: () => kernel.trust!.client,
        policy: options.policy,
        logger: kernel.logger,
      });
      await local.migrate();
      local.start();
      app.addHook('onClose', () => local!.stop());
    },
  };
  return { definition, local: get };
}
