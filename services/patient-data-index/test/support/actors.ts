import { syntheticHsaId, PURPOSE, type BasisInput } from '@ndi-mesh/kernel';
import { OTHER_PROVIDER, PROVIDER, seededRng } from '../domain/fixtures.ts';

/** The care providers of the read-side tests: three that hold data, one that asks. */
const rng = seededRng(8082);
export const HOLDER_A = PROVIDER;
export const HOLDER_B = OTHER_PROVIDER;
export const HOLDER_C = syntheticHsaId('organisation', rng);
export const REQUESTER = syntheticHsaId('organisation', rng);
export const DOCTOR = syntheticHsaId('person', rng, REQUESTER);
export const ACCESS_SERVICE_ORG = syntheticHsaId('organisation', rng);

export const ADDRESS_A = 'https://ehr.region-a.example/fhir';
export const ADDRESS_B = 'https://ehr.region-b.example/fhir';

export const reportingFor = (hsaId: string): BasisInput => ({ organisation: { hsaId }, purposeOfUse: PURPOSE.administration });

export const treating: BasisInput = {
  organisation: { hsaId: REQUESTER, name: 'Vårdgivare D' },
  person: { hsaId: DOCTOR, name: 'Dr Test', role: 'doctor' },
  purposeOfUse: PURPOSE.treatment,
};

export const patientAccess = (patient: { system: string; value: string }): BasisInput => ({
  organisation: { hsaId: ACCESS_SERVICE_ORG },
  purposeOfUse: PURPOSE.patientAccess,
  patient,
});
