import { FhirError } from '@ndi-mesh/kernel';
import { admitBatch } from '../../src/domain/intake.ts';
import { NOW, OTHER_PROVIDER, parameters, PROVIDER } from './fixtures.ts';

const caller = { callerOrganisation: PROVIDER, now: NOW };

describe('admitBatch', () => {
  test('PDI-R8: good events are admitted and each bad one is refused with its position and code', () => {
    const good = [parameters(), parameters({ eventType: 'ended', endReason: 'record-closed' })];
    const inputs = [
      good[0],
      parameters({ careProvider: OTHER_PROVIDER }),
      parameters({ eventType: 'ended' }),
      { resourceType: 'Bundle' },
      good[1],
      parameters({ occurredAt: '2026-03-01T13:00:00.000Z' }),
    ];
    const { admitted, refused } = admitBatch(inputs, caller);
    expect(admitted.map((a) => a.index)).toEqual([0, 4]);
    expect(admitted[1]!.event).toMatchObject({ eventType: 'ended', endReason: 'record-closed' });
    expect(refused.map((r) => [r.index, r.error.code])).toEqual([
      [1, 'MESH-AUTH-005'],
      [2, 'MESH-PDI-002'],
      [3, 'MESH-OP-001'],
      [5, 'MESH-PDI-005'],
    ]);
  });

  test('PDI-R6: more than 1,000 events are refused whole', () => {
    const inputs = Array.from({ length: 1001 }, () => parameters());
    expect(() => admitBatch(inputs, caller)).toThrow(expect.objectContaining({ code: 'MESH-PDI-006' }) as unknown as Error);
    expect(admitBatch(inputs.slice(0, 1000), caller).admitted).toHaveLength(1000);
  });

  test('PDI-R6: an empty batch is refused', () => {
    let error: unknown;
    try {
      admitBatch([], caller);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FhirError);
    expect((error as FhirError).code).toBe('MESH-PDI-006');
  });
});
