import { blocksForProvider, revokeRecipients, revokesForProvider } from '../../src/domain/distribution.ts';
import { ALL_PROVIDERS } from '../../src/domain/index.ts';
import { EVERY_OWNER, subscriberNeeds, subscriberOwner } from '../../src/fhir/subscription-criteria.ts';
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

  // A revoke names the blocks it lifts: the providers holding none of them have no use for it, and
  // would learn from it that the patient has blocks elsewhere.
  test('a revoke goes to the owners of the blocks it names; one naming a general block, or none, to every provider', () => {
    const forA = consent({ blockIds: [atA.id, sealAtA.id] });
    const forAandB = consent({ blockIds: [atA.id, atB.id] });
    expect(revokeRecipients(forA, blocks)).toEqual([PROVIDER_A]);
    expect(revokeRecipients(forAandB, blocks)).toEqual([PROVIDER_A, PROVIDER_B]);
    expect(revokeRecipients(consent({ blockIds: [atA.id, everywhere[0]!.id] }), blocks)).toEqual([ALL_PROVIDERS]);
    expect(revokeRecipients(consent(), blocks)).toEqual([ALL_PROVIDERS]);
    // A named block NSF cannot find: every provider, so that no copy misses what NSF applies.
    expect(revokeRecipients(consent({ blockIds: ['no-such-block'] }), blocks)).toEqual([ALL_PROVIDERS]);
    // Cancelled blocks still have their owner: the revoke's tombstone goes where the revoke went.
    expect(
      revokeRecipients(
        forA,
        blocks.map((b) => ({ ...b, status: 'cancelled' as const })),
      ),
    ).toEqual([PROVIDER_A]);
  });

  test('a revoke reaches exactly the providers whose local block service could lift something with it', () => {
    const revokes = [consent(), consent({ blockIds: [atA.id] }), consent({ blockIds: [atB.id, sealAtA.id] }), consent({ blockIds: [everywhere[1]!.id] })];
    for (const provider of [PROVIDER_A, PROVIDER_B, PROVIDER_C])
      for (const revoke of revokes) {
        const recipients = revokeRecipients(revoke, blocks);
        const reaches = recipients.includes(ALL_PROVIDERS) || recipients.includes(provider);
        expect([provider, revoke.blockIds, reaches]).toEqual([provider, revoke.blockIds, revokesForProvider([revoke], blocks, provider).length === 1]);
      }
  });
});

describe('NSF-R16 who a change goes to (Subscription criteria)', () => {
  test('a provider following its own blocks gets them and the general ones; one following every owner gets all', () => {
    expect(subscriberNeeds(PROVIDER_A, [PROVIDER_A])).toBe(true);
    expect(subscriberNeeds(PROVIDER_A, [ALL_PROVIDERS])).toBe(true);
    expect(subscriberNeeds(PROVIDER_A, [PROVIDER_B])).toBe(false);
    expect(subscriberNeeds(EVERY_OWNER, [PROVIDER_B])).toBe(true);
    expect(subscriberNeeds(EVERY_OWNER, [ALL_PROVIDERS])).toBe(true);
  });

  test('a change with several recipients (a revoke of blocks at several providers) goes to each of them, and no other', () => {
    expect(subscriberNeeds(PROVIDER_A, [PROVIDER_B, PROVIDER_A])).toBe(true);
    expect(subscriberNeeds(PROVIDER_B, [PROVIDER_B, PROVIDER_A])).toBe(true);
    expect(subscriberNeeds(PROVIDER_C, [PROVIDER_B, PROVIDER_A])).toBe(false);
  });

  test('criteria name one provider by HSA-id, or Consent for every change; anything else is refused', () => {
    expect(subscriberOwner(`Consent?owner=${PROVIDER_A}`)).toBe(PROVIDER_A);
    expect(subscriberOwner(`Consent?owner=urn:oid:1.2.752.129.2.1.4.1|${PROVIDER_A}`)).toBe(PROVIDER_A);
    expect(subscriberOwner('Consent')).toBe(EVERY_OWNER);
    for (const bad of ['Consent?', 'Consent?owner=', 'Consent?owner=not-an-hsa-id', 'Consent?status=active', 'Observation', undefined])
      expect(() => subscriberOwner(bad)).toThrow(expect.objectContaining({ code: 'MESH-FHIR-008' }));
  });
});
