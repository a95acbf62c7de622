import type { Rng } from './types.ts';

/** Bench data is seeded (the kernel's generator), so every run loads and asks the same things. */
export { seededRng } from '../../services/kernel/src/identifiers/synthetic.ts';

/** One of `items`, drawn with `rng`. */
export const pick = <T>(items: readonly T[], rng: Rng): T => items[Math.floor(rng() * items.length)]!;
