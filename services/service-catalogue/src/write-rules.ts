import type { Endpoint, Organization } from '@medplum/fhirtypes';
import { FhirError, type RequestContext, type Tx } from '@ndi-mesh/kernel';
import { assertAddress, assertNoOverlap, informationTypesOf, managingOrganizationId } from './domain/endpoint-rules.ts';
import { assertHsaIdUnchanged, hsaIdOf } from './domain/organization-rules.ts';
import { assertMayActFor } from './domain/ownership.ts';
import { validityOf } from './domain/validity.ts';
import { markChanged } from './store/changes.ts';
import { activeEndpointsOf, writeRoute } from './store/endpoints.ts';
import { otherOrganizationWithHsaId, readOrganization, recordHsaId } from './store/organizations.ts';

/** The catalogue's rules for a write of an Organization, in the write's transaction. */
export async function beforeOrganizationWrite(ctx: RequestContext, next: Organization, previous: Organization | undefined, tx: Tx): Promise<void> {
  const hsaId = hsaIdOf(next); // NTK-R4
  if (previous) {
    const before = hsaIdOf(previous);
    assertMayActFor(ctx.caller, before, `Organization/${previous.id}`); // NTK-R3
    assertHsaIdUnchanged(before, hsaId); // NTK-R5
  } else {
    assertMayActFor(ctx.caller, hsaId, `The organisation ${hsaId}`); // NTK-R3
  }
  const other = await otherOrganizationWithHsaId(tx, hsaId, previous?.id); // NTK-R6
  if (other)
    throw new FhirError('MESH-NTK-005', {
      diagnostics: `Organization/${other} already holds the HSA-id ${hsaId}; update it (or write conditionally: PUT Organization?identifier=urn:oid:1.2.752.129.2.1.4.1|${hsaId})`,
      expression: 'Organization.identifier',
    });
}

export async function afterOrganizationWrite(_ctx: RequestContext, change: { readonly id: string; readonly resource?: Organization }, tx: Tx): Promise<void> {
  await markChanged(tx, 'Organization', change.id); // NTK-R14
  if (change.resource) await recordHsaId(tx, hsaIdOf(change.resource), change.id); // NTK-R6
}

/** The catalogue's rules for a write of an Endpoint, in the write's transaction. */
export async function beforeEndpointWrite(ctx: RequestContext, next: Endpoint, previous: Endpoint | undefined, tx: Tx): Promise<void> {
  if (previous) {
    const before = await managingOrganization(tx, previous);
    assertMayActFor(ctx.caller, hsaIdOf(before), `Endpoint/${previous.id} (of ${hsaIdOf(before)})`); // NTK-R3
  }
  const org = await managingOrganization(tx, next); // NTK-R9
  assertMayActFor(ctx.caller, hsaIdOf(org), `An endpoint of ${hsaIdOf(org)}`); // NTK-R3
  assertAddress(next.address); // NTK-R7
  validityOf(next.period); // NTK-R10
  if (next.status === 'active') assertNoOverlap(next, await activeEndpointsOf(tx, org.id!, next.id)); // NTK-R11
}

export async function afterEndpointWrite(_ctx: RequestContext, change: { readonly id: string; readonly resource?: Endpoint }, tx: Tx): Promise<void> {
  await markChanged(tx, 'Endpoint', change.id); // NTK-R14
  const ep = change.resource;
  if (!ep || ep.status !== 'active') return writeRoute(tx, change.id, undefined); // NTK-R13
  const org = await managingOrganization(tx, ep);
  await writeRoute(tx, change.id, {
    endpointId: change.id,
    organizationId: org.id!,
    hsaId: hsaIdOf(org),
    informationTypes: informationTypesOf(ep),
    validity: validityOf(ep.period),
  });
}

async function managingOrganization(tx: Tx, endpoint: Endpoint): Promise<Organization> {
  const id = managingOrganizationId(endpoint);
  const org = await readOrganization(tx, id);
  if (!org)
    throw new FhirError('MESH-NTK-004', {
      diagnostics: `Endpoint.managingOrganization names Organization/${id}, which is not in the catalogue; register the organisation first (in a transaction: put it first, as a POST with ifNoneExist)`,
      expression: 'Endpoint.managingOrganization',
    });
  return org;
}
