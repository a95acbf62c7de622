/**
 * Waits until the service's `/ready` answers 200: a service may be listening before it is ready
 * (the patient data index: until its copy of the block register has caught up with the registry).
 */
export async function untilReady(service: { readonly url?: string }, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${service.url}/ready`);
    const text = await res.text();
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${service.url} is not ready after ${timeoutMs} ms: ${res.status} ${text.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
