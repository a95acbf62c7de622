import type { OperationDef } from '@ndi-mesh/kernel';
import type { PdiRuntime } from '../runtime.ts';

/**
 * `POST /fhir/$consent-notification`: the consent registry's rest-hook (Subscription `Consent`,
 * every change). The pushed Bundle is only a wake-up: the copy then reads the registry's change
 * feed itself, so nothing a caller pushes enters the copy. Answers once the copy is current, so
 * the registry's delivery (and a test draining it) knows the change has taken effect here.
 * National services only (the route policy's default).
 */
export function consentNotificationOperation(runtime: () => PdiRuntime): OperationDef {
  return {
    name: 'consent-notification',
    level: 'system',
    affectsState: true,
    readOnly: true,
    documentation: "The consent registry's rest-hook: a change to the block register; the index's copy catches up from the registry's change feed.",
    async handler() {
      await runtime().blocks.sync();
      return {
        status: 200,
        body: {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'information', code: 'informational', diagnostics: 'the copy of the block register is current' }],
        },
      };
    },
  };
}
