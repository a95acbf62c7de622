import type { Bundle, Endpoint, Organization, Resource } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM, PURPOSE } from '@ndi-mesh/kernel';
import type { TestService } from '@ndi-mesh/kernel/testing';
import type { Test } from 'supertest';

/**
 * Writes to the catalogue are made by the organisation that owns what is written (NTK-R3). The
 * test client is a national service; for each write it gets a real access token from the
 * catalogue whose authorisation basis names the owner of the resource in the body.
 */
export function owners(svc: TestService) {
  const bearer = async (hsaId: string) =>
    `Bearer ${await svc.kernel.trust!.client.token(svc.url!, { organisation: { hsaId }, purposeOfUse: PURPOSE.administration })}`;

  async function ownerOf(body: unknown): Promise<string | undefined> {
    const r = body as Resource | undefined;
    if (r?.resourceType === 'Organization') return (r as Organization).identifier?.find((i) => i.system === HSA_ID_SYSTEM)?.value;
    if (r?.resourceType === 'Endpoint') {
      const ref = (r as Endpoint).managingOrganization?.reference;
      if (!ref?.startsWith('Organization/')) return undefined;
      const org = await svc.http.get(`/fhir/${ref}`);
      return org.status === 200 ? ownerOf(org.body) : undefined;
    }
    if (r?.resourceType === 'Bundle') for (const e of (r as Bundle).entry ?? []) if (e.resource) return ownerOf(e.resource);
    return undefined;
  }

  /** Sends `req` with a token for the owner of `body` (or as it is, when the body names none). */
  function asOwner(req: Test, body: unknown): Test {
    const send = req.then.bind(req);
    req.then = ((onFulfilled, onRejected) =>
      ownerOf(body)
        .then(async (hsaId) => {
          if (hsaId) req.set('authorization', await bearer(hsaId));
        })
        .then(() => send(onFulfilled, onRejected), onRejected)) as Test['then'];
    return req;
  }

  return { bearer, asOwner };
}
