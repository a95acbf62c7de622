import { PERSONNUMMER_SYSTEM, seededRng, syntheticHsaId, syntheticPersonnummer } from '@ndi-mesh/kernel';
import type { PersonRef } from '../../src/domain/index.ts';

/** Synthetic people and organisations, the same in every run. Each test file passes its own seed so files never share a patient. */
export function identities(seed: number) {
  const rng = seededRng(seed);
  const person = (): PersonRef => ({ system: PERSONNUMMER_SYSTEM, value: syntheticPersonnummer(rng) });
  const providerA = syntheticHsaId('organisation', rng);
  const providerB = syntheticHsaId('organisation', rng);
  return {
    patient: person(),
    otherPatient: person(),
    thirdPatient: person(),
    providerA,
    unitA1: syntheticHsaId('unit', rng, providerA),
    unitA2: syntheticHsaId('unit', rng, providerA),
    doctorA: syntheticHsaId('person', rng, providerA),
    providerB,
    unitB1: syntheticHsaId('unit', rng, providerB),
    doctorB: syntheticHsaId('person', rng, providerB),
    accessService: syntheticHsaId('organisation', rng),
    nationalOrg: syntheticHsaId('organisation', rng),
  };
}
export type Identities = ReturnType<typeof identities>;
