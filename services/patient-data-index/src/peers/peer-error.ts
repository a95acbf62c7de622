import { FhirError } from '@ndi-mesh/kernel';

/**
 * A peer that did not answer as its contract says: unreachable, too slow, an error status or a
 * body that is not the contracted shape. The index fails closed on each (MESH-SRV-001, 503).
 */
export function peerUnavailable(peer: string, why: string): FhirError {
  return new FhirError('MESH-SRV-001', `${peer} is unavailable (${why}); the index answers nothing rather than an unfiltered or incomplete answer`);
}

/** GET or POST with a deadline; every failure becomes peerUnavailable. */
export async function callPeer(peer: string, send: (signal: AbortSignal) => Promise<Response>, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await send(AbortSignal.timeout(timeoutMs));
  } catch (err) {
    const e = err as Error;
    throw peerUnavailable(peer, e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.message);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw peerUnavailable(peer, `HTTP ${res.status}`);
  }
  try {
    return await res.json();
  } catch {
    throw peerUnavailable(peer, 'the answer is not JSON');
  }
}
