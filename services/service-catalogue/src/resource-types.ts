import type { Endpoint, Organization } from '@medplum/fhirtypes';
import type { ResourceTypeConfig } from '@ndi-mesh/kernel';
import { afterEndpointWrite, afterOrganizationWrite, beforeEndpointWrite, beforeOrganizationWrite } from './write-rules.ts';

// No delete: an endpoint leaves by status (off, entered-in-error) or by the end of its period, and
// its history stays readable.
const CRUD = ['read', 'vread', 'search-type', 'create', 'update', 'history-instance', 'history-type', 'conditional-create', 'conditional-update'] as const;

export const PROFILE_BASE = 'https://ndi-mesh.se/fhir/StructureDefinition';

export const organizationType: ResourceTypeConfig<Organization> = {
  type: 'Organization',
  profile: `${PROFILE_BASE}/se-organization`,
  interactions: CRUD,
  searchParams: ['identifier', 'name', 'active', 'partof', 'type'],
  notify: true,
  beforeWrite: beforeOrganizationWrite,
  afterWrite: afterOrganizationWrite,
  documentation:
    'Care providers and other organisations, identified by HSA-id (one organisation per HSA-id). Written only by the organisation itself (NTK-R3).',
};

export const endpointType: ResourceTypeConfig<Endpoint> = {
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
  beforeWrite: beforeEndpointWrite,
  afterWrite: afterEndpointWrite,
  documentation:
    'An API of an organisation: its address, the information type it serves and the implementation guide it follows. Written only by the managing organisation (NTK-R3); no two active endpoints of one organisation overlap for an information type and connection type (NTK-R11).',
};
