import type { Communication, Task } from '@medplum/fhirtypes';
import { FhirError, HSA_ID_SYSTEM, TRUST_MARK, type RequestContext, type ResourceTypeConfig } from '@ndi-mesh/kernel';
import { callerPatient, isOperator } from '../auth/caller.ts';
import { patientKey } from '../store/blocks.ts';

const national = (ctx: RequestContext) => ctx.caller.trustMarks.includes(TRUST_MARK.nationalService) || isOperator(ctx.caller);

/**
 * The information owner's follow-up list after break-glass (NSF-R13): written by `$decide`, read
 * by the owner with `GET /fhir/Task?owner=<HSA-id>` (narrowed to its own, whatever it asks).
 */
const taskConfig: ResourceTypeConfig<Task> = {
  type: 'Task',
  interactions: ['read', 'search-type'],
  searchParams: [
    'status',
    'identifier',
    {
      code: 'owner',
      type: 'token',
      expression: 'Task.owner.identifier',
      description: 'The information owner (HSA-id) who reviews the emergency access.',
      url: 'https://ndi-mesh.se/fhir/SearchParameter/Task-owner-identifier',
    },
    {
      code: 'patient-identifier',
      type: 'token',
      expression: 'Task.for.identifier',
      description: 'The patient whose blocked data was read.',
      url: 'https://ndi-mesh.se/fhir/SearchParameter/Task-patient-identifier',
    },
  ],
  patientsOf: (t) => (t.for?.identifier ? [t.for.identifier] : []),
  beforeSearch: (ctx, query) => {
    if (national(ctx)) return query;
    const own = ctx.caller.organisation?.hsaId;
    if (!ctx.caller.trustMarks.includes(TRUST_MARK.careProviderSystem) || !own)
      throw new FhirError('MESH-AUTH-003', 'the follow-up list is read by the information owner');
    const narrowed = new URLSearchParams(query);
    narrowed.append('owner', `${HSA_ID_SYSTEM}|${own}`);
    return narrowed;
  },
  documentation: "The information owner's follow-up list: one Task per break-glass revoke, owner and day, status requested.",
};

/** The notices to patients after break-glass, read by the access service for its patient. */
const communicationConfig: ResourceTypeConfig<Communication> = {
  type: 'Communication',
  interactions: ['read', 'search-type'],
  searchParams: [
    'status',
    'identifier',
    {
      code: 'patient-identifier',
      type: 'token',
      expression: 'Communication.subject.identifier',
      description: 'The patient told of the emergency access.',
      url: 'https://ndi-mesh.se/fhir/SearchParameter/Communication-patient-identifier',
    },
  ],
  patientsOf: (c) => (c.subject?.identifier ? [c.subject.identifier] : []),
  beforeSearch: (ctx, query) => {
    if (national(ctx)) return query;
    if (!ctx.caller.trustMarks.includes(TRUST_MARK.accessService)) throw new FhirError('MESH-AUTH-003', "a patient's notices are read by the access service");
    const narrowed = new URLSearchParams(query);
    narrowed.append('patient-identifier', patientKey(callerPatient(ctx.caller)));
    return narrowed;
  },
  documentation: 'Notices to the patient after break-glass (NSF-R13), read by the access service.',
};

// The kernel's registry holds configs of any resource type; these are typed for their own.
export const taskType = taskConfig as unknown as ResourceTypeConfig;
export const communicationType = communicationConfig as unknown as ResourceTypeConfig;
