import { blocksForProvider, revokesForProvider } from '../../src/domain/distribution.ts';
import { PROVIDER_A, PROVIDER_B, PROVIDER_C, consent, general, optOut, outer, seal } from './fixtures.ts';

describe("NSF-R16 what a provider's local block service holds", () => {
  const atA = outer();
  const atB = outer({ owner: PROVIDER_B });
  const sealAtA = seal();
  const everywhere = [general(), optOut()];
  const blocks = [atA, atB, sealAtA, ...everywhere];

  test("its own blocks and every general block, not other providers' blocks", () => {
    expect(blocksForProvider(blocks, PROVIDER_A)).toEqual([atA, sealAtA, ...everywhere]);
    expect(blocksForProvider(blocks, PROVIDER_B)).toEqual([atB, ...everywhere]);
  });

  test('a provider the patient has never met still gets the general blocks', () => {
    expect(blocksForProvider(blocks, PROVIDER_C)).toEqual(everywhere);
  });

  test('revokes that can lift something there: unnamed ones, and those naming one of its blocks', () => {
    const unnamed = consent();
    const forA = consent({ blockIds: [atA.id] });
    const forB = consent({ blockIds: [atB.id] });
    const forGeneral = consent({ blockIds: [everywhere[0]!.id] });
    const revokes = [unnamed, forA, forB, forGeneral];
    expect(revokesForProvider(revokes, blocks, PROVIDER_A)).toEqual([unnamed, forA, forGeneral]);
    expect(revokesForProvider(revokes, blocks, PROVIDER_B)).toEqual([unnamed, forB, forGeneral]);
  });
});
