import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import type { Registry } from '../fhir/registry.ts';
import type { OperationDef } from './fhir-request.ts';

export interface CapabilityInfo {
  readonly service: string;
  readonly title: string;
  readonly description: string;
  readonly version: string;
  readonly fhirBase: string;
}

const TYPE_LEVEL = new Set(['read', 'vread', 'update', 'delete', 'history-instance', 'history-type', 'create', 'search-type']);

/** The CapabilityStatement is built from what the service registered, so it cannot drift from it. */
export function buildCapabilityStatement(info: CapabilityInfo, registry: Registry, operations: readonly OperationDef[]): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = registry.all().map((t) => ({
    type: t.type,
    ...(t.profile ? { profile: t.profile } : {}),
    ...(t.documentation ? { documentation: t.documentation } : {}),
    interaction: t.interactions.filter((i) => TYPE_LEVEL.has(i)).map((code) => ({ code: code as 'read' })),
    versioning: t.immutable ? 'no-version' : 'versioned',
    readHistory: !t.immutable && t.interactions.includes('vread'),
    updateCreate: false,
    conditionalCreate: t.interactions.includes('conditional-create'),
    conditionalUpdate: t.interactions.includes('conditional-update'),
    conditionalDelete: 'not-supported',
    searchInclude: [...t.params.values()].filter((p) => p.type === 'reference').map((p) => `${t.type}:${p.code}`),
    searchRevInclude: registry
      .all()
      .flatMap((src) =>
        [...src.params.values()].filter((p) => p.type === 'reference' && (p.targets ?? []).includes(t.type)).map((p) => `${src.type}:${p.code}`),
      ),
    searchParam: [
      { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
      { name: '_lastUpdated', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated' },
      ...[...t.params.values()].map((p) => ({
        name: p.code,
        type: p.type,
        ...(p.url ? { definition: p.url } : {}),
        ...(p.description ? { documentation: p.description } : {}),
      })),
    ],
    operation: operations
      .filter((o) => o.resourceType === t.type)
      .map((o) => ({
        name: o.name,
        definition: o.definition ?? `${info.fhirBase}/OperationDefinition/${o.name}`,
        ...(o.documentation ? { documentation: o.documentation } : {}),
      })),
  }));
  for (const r of resource) {
    if (r.searchInclude?.length === 0) delete r.searchInclude;
    if (r.searchRevInclude?.length === 0) delete r.searchRevInclude;
    if (r.operation?.length === 0) delete r.operation;
  }
  const systemOps = operations.filter((o) => o.level === 'system');
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    name: info.service.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
    title: info.title,
    description: info.description,
    publisher: 'ndi-mesh',
    software: { name: `ndi-mesh ${info.service}`, version: info.version },
    implementation: { description: info.title, url: info.fhirBase },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Dates without a time zone are read as UTC. Unknown search parameters, modifiers and prefixes are refused with 400.',
        resource,
        interaction: [{ code: 'batch' }, { code: 'transaction' }],
        ...(systemOps.length
          ? {
              operation: systemOps.map((o) => ({
                name: o.name,
                definition: o.definition ?? `${info.fhirBase}/OperationDefinition/${o.name}`,
                ...(o.documentation ? { documentation: o.documentation } : {}),
              })),
            }
          : {}),
      },
    ],
  };
}
