import { PERSONNUMMER_SYSTEM, PURPOSE, seededRng, syntheticHsaId, syntheticPersonnummer, type BasisInput } from '@ndi-mesh/kernel';

export interface Person {
  readonly system: string;
  readonly value: string;
}

/** Everyone in the story: two care providers with a unit and a clinician each, an access service, three patients. */
export function cast(seed = 2026_11_25) {
  const rng = seededRng(seed);
  const providerA = syntheticHsaId('organisation', rng);
  const providerB = syntheticHsaId('organisation', rng);
  const patients = new Set<string>();
  const person = (): Person => {
    let value = syntheticPersonnummer(rng);
    while (patients.has(value)) value = syntheticPersonnummer(rng);
    patients.add(value);
    return { system: PERSONNUMMER_SYSTEM, value };
  };
  return {
    providerA,
    unitA: syntheticHsaId('unit', rng, providerA),
    doctorA: syntheticHsaId('person', rng, providerA),
    providerB,
    unitB: syntheticHsaId('unit', rng, providerB),
    doctorB: syntheticHsaId('person', rng, providerB),
    accessServiceOrg: syntheticHsaId('organisation', rng),
    supervisorOrg: syntheticHsaId('organisation', rng),
    /** Has data at A and B; blocks B. */
    patient: person(),
    /** Has data at B only; opts out. */
    optingOut: person(),
    /** Has data at A only: what "B never had data" looks like. */
    onlyAtA: person(),
  };
}
export type Cast = ReturnType<typeof cast>;

/** A provider's system doing its own administration: registering in the catalogue, reporting to the index. */
export const administering = (hsaId: string, name: string): BasisInput => ({ organisation: { hsaId, name }, purposeOfUse: PURPOSE.administration });

/** A clinician at a provider, treating. */
export const treating = (organisation: string, unit: string, doctor: string): BasisInput => ({
  organisation: { hsaId: organisation },
  careUnit: { hsaId: unit },
  person: { hsaId: doctor, role: 'doctor' },
  purposeOfUse: PURPOSE.treatment,
});

/** The access service acting for the patient it authenticated. */
export const patientAccess = (accessServiceOrg: string, patient: Person): BasisInput => ({
  organisation: { hsaId: accessServiceOrg },
  purposeOfUse: PURPOSE.patientAccess,
  patient: { system: patient.system, value: patient.value },
});
