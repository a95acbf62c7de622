import type { Identifier } from '@medplum/fhirtypes';

/**
 * Who is calling, as established by authentication: the federation entity and the
 * authorisation basis it presented (organisation, care unit, person and role, purpose of use,
 * patient). Domain rules and the audit read it; nothing else decides who the caller is.
 */
export interface Caller {
  readonly authenticated: boolean;
  /** OpenID Federation entity id of the calling system. */
  readonly entityId?: string;
  readonly trustMarks: readonly string[];
  readonly organisation?: { readonly hsaId: string; readonly name?: string };
  readonly careUnit?: { readonly hsaId: string; readonly name?: string };
  readonly person?: { readonly hsaId?: string; readonly name?: string; readonly role?: string };
  readonly purposeOfUse?: string;
  readonly patient?: Identifier;
  readonly clientAddress?: string;
}

export interface RequestContext {
  readonly requestId: string;
  /** Base of this service's FHIR API, e.g. `http://127.0.0.1:8081/fhir`. */
  readonly fhirBase: string;
  readonly caller: Caller;
  readonly traceId?: string;
}

export const ANONYMOUS: Caller = { authenticated: false, trustMarks: [] };
