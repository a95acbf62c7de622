import type { Interaction } from '../fhir/registry.ts';
import type { FhirRequest } from '../http/fhir-request.ts';

/** What a FHIR request touches, in the terms route policies are written in. */
export interface RouteTarget {
  readonly resourceType?: string;
  readonly interaction: Interaction | 'operation' | 'batch' | 'capabilities';
  /** For operations: the name without `$`. */
  readonly operation?: string;
  readonly id?: string;
}

/**
 * Classifies a request the way the FHIR router dispatches it; undefined for paths the router
 * itself refuses (404/405), which need no policy.
 */
export function routeTarget(req: Pick<FhirRequest, 'method' | 'segments' | 'query'>): RouteTarget | undefined {
  const [first, second, third, fourth, ...rest] = req.segments;
  const m = req.method;
  const get = m === 'GET' || m === 'HEAD';
  if (first === undefined) return m === 'POST' ? { interaction: 'batch' } : undefined;
  if (first === 'metadata' && second === undefined) return { interaction: 'capabilities' };
  if (first.startsWith('$')) return { interaction: 'operation', operation: first.slice(1) };
  if (rest.length > 0) return undefined;
  const resourceType = first;
  if (second === undefined) {
    if (get) return { resourceType, interaction: 'search-type' };
    if (m === 'POST') return { resourceType, interaction: 'create' };
    if (m === 'PUT') return { resourceType, interaction: 'conditional-update' };
    return undefined;
  }
  if (second === '_search' && third === undefined) return { resourceType, interaction: 'search-type' };
  if (second === '_history' && third === undefined) return { resourceType, interaction: 'history-type' };
  if (second.startsWith('$')) return { resourceType, interaction: 'operation', operation: second.slice(1) };
  const id = second;
  if (third === undefined) {
    if (get) return { resourceType, id, interaction: 'read' };
    if (m === 'PUT') return { resourceType, id, interaction: 'update' };
    if (m === 'DELETE') return { resourceType, id, interaction: 'delete' };
    return undefined;
  }
  if (third.startsWith('$') && fourth === undefined) return { resourceType, id, interaction: 'operation', operation: third.slice(1) };
  if (third === '_history') return fourth === undefined ? { resourceType, id, interaction: 'history-instance' } : { resourceType, id, interaction: 'vread' };
  return undefined;
}

const READS: readonly string[] = ['read', 'vread', 'search-type', 'history-type', 'history-instance'];

export function isRead(t: RouteTarget): boolean {
  return READS.includes(t.interaction);
}
