import type { Coding, Endpoint } from '@medplum/fhirtypes';
import { FhirError } from '@ndi-mesh/kernel';
import { INFORMATION_TYPE_SYSTEM } from './information-type.ts';
import { describeValidity, overlaps, validityOf } from './validity.ts';

/**
 * NTK-R7: an address a consumer can call safely: an absolute https URL (the profile's invariant
 * se-endpoint-1 checks the shape) that parses as a URL and carries neither credentials nor a fragment.
 */
export function assertAddress(address: string): void {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw invalidAddress(address, 'it is not a URL');
  }
  if (url.protocol !== 'https:') throw invalidAddress(address, 'it must use https');
  if (url.username || url.password) throw invalidAddress(address, 'it must not carry a user name or password');
  if (url.hash) throw invalidAddress(address, 'it must not carry a fragment (#…)');
  if (/\s/.test(address)) throw invalidAddress(address, 'it must not contain white space');
}

function invalidAddress(address: string, why: string): FhirError {
  return new FhirError('MESH-FHIR-008', { diagnostics: `Endpoint.address '${address}' is not usable: ${why}`, expression: 'Endpoint.address' });
}

/** NTK-R9: the managing organisation is a literal reference to an Organization of this catalogue. */
export function managingOrganizationId(endpoint: Endpoint): string {
  const ref = endpoint.managingOrganization?.reference;
  const m = ref ? /^Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
  if (!m)
    throw new FhirError('MESH-NTK-004', {
      diagnostics: `Endpoint.managingOrganization must be a reference Organization/<id> to an organisation in this catalogue, got ${JSON.stringify(ref ?? null)}`,
      expression: 'Endpoint.managingOrganization',
    });
  return m[1]!;
}

/** The information types an endpoint serves (codes of the information-type system). */
export function informationTypesOf(endpoint: Endpoint): string[] {
  const codes = (endpoint.payloadType ?? []).flatMap((cc) =>
    (cc.coding ?? []).filter((c) => c.system === INFORMATION_TYPE_SYSTEM && c.code).map((c) => c.code!),
  );
  return [...new Set(codes)];
}

const connectionKey = (c: Coding | undefined) => `${c?.system ?? ''}|${c?.code ?? ''}`;

/**
 * NTK-R11: an organisation has at most one active endpoint per information type and connection
 * type at any moment, so "the endpoint of X for Y now" has one answer per connection type. Two
 * active endpoints of the same organisation that share an information type and a connection type
 * must not have overlapping periods; a replacement is scheduled by ending one where the next starts.
 * Endpoints that are not active (off, suspended, test, …) never clash.
 */
export function assertNoOverlap(next: Endpoint, others: readonly Endpoint[]): void {
  if (next.status !== 'active') return;
  const mine = validityOf(next.period);
  const types = new Set(informationTypesOf(next));
  const connection = connectionKey(next.connectionType);
  for (const other of others) {
    if (other.id === next.id || other.status !== 'active' || connectionKey(other.connectionType) !== connection) continue;
    const shared = informationTypesOf(other).filter((t) => types.has(t));
    if (shared.length === 0) continue;
    const theirs = validityOf(other.period);
    if (overlaps(mine, theirs))
      throw new FhirError('MESH-NTK-002', {
        diagnostics:
          `Endpoint/${other.id} of the same organisation is already active for ${shared.join(', ')} over ${connection} during ${describeValidity(theirs)}, ` +
          `which overlaps this endpoint's ${describeValidity(mine)}. End the other endpoint's period where this one starts, or set one of them to off.`,
        expression: 'Endpoint.period',
      });
  }
}
