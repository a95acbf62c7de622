import { FhirError, nowSeconds, signJwt, type OperationDef, type Queryable, type Trust } from '@ndi-mesh/kernel';
import { catalogueState } from '../store/changes.ts';

export const SNAPSHOT_TYPE = 'catalogue-snapshot+jwt';
export const SNAPSHOT_DEFINITION = 'https://ndi-mesh.se/fhir/OperationDefinition/catalogue-snapshot';

/**
 * `GET /fhir/$snapshot[?since=<version>]` (contract C2, NTK-R14): the catalogue as a JWS signed
 * with the catalogue's federation key, so a consumer can keep a verified copy and update it by
 * deltas.
 */
export function snapshotOperation(trust: Trust | undefined): OperationDef {
  return {
    name: 'snapshot',
    level: 'system',
    affectsState: false,
    readOnly: true,
    definition: SNAPSHOT_DEFINITION,
    documentation:
      'The whole catalogue (organisations and active endpoints), or what changed after a version, as a compact JWS (application/jwt) signed with the federation key.',
    async handler({ request, tx }) {
      if (!trust) throw new FhirError('MESH-SRV-001', 'The catalogue signs snapshots with its federation key; it runs without federation trust');
      const since = parseSince(request.query);
      const state = await catalogueState(tx as Queryable, since);
      if (since !== undefined && since > state.version)
        throw new FhirError('MESH-OP-001', {
          diagnostics: `since=${since} is ahead of the catalogue (version ${state.version}); fetch a full snapshot without since`,
          expression: 'since',
        });
      const jwt = await signJwt(trust.keys, SNAPSHOT_TYPE, {
        iss: trust.entityId(),
        iat: nowSeconds(),
        version: state.version,
        ...(since !== undefined ? { since } : {}),
        full: since === undefined,
        organizations: state.organizations,
        endpoints: state.endpoints,
        removed: state.removed,
      });
      return { status: 200, raw: { contentType: 'application/jwt', body: jwt }, headers: { 'cache-control': 'no-store' } };
    },
  };
}

function parseSince(query: URLSearchParams): number | undefined {
  for (const key of query.keys())
    if (key !== 'since' && key !== '_format') throw new FhirError('MESH-OP-001', { diagnostics: `$snapshot takes only since; not '${key}'`, expression: key });
  const values = query.getAll('since');
  if (values.length === 0) return undefined;
  if (values.length > 1 || !/^(0|[1-9]\d{0,15})$/.test(values[0]!))
    throw new FhirError('MESH-OP-001', {
      diagnostics: `since must be one version number (a whole number ≥ 0), got '${values.join(',')}'`,
      expression: 'since',
    });
  return Number(values[0]);
}
