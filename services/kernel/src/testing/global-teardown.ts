import type { EmbeddedServer } from '../storage/embedded.ts';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __ndiEmbedded?: EmbeddedServer }).__ndiEmbedded;
  await embedded?.stop();
}
