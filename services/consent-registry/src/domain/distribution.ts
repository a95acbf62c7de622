import { ALL_PROVIDERS, type Block, type Revoke } from './model.ts';

/**
 * NSF-R16 (seed 001 §5.3.2, "Vårdgivares spärrhantering"): a provider's local block service holds
 * every block on data it holds and every general block from NSR, so it decides on its own records
 * exactly as the national service would, and goes on deciding when the national service is down.
 */
export function blocksForProvider(blocks: readonly Block[], provider: string): Block[] {
  return blocks.filter((block) => block.owner === provider || block.owner === ALL_PROVIDERS);
}

/**
 * The revokes that can lift a block held there: those naming no blocks (they lift wherever the
 * grantee asks) and those naming at least one of the provider's blocks.
 */
export function revokesForProvider(revokes: readonly Revoke[], blocks: readonly Block[], provider: string): Revoke[] {
  const local = new Set(blocksForProvider(blocks, provider).map((block) => block.id));
  return revokes.filter((revoke) => revoke.blockIds === undefined || revoke.blockIds.length === 0 || revoke.blockIds.some((id) => local.has(id)));
}

/**
 * NSF-R16 for revokes: the providers a revoke is for. One that names blocks lifts only those, so
 * only their owners need it; a general block among them, or a revoke that names none (it lifts
 * wherever the grantee asks: a consent for everything, or break-glass), is for every provider. A
 * named block that is not among `named` makes it for every provider: a copy never misses a revoke
 * that NSF applies. Worked out once, when the revoke is registered, and recorded on it (its
 * `owner` actors), so its later versions (the cancellation, a tombstone) go where it went.
 * Consistent with `revokesForProvider`, which a test holds it to.
 */
export function revokeRecipients(revoke: Revoke, named: readonly Block[]): string[] {
  const ids = revoke.blockIds ?? [];
  if (ids.length === 0) return [ALL_PROVIDERS];
  const ownerOf = new Map(named.map((block) => [block.id, block.owner]));
  const owners = ids.map((id) => ownerOf.get(id));
  if (owners.some((owner) => owner === undefined || owner === ALL_PROVIDERS)) return [ALL_PROVIDERS];
  return [...new Set(owners as string[])];
}
