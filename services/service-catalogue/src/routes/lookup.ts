import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { OperationDef, Queryable } from '@ndi-mesh/kernel';
import { parseLookupRequest } from '../domain/lookup-request.ts';
import { lookup } from '../store/endpoints.ts';

export const LOOKUP_DEFINITION = 'https://ndi-mesh.se/fhir/OperationDefinition/Endpoint-lookup';

/** `GET /fhir/Endpoint/$lookup` (contract C1, NTK-R13): public, no audit, no transaction. */
export function lookupOperation(): OperationDef {
  return {
    name: 'lookup',
    level: 'type',
    resourceType: 'Endpoint',
    affectsState: false,
    readOnly: true,
    definition: LOOKUP_DEFINITION,
    documentation:
      'The active endpoints of one or more organisations (by HSA-id) for an information type, valid at an instant (default now), with their organisations included.',
    async handler({ ctx, request, tx }) {
      const req = parseLookupRequest(request.query);
      const rows = await lookup(tx as Queryable, req.hsaIds, req.informationType, req.at);
      const entry: BundleEntry[] = rows.map((r) => ({ fullUrl: `${ctx.fhirBase}/Endpoint/${r.endpoint.id}`, resource: r.endpoint, search: { mode: 'match' } }));
      const seen = new Set<string>();
      for (const r of rows) {
        if (seen.has(r.organization.id!)) continue;
        seen.add(r.organization.id!);
        entry.push({ fullUrl: `${ctx.fhirBase}/Organization/${r.organization.id}`, resource: r.organization, search: { mode: 'include' } });
      }
      const self = `${ctx.fhirBase}/Endpoint/$lookup?${request.query.toString()}`;
      const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: rows.length, link: [{ relation: 'self', url: self }], entry };
      return { status: 200, body: bundle };
    },
  };
}
