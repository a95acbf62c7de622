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
