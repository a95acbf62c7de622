import type { OperationOutcome } from '@medplum/fhirtypes';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { PURPOSE, type BasisInput, type ServiceDefinition } from '@ndi-mesh/kernel';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import type { PersonRef } from '../../src/domain/index.ts';
import type { Identities } from './identities.ts';

/** A federation entity that only calls: a leaf with keys and trust marks, serving nothing of its own. */
const callerDefinition = (name: string): ServiceDefinition => ({
  name,
  title: `test caller ${name}`,
  description: 'a calling system in a test',
  defaultPort: 0,
  resourceTypes: [],
  trust: { policy: { default: { public: true } } },
});

export interface Reply {
  readonly status: number;
  readonly body: any;
}

export interface Caller {
  call(method: string, path: string, body?: unknown, basis?: BasisInput): Promise<Reply>;
  readonly service: TestService;
}

export interface Callers {
  readonly access: (patient: PersonRef) => Caller;
  readonly providerA: Caller;
  readonly providerB: Caller;
  readonly national: Caller;
  readonly operator: Caller;
  readonly noMark: Caller;
}

/** Real callers with real tokens from the registry's /auth/token, through a real trust anchor. */
export async function startCallers(anchor: TestFederation, registryUrl: () => string, ids: Identities): Promise<{ callers: Callers; close(): Promise<void> }> {
  const started: TestService[] = [];
  const start = async (name: string, trustMarks: string[], hsaId?: string) => {
    const s = await startTestService(callerDefinition(name), {}, { anchor, trustMarks, ...(hsaId ? { hsaId } : {}), authorised: false });
    started.push(s);
    return s;
  };
  const [access, a, b, national, noMark] = await Promise.all([
    start('caller-access', ['access-service']),
    start('caller-provider-a', ['care-provider-system'], ids.providerA),
    start('caller-provider-b', ['care-provider-system'], ids.providerB),
    start('caller-national', ['national-service']),
    start('caller-assurance', ['assurance-level-3']),
  ]);
  const caller = (service: TestService, defaultBasis?: BasisInput): Caller => ({
    service,
    async call(method, path, body, basis) {
      const res = await service.kernel.trust!.client.fetch(`${registryUrl()}/fhir${path}`, {
        method,
        ...((basis ?? defaultBasis) ? { basis: basis ?? defaultBasis } : {}),
        headers: body === undefined ? {} : { 'content-type': 'application/fhir+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  });
  return {
    callers: {
      access: (patient) => caller(access, { organisation: { hsaId: ids.accessService }, purposeOfUse: PURPOSE.patientAccess, patient: { ...patient } }),
      providerA: caller(a, {
        organisation: { hsaId: ids.providerA },
        careUnit: { hsaId: ids.unitA1 },
        person: { hsaId: ids.doctorA, role: 'doctor' },
        purposeOfUse: PURPOSE.treatment,
      }),
      providerB: caller(b, {
        organisation: { hsaId: ids.providerB },
        careUnit: { hsaId: ids.unitB1 },
        person: { hsaId: ids.doctorB },
        purposeOfUse: PURPOSE.treatment,
      }),
      national: caller(national, { organisation: { hsaId: ids.nationalOrg }, purposeOfUse: PURPOSE.treatment }),
      operator: caller(national, {
        organisation: { hsaId: ids.nationalOrg },
        person: { role: 'operator', name: 'support' },
        purposeOfUse: PURPOSE.administration,
      }),
      noMark: caller(noMark),
    },
    close: async () => {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}

export { startTestFederation, type TestFederation };

export const codeOf = (body: OperationOutcome | undefined): string | undefined => body?.issue?.[0]?.details?.coding?.[0]?.code;
