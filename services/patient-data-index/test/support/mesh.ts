import type { OperationOutcome } from '@medplum/fhirtypes';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import type { BasisInput, ServiceDefinition } from '@ndi-mesh/kernel';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { patientDataIndexService } from '../../src/definition.ts';
import { startCataloguePeer, startConsentPeer, type CataloguePeer, type CatalogueProvider, type ConsentPeer } from './contract-peers.ts';

/**
 * One test file's mesh: a real trust anchor, the index under test (a national service), its two
 * contract peers, and callers, each a real federation entity with its own keys and trust marks.
 */
export interface PdiMesh {
  readonly anchor: TestFederation;
  readonly pdi: TestService;
  readonly consent: ConsentPeer;
  readonly catalogue: CataloguePeer;
  caller(name: string, trustMarks: readonly string[], hsaId?: string): Promise<TestService>;
  close(): Promise<void>;
}

export async function startPdiMesh(options: { providers?: readonly CatalogueProvider[]; env?: Record<string, string> } = {}): Promise<PdiMesh> {
  const anchor = await startTestFederation();
  const started: { close(): Promise<void> }[] = [];
  try {
    const consent = await startConsentPeer(anchor);
    started.push(consent);
    const catalogue = await startCataloguePeer(options.providers ?? []);
    started.push(catalogue);
    const env = { CATALOGUE_URL: catalogue.url, CONSENT_URL: consent.url, PEER_TIMEOUT_MS: '1000', ...options.env };
    const pdi = await startTestService(patientDataIndexService(env), env, { anchor, trustMarks: ['national-service'], authorised: false });
    started.push(pdi);
    return {
      anchor,
      pdi,
      consent,
      catalogue,
      async caller(name, trustMarks, hsaId) {
        const svc = await startTestService(callerDefinition(name), {}, { anchor, trustMarks, ...(hsaId ? { hsaId } : {}), authorised: false });
        started.push(svc);
        return svc;
      },
      async close() {
        for (const s of started.reverse()) await s.close().catch(() => undefined);
        await anchor.close();
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    await anchor.close();
    throw err;
  }
}

/** A calling system: a federation leaf with keys and marks and nothing else. */
function callerDefinition(name: string): ServiceDefinition {
  return {
    name,
    title: `Test caller ${name}`,
    description: 'A system calling the index',
    defaultPort: 0,
    resourceTypes: [],
    trust: { policy: { default: { public: true } } },
  };
}

export interface Answer<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** Calls the index as `caller` with `basis`, through the caller's real federated client. */
export function as(caller: TestService, pdi: TestService, basis?: BasisInput) {
  const call = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const res = await caller.kernel.trust!.client.fetch(`${pdi.url}${path}`, { ...init, ...(basis ? { basis } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return {
    get: (path: string) => call(path),
    post: (path: string, body: unknown) => call(path, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) }),
  };
}

export function code(body: OperationOutcome | undefined): string | undefined {
  return body?.issue?.[0]?.details?.coding?.[0]?.code;
}
