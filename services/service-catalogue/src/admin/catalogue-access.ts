import type { Bundle, Endpoint, Organization, Resource } from '@medplum/fhirtypes';
import { FhirError, HSA_ID_SYSTEM, isFhirError, type Caller, type FhirRequest, type Kernel, type RequestContext } from '@ndi-mesh/kernel';
import type { Person } from './session.ts';

/** Role values as the audit records them, for the person's role in this request. */
export type ActingRole = string;

/** A FHIR interaction's answer, or its refusal as the router gave it. */
export type Outcome<T> = { readonly ok: true; readonly status: number; readonly resource: T } | { readonly ok: false; readonly error: FhirError };

/**
 * The admin UI's way into the catalogue: every read and write goes through the kernel's FHIR
 * router in this process, as the signed-in person, so the same validation, ownership rule
 * (NTK-R3) and audit apply as to a system calling over HTTP. The caller is the catalogue itself
 * (its entity id and the trust marks the federation granted it, the UI being part of it) acting
 * for the person's organisation, with the person and role in the authorisation basis.
 */
export class CatalogueAccess {
  private readonly kernel: Kernel;

  constructor(kernel: Kernel) {
    this.kernel = kernel;
  }

  async caller(person: Person, role: ActingRole, clientAddress?: string): Promise<Caller> {
    const trust = this.kernel.trust;
    await trust?.leaf.refreshMarks();
    return {
      authenticated: true,
      entityId: trust?.entityId(),
      trustMarks: trust ? trust.leaf.trustMarks.map((m) => m.trust_mark_type) : [],
      organisation: { hsaId: person.organisationHsaId, name: person.organisationName },
      person: { hsaId: person.hsaId, name: person.name, role },
      clientAddress,
    };
  }

  async call<T extends Resource>(ctx: RequestContext, request: Partial<FhirRequest> & Pick<FhirRequest, 'method' | 'segments'>): Promise<Outcome<T>> {
    try {
      const res = await this.kernel.router.handle(ctx, { query: new URLSearchParams(), ...request });
      return { ok: true, status: res.status, resource: res.body as T };
    } catch (err) {
      if (isFhirError(err)) return { ok: false, error: err };
      throw err;
    }
  }

  async read<T extends Resource>(ctx: RequestContext, type: T['resourceType'], id: string): Promise<Outcome<T>> {
    return this.call<T>(ctx, { method: 'GET', segments: [type, id] });
  }

  async search<T extends Resource>(ctx: RequestContext, type: T['resourceType'], query: Record<string, string>): Promise<T[]> {
    const res = await this.call<Bundle<T>>(ctx, { method: 'GET', segments: [type], query: new URLSearchParams(query) });
    if (!res.ok) throw res.error;
    return (res.resource.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  }

  async history<T extends Resource>(ctx: RequestContext, type: T['resourceType'], id: string): Promise<Bundle<T>> {
    const res = await this.call<Bundle<T>>(ctx, { method: 'GET', segments: [type, id, '_history'], query: new URLSearchParams({ _count: '100' }) });
    if (!res.ok) throw res.error;
    return res.resource;
  }

  async organisationByHsaId(ctx: RequestContext, hsaId: string): Promise<Organization | undefined> {
    return (await this.search<Organization>(ctx, 'Organization', { identifier: `${HSA_ID_SYSTEM}|${hsaId}` }))[0];
  }

  async endpointsOf(ctx: RequestContext, organisationId: string): Promise<Endpoint[]> {
    const list = await this.search<Endpoint>(ctx, 'Endpoint', { organization: `Organization/${organisationId}`, _count: '1000' });
    return list.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '', 'sv') || (a.id ?? '').localeCompare(b.id ?? ''));
  }
}

export function hsaIdOf(org: Organization | undefined): string | undefined {
  return org?.identifier?.find((i) => i.system === HSA_ID_SYSTEM)?.value;
}
