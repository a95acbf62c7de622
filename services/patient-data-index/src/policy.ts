import { PURPOSE, TRUST_MARK, type AccessPolicy } from '@ndi-mesh/kernel';

/**
 * Who may call what. Intake is for care provider systems acting for their own organisation
 * (PDI-R3 then checks the event names it); `$locate` for the purposes of PDI-L1 (the handler
 * checks which mark goes with which purpose); `$patient-view` only for access services acting for
 * a patient (PDI-L6). Everything else (the audit trail, the CapabilityStatement aside) is for
 * national services.
 */
const intake = { anyTrustMark: [TRUST_MARK.careProviderSystem], basis: ['organisation'] } as const;

export const PDI_POLICY: AccessPolicy = {
  default: { anyTrustMark: [TRUST_MARK.nationalService] },
  operations: {
    '$sharing-event': intake,
    '$sharing-events': intake,
    $locate: {
      anyTrustMark: [TRUST_MARK.careProviderSystem, TRUST_MARK.nationalService, TRUST_MARK.ncp, TRUST_MARK.accessService],
      basis: ['organisation', 'purposeOfUse'],
      purposeOfUse: [PURPOSE.treatment, PURPOSE.emergency, PURPOSE.patientAccess],
    },
    '$patient-view': { anyTrustMark: [TRUST_MARK.accessService], basis: ['organisation', 'purposeOfUse', 'patient'], purposeOfUse: [PURPOSE.patientAccess] },
  },
};
