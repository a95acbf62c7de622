import { FhirError, type Caller } from '@ndi-mesh/kernel';

/**
 * The catalogue's own operators (the agency's support staff, through the catalogue's admin UI in
 * this process). This is not a federation trust mark: access tokens carry only the verified mesh
 * trust marks, so no caller over HTTP can hold it; only code in this process can build such a caller.
 */
export const CATALOGUE_OPERATOR = 'https://ndi-mesh.se/service-catalogue/operator';

/** A caller for the admin UI acting for a signed-in operator: exempt from NTK-R3, audited as that person. */
export function operatorCaller(entityId: string, person: { readonly hsaId?: string; readonly name?: string }): Caller {
  return { authenticated: true, entityId, trustMarks: [CATALOGUE_OPERATOR], person: { ...person, role: 'catalogue-operator' } };
}

export function isOperator(caller: Caller): boolean {
  return caller.trustMarks.includes(CATALOGUE_OPERATOR);
}

/**
 * NTK-R3: only the owning organisation writes its organisation and endpoints. The caller's
 * organisation is the one in its authorisation basis; for a care provider's system the federation
 * binds it to the system (the `care-provider-system` trust mark's hsa_id, checked at /auth/token).
 */
export function assertMayActFor(caller: Caller, hsaId: string, what: string): void {
  if (isOperator(caller)) return;
  if (!caller.organisation)
    throw new FhirError('MESH-AUTH-004', `Writing ${what} needs an authorisation basis naming your organisation (hl7-b2b organization_id = its HSA-id)`);
  if (caller.organisation.hsaId !== hsaId)
    throw new FhirError(
      'MESH-AUTH-005',
      `${what} belongs to ${hsaId}; the caller acts for ${caller.organisation.hsaId} and may write only its own organisation and endpoints`,
    );
}
