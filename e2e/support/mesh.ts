import { createConsentRegistry, distributorOf } from '../../services/consent-registry/src/definition.ts';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import type { BasisInput, ServiceDefinition } from '@ndi-mesh/kernel';
import { startTestService, untilReady, type TestService } from '@ndi-mesh/kernel/testing';
import { patientDataIndexService } from '../../services/patient-data-index/src/definition.ts';
import { serviceCatalogue } from '../../services/service-catalogue/src/definition.ts';

/**
 * The real mesh around `$locate`: one trust anchor, and the service catalogue, the consent registry
 * and the patient data index each as itself (own database, listening, enrolled `national-service`),
 * the index pointed at the other two and ready (its copy of the block register has caught up with
 * the registry). No fixtures: every call crosses HTTP with real tokens.
 */
export interface Mesh {
  readonly anchor: TestFederation;
  readonly catalogue: TestService;
  readonly consent: TestService;
  readonly pdi: TestService;
  /**
   * Delivers the registry's pushes that are due now and waits for each answer. The index answers a
   * push once its copy of the block register is current, so afterwards every block the registry
   * took (or cancelled) is in force at the index.
   */
  drain(): Promise<void>;
  /** A calling system (an EHR, the access service, a supervisor): a federation leaf with keys and trust marks. */
  system(name: string, trustMarks: readonly string[], hsaId?: string): Promise<TestService>;
  close(): Promise<void>;
}

export async function startMesh(): Promise<Mesh> {
  const anchor = await startTestFederation();
  const started: TestService[] = [];
  const keep = async (s: Promise<TestService>) => {
    const service = await s;
    started.push(service);
    return service;
  };
  const closeAll = async () => {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    await anchor.close();
  };
  try {
    const national = { anchor, trustMarks: ['national-service'], authorised: false } as const;
    const [catalogue, consent] = await Promise.all([
      keep(startTestService(serviceCatalogue, {}, national)),
      // Its pushes are delivered when the story drains them (deterministic), not by its timer.
      keep(startTestService(createConsentRegistry({ NSF_DISTRIBUTION: 'off' }), {}, national)),
    ]);
    const env = { CATALOGUE_URL: catalogue.url!, CONSENT_URL: consent.url! };
    const pdi = await keep(startTestService(patientDataIndexService(env), env, national));
    await untilReady(pdi);
    return {
      anchor,
      catalogue,
      consent,
      pdi,
      drain: async () => {
        await distributorOf(consent.app).drain();
      },
      system: (name, trustMarks, hsaId) =>
        keep(startTestService(callerDefinition(name), {}, { anchor, trustMarks, ...(hsaId ? { hsaId } : {}), authorised: false })),
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function callerDefinition(name: string): ServiceDefinition {
  return {
    name,
    title: `e2e system ${name}`,
    description: 'A system that only calls the mesh',
    defaultPort: 0,
    resourceTypes: [],
    trust: { policy: { default: { public: true } } },
  };
}

export interface Reply<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** Calls `service` as `system` with `basis`, through the system's own federated client (a real token from the service's /auth/token). */
export function as(system: TestService, service: TestService, basis?: BasisInput) {
  const call = async (path: string, init: RequestInit = {}): Promise<Reply> => {
    const res = await system.kernel.trust!.client.fetch(`${service.url}/fhir${path}`, { ...init, ...(basis ? { basis } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return {
    get: (path: string) => call(path),
    post: (path: string, body: unknown) => call(path, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) }),
  };
}

export const codeOf = (body: any): string | undefined => body?.issue?.[0]?.details?.coding?.[0]?.code;
