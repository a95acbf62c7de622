import type { Identifier } from '@medplum/fhirtypes';
import { FhirError, PURPOSE, TRUST_MARK, type Caller } from '@ndi-mesh/kernel';
import type { Accessor, DecidePurpose, Requester } from '../peers/consent-client.ts';

/**
 * The read side's rules, numbered like the update rules (PDI-Rn) so the guide, the code and the
 * tests name the same thing. implementation-guides/patient-data-index/README.md prints them.
 */
export const LOCATE_RULES = {
  'PDI-L1':
    'Only a permitted purpose locates: treatment or emergency care (TREAT, ETREAT) by a care provider system, a national service or a national contact point; patient access (PATRQT) by an access service, only for the patient it acts for.',
  'PDI-L2':
    "The patient's blocks decide, with the consent registry's own decision rules, one record per care provider, on the index's copy of the block register (kept current by the registry's pushes and change feed; a release under break-glass is asked of the registry itself, which records it); a denied provider is left out of the answer entirely, so a filtered answer looks exactly like one with nothing to filter.",
  'PDI-L3':
    'Fail closed: until the copy of the block register has caught up with the consent registry after a start, or when the catalogue (or, for break-glass, the registry) cannot answer as its contract says, $locate answers 503 (MESH-SRV-001), never unfiltered data.',
  'PDI-L4':
    "Every lookup is audited with the requester's organisation, person, purpose and the patient, and the record has committed before the answer leaves; a refused or failed one too.",
  'PDI-L5': 'Only active entries are located (PDI-R10); each comes with the catalogue endpoints that serve the requested information type.',
  'PDI-L6':
    "The patient's own view is given only to an access service acting for that very patient: every entry, active or ended, and every event, unfiltered.",
} as const;

export type LocateRule = keyof typeof LOCATE_RULES;

/** C3's question parts for one locate: whose question, and why. */
export interface LocateAccess {
  readonly requester: Requester;
  readonly purpose: DecidePurpose;
  readonly accessor?: Accessor;
}

const CARE_MARKS: readonly string[] = [TRUST_MARK.careProviderSystem, TRUST_MARK.nationalService, TRUST_MARK.ncp];

/** PDI-L1. The route policy has already required an organisation and a purpose in the basis. */
export function locateAccess(caller: Caller, patient: Identifier): LocateAccess {
  const organisation = caller.organisation?.hsaId;
  if (!organisation) throw new FhirError('MESH-AUTH-004', 'PDI-L1: $locate needs an authorisation basis naming the requesting organisation');
  const requester: Requester = {
    organisation,
    ...(caller.careUnit ? { careUnit: caller.careUnit.hsaId } : {}),
    ...(caller.person?.hsaId ? { professional: caller.person.hsaId } : {}),
    ...(caller.person?.role ? { role: caller.person.role } : {}),
  };
  const marks = caller.trustMarks;
  switch (caller.purposeOfUse) {
    case PURPOSE.treatment:
    case PURPOSE.emergency:
      if (!marks.some((m) => CARE_MARKS.includes(m)))
        throw new FhirError('MESH-AUTH-004', 'PDI-L1: locating for care needs a care provider system, a national service or a national contact point');
      return { requester, purpose: caller.purposeOfUse === PURPOSE.treatment ? 'treatment' : 'emergency' };
    case PURPOSE.patientAccess:
      checkActsForPatient(caller, patient, 'PDI-L1');
      return { requester, purpose: 'patient-access', accessor: 'patient' };
    default:
      throw new FhirError('MESH-AUTH-004', `PDI-L1: $locate serves treatment, emergency care and patient access, not ${caller.purposeOfUse ?? 'no purpose'}`);
  }
}

/** PDI-L1 (patient access) and PDI-L6: an access service, acting for exactly this patient. */
export function checkActsForPatient(caller: Caller, patient: Identifier, rule: 'PDI-L1' | 'PDI-L6'): void {
  if (!caller.trustMarks.includes(TRUST_MARK.accessService))
    throw new FhirError('MESH-AUTH-003', `${rule}: patient access goes through an access service (trust mark access-service)`);
  if (caller.purposeOfUse !== PURPOSE.patientAccess) throw new FhirError('MESH-AUTH-004', `${rule}: patient access needs the purpose ${PURPOSE.patientAccess}`);
  const own = caller.patient;
  if (!own || own.system !== patient.system || own.value !== patient.value)
    throw new FhirError('MESH-AUTH-004', `${rule}: an access service sees the index only for the patient it acts for`);
}
