import { defineResourceType, type ResourceType } from '../fhir/registry.ts';

/**
 * Audit records are FHIR AuditEvents kept by every service in its own schema: written once
 * in the transaction of the access they record, never changed, searchable by patient (the
 * identifier of the entity with role Patient), agent, date and interaction.
 */
export function auditEventType(): ResourceType {
  return defineResourceType({
    type: 'AuditEvent',
    immutable: true,
    interactions: ['read', 'search-type'],
    searchParams: [
      'date',
      'action',
      'outcome',
      'subtype',
      'entity',
      {
        code: 'patient-identifier',
        type: 'token',
        expression: "AuditEvent.entity.where(role.code = '1').what.identifier",
        description: 'The patient the access concerned, by identifier (personnummer or samordningsnummer).',
        url: 'https://ndi-mesh.se/fhir/SearchParameter/AuditEvent-patient-identifier',
      },
      {
        code: 'agent-identifier',
        type: 'token',
        expression: 'AuditEvent.agent.who.identifier',
        description: 'Any agent by identifier: the calling system (entity id), its organisation or the person (HSA-id).',
        url: 'https://ndi-mesh.se/fhir/SearchParameter/AuditEvent-agent-identifier',
      },
    ],
    documentation: 'Audit of every access to personal data and every change (IHE BALP).',
  });
}
