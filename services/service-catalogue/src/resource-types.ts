import type { ResourceTypeConfig } from '@ndi-mesh/kernel';

const CRUD = ['read', 'vread', 'search-type', 'create', 'update', 'history-instance', 'history-type', 'conditional-create', 'conditional-update'] as const;

export const PROFILE_BASE = 'https://ndi-mesh.se/fhir/StructureDefinition';

export const organizationType: ResourceTypeConfig = {
  type: 'Organization',
  profile: `${PROFILE_BASE}/se-organization`,
  interactions: CRUD,
  searchParams: ['identifier', 'name', 'active', 'partof', 'type'],
  notify: true,
  documentation: 'Care providers and other organisations, identified by HSA-id.',
};

export const endpointType: ResourceTypeConfig = {
  type: 'Endpoint',
  profile: `${PROFILE_BASE}/se-endpoint`,
  interactions: CRUD,
  searchParams: [
    'identifier',
    'organization',
    'status',
    'connection-type',
    'name',
    {
      code: 'payload-type',
      type: 'token',
      expression: 'Endpoint.payloadType',
      description: 'The kind of health information the endpoint serves (information-type code system).',
      url: 'https://ndi-mesh.se/fhir/SearchParameter/Endpoint-payload-type',
    },
    {
      code: 'period',
      type: 'date',
      expression: 'Endpoint.period',
      description: 'When the endpoint is valid.',
      url: 'https://ndi-mesh.se/fhir/SearchParameter/Endpoint-period',
    },
  ],
  notify: true,
  documentation: 'An API of an organisation: its address, the information type it serves and the implementation guide it follows.',
};
