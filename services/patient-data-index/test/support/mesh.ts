import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent, Consent, OperationOutcome } from '@medplum/fhirtypes';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { PURPOSE, type BasisInput, type ServiceDefinition } from '@ndi-mesh/kernel';
import { createTestDatabase, startTestService, untilReady, type TestDatabase, type TestService } from '@ndi-mesh/kernel/testing';
import { createConsentRegistry, distributorOf } from '../../../consent-registry/src/definition.ts';
import { patientDataIndexService } from '../../src/definition.ts';
import { ACCESS_SERVICE_ORG } from './actors.ts';
import { startCataloguePeer, type CataloguePeer, type CatalogueProvider } from './contract-peers.ts';

type Person = { readonly system: string; readonly value: string };

/**
 * One test file's mesh: a real trust anchor, the real consent registry (its distribution driven by
 * `drain`, not by a timer), the catalogue's contract fixture (C1), the index under test (a
 * national service, ready: its copy of the block register has caught up), and callers, each a real
 * federation entity with its own keys and trust marks.
 */
export interface PdiMesh {
  readonly anchor: TestFederation;
  /** The index under test; after stopIndex/startIndex, the new one. */
  readonly pdi: TestService;
  readonly registry: TestService;
  readonly catalogue: CataloguePeer;
  caller(name: string, trustMarks: readonly string[], hsaId?: string): Promise<TestService>;
  /** Calls the registry as the access service acting for `patient` (the patient's own basis). */
  asPatient(patient: Person): ReturnType<typeof as>;
  /** The patient registers `consent` (a block, an opt-out, a consent revoke) through the access service; in force at the index on return. */
  register(patient: Person, consent: Consent): Promise<Consent>;
  /** The patient cancels their block (`Consent/{id}/$cancel`); lifted at the index on return. */
  cancel(patient: Person, id: string): Promise<Consent>;
  /**
   * Delivers every push the registry has due now and waits for each answer. The index answers a
   * push only once its copy is current, so afterwards every change the registry took is in force
   * at a running index.
   */
  drain(): Promise<void>;
  /** Stops the index; its database schema and data directory (keys, pseudonym key) stay. */
  stopIndex(): Promise<void>;
  /** Starts a new index on the stopped one's schema and data directory, and waits for its /ready. */
  startIndex(): Promise<TestService>;
  /** Another index on this mesh's anchor with a database of its own, `env` over the mesh's; not waited for. */
  otherIndex(env: Record<string, string>): Promise<TestService>;
  /** Stops the consent registry for good (its database is dropped). */
  stopRegistry(): Promise<void>;
  close(): Promise<void>;
}

const NATIONAL = ['national-service'] as const;

export async function startPdiMesh(options: { providers?: readonly CatalogueProvider[]; env?: Record<string, string> } = {}): Promise<PdiMesh> {
  const anchor = await startTestFederation();
  const started: { close(): Promise<void> }[] = [];
  const databases: TestDatabase[] = [];
  const closeAll = async () => {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    for (const d of databases) await d.drop().catch(() => undefined);
    await anchor.close();
  };
  const keep = <T extends { close(): Promise<void> }>(s: T): T => {
    started.push(s);
    return s;
  };
  const forget = (s: { close(): Promise<void> }) => started.splice(started.indexOf(s), 1);
  try {
    const national = { anchor, trustMarks: NATIONAL, authorised: false } as const;
    const [registry, catalogue, access] = await Promise.all([
      // Distribution runs when a test drains it: deterministic, no delivery timer. (The index calls
      // the registry only once it holds its national-service mark, so no half-enrolled chain is cached.)
      startTestService(createConsentRegistry({ NSF_DISTRIBUTION: 'off' }), {}, national).then(keep),
      startCataloguePeer(options.providers ?? []).then(keep),
      startTestService(callerDefinition('mesh-access-service'), {}, { anchor, trustMarks: ['access-service'], authorised: false }).then(keep),
    ]);
    const base = { CATALOGUE_URL: catalogue.url, CONSENT_URL: registry.url!, PEER_TIMEOUT_MS: '1000', ...options.env };

    /** An index on a database of our own, so that a restart finds the same schema, keys and pseudonym key. */
    const indexEnv = async (env: Record<string, string>) => {
      const database = await createTestDatabase('patient-data-index');
      databases.push(database);
      return { ...base, ...env, DATABASE_URL: database.url, DATA_DIR: `/tmp/ndi-mesh-test/${database.name}` };
    };
    let registryUp = true;
    const startOn = async (env: Record<string, string>) => keep(await startTestService(patientDataIndexService(env), env, national));

    const env = await indexEnv({});
    let pdi: TestService | undefined = await startOn(env);
    await untilReady(pdi);

    const asPatient = (patient: Person) =>
      as(access, registry, { organisation: { hsaId: ACCESS_SERVICE_ORG }, purposeOfUse: PURPOSE.patientAccess, patient: { ...patient } });
    const drain = async () => {
      await distributorOf(registry.app).drain();
    };

    return {
      anchor,
      get pdi() {
        if (!pdi) throw new Error('the index is stopped');
        return pdi;
      },
      registry,
      catalogue,
      async caller(name, trustMarks, hsaId) {
        return keep(await startTestService(callerDefinition(name), {}, { anchor, trustMarks, ...(hsaId ? { hsaId } : {}), authorised: false }));
      },
      asPatient,
      async register(patient, consent) {
        const res = await asPatient(patient).post('/fhir/Consent', consent);
        if (res.status !== 201) throw new Error(`the registry refused the consent: ${res.status} ${JSON.stringify(res.body)}`);
        await drain();
        return res.body as Consent;
      },
      async cancel(patient, id) {
        const res = await asPatient(patient).post(`/fhir/Consent/${id}/$cancel`, {
          resourceType: 'Parameters',
          parameter: [{ name: 'reason', valueString: 'The patient lifted the block.' }],
        });
        if (res.status !== 200) throw new Error(`the registry refused the cancellation: ${res.status} ${JSON.stringify(res.body)}`);
        await drain();
        return res.body as Consent;
      },
      drain,
      async stopIndex() {
        if (!pdi) return;
        forget(pdi);
        await pdi.close();
        pdi = undefined;
      },
      async startIndex() {
        if (pdi) throw new Error('the index is running');
        pdi = await startOn(env);
        await untilReady(pdi);
        return pdi;
      },
      async otherIndex(overrides) {
        return startOn(await indexEnv(overrides));
      },
      async stopRegistry() {
        if (!registryUp) return;
        registryUp = false;
        forget(registry);
        await registry.close();
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

export { untilReady };

/** The address of a port nothing listens on any more: a peer that cannot be reached. */
export async function unreachableUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
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

/** Calls `service` (the index, or the registry) as `caller` with `basis`, through the caller's real federated client. */
export function as(caller: TestService, service: TestService, basis?: BasisInput) {
  const call = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const res = await caller.kernel.trust!.client.fetch(`${service.url}${path}`, { ...init, ...(basis ? { basis } : {}) });
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

/** The AuditEvents `service` holds about `patient`, oldest first. */
export async function auditsAbout(service: TestService, patient: Person): Promise<AuditEvent[]> {
  const { rows } = await service.kernel.db.query<{ content: AuditEvent }>(
    `SELECT content FROM res_auditevent WHERE content->'entity' @> $1::jsonb ORDER BY content->>'recorded'`,
    [JSON.stringify([{ what: { identifier: { system: patient.system, value: patient.value } } }])],
  );
  return rows.map((r) => r.content);
}
