import { TRUST_MARK, type ServiceDefinition } from '@ndi-mesh/kernel';
import { endpointType, organizationType } from './resource-types.ts';

/** The national service addressing catalogue (NTK): who offers which API, for what, where. */
export const serviceCatalogue: ServiceDefinition = {
  name: 'service-catalogue',
  title: 'ndi-mesh national service addressing catalogue (NTK)',
  description: 'Which APIs each organisation provides for external access to which kind of health information, the implementation guide each follows, and its address.',
  defaultPort: 8081,
  resourceTypes: [organizationType, endpointType],
  // The address book is public to read; writing needs a care provider's system or a national service.
  trust: { policy: { default: { public: true }, write: { anyTrustMark: [TRUST_MARK.careProviderSystem, TRUST_MARK.nationalService] } } },
};
