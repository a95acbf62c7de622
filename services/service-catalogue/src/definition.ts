import { fileURLToPath } from 'node:url';
import { TRUST_MARK, type ResourceTypeConfig, type ServiceDefinition } from '@ndi-mesh/kernel';
import { registerAdmin } from './admin/index.ts';
import { CATALOGUE_OPERATOR } from './domain/ownership.ts';
import { endpointType, organizationType } from './resource-types.ts';
import { lookupOperation } from './routes/lookup.ts';
import { snapshotOperation } from './routes/snapshot.ts';

/** The national service addressing catalogue (NTK): who offers which API, for what, where. */
export const serviceCatalogue: ServiceDefinition = {
  name: 'service-catalogue',
  title: 'ndi-mesh national service addressing catalogue (NTK)',
  description:
    'Which APIs each organisation provides for external access to which kind of health information, the implementation guide each follows, and its address.',
  defaultPort: 8081,
  resourceTypes: [organizationType, endpointType] as ResourceTypeConfig[],
  migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
  operations: (kernel) => [lookupOperation(), snapshotOperation(kernel.trust)],
  trust: {
    policy: {
      // NTK-R1: the address book, $lookup and $snapshot are public to read.
      default: { public: true },
      operations: { 'Endpoint/$lookup': { public: true }, $snapshot: { public: true } },
      // NTK-R2: writing needs a care provider's system or a national service (or the catalogue's
      // own operators, in process); which organisation it may write is NTK-R3 (write-rules.ts).
      write: { anyTrustMark: [TRUST_MARK.careProviderSystem, TRUST_MARK.nationalService, CATALOGUE_OPERATOR] },
    },
  },
  extend: registerAdmin,
};
