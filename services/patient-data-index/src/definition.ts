import type { ServiceDefinition } from '@ndi-mesh/kernel';
import { PDI_POLICY } from './policy.ts';
import { intakeOperations } from './routes/intake.ts';
import { consentNotificationOperation } from './routes/consent-notification.ts';
import { locateOperation } from './routes/locate.ts';
import { patientViewOperation } from './routes/patient-view.ts';
import { startRuntime, type PdiRuntime } from './runtime.ts';
import { readPdiSettings } from './settings.ts';
import { PDI_MIGRATIONS } from './store/migrations.ts';

/**
 * The patient data index (PDI, seed 001 §5.1): care providers' systems report sharing events;
 * requesters locate who holds data about a patient, filtered by the consent registry; patients see
 * their own index. A factory, not a constant: each instance (a test may start several) holds its
 * own pseudonym key and peer clients, and reads its settings from `env`.
 */
export function patientDataIndexService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  const settings = readPdiSettings(env);
  let runtime: PdiRuntime | undefined;
  const current = (): PdiRuntime => {
    if (!runtime) throw new Error('patient-data-index: the runtime is made when the service starts');
    return runtime;
  };
  return {
    name: 'patient-data-index',
    title: 'ndi-mesh patient data index (PDI)',
    description: 'Which care providers hold health data about a patient, in which systems: sharing events in, consent-filtered locations out.',
    defaultPort: 8082,
    resourceTypes: [],
    migrationsDir: PDI_MIGRATIONS.dir,
    operations: () => [...intakeOperations(current), locateOperation(current), patientViewOperation(current), consentNotificationOperation(current)],
    trust: { policy: PDI_POLICY },
    // PDI-L3: not ready (no traffic routed here) until the copy of the block register is current.
    readiness: [
      async () => {
        if (!runtime?.blocks.syncedAt) throw new Error('the copy of the block register has not caught up with the consent registry yet');
      },
    ],
    extend: async (app, kernel) => {
      const rt = await startRuntime(kernel, settings, env);
      runtime = rt;
      rt.blocks.start();
      app.addHook('onClose', () => rt.blocks.stop());
    },
  };
}
