import supertest from 'supertest';
import { readServiceSettings } from '../config/service-settings.ts';
import { createService, type RunningService, type ServiceDefinition } from '../service.ts';
import type { BasisInput } from '../trust/basis.ts';
import type { Jwks } from '../trust/keys.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestService extends RunningService {
  readonly http: ReturnType<typeof supertest>;
  readonly database: TestDatabase;
  /** The service's URL (its entity id) when it was started federated. */
  readonly url?: string;
}

/** A real trust anchor the test started (`@ndi-mesh/federation/testing`), as the kernel needs it. */
export interface TestAnchor {
  readonly entityId: string;
  readonly jwks: Jwks;
  enrol(entityId: string, jwks: Jwks, options: { trustMarks: readonly string[]; hsaId?: string }): Promise<void>;
}

export interface FederatedOptions {
  readonly anchor: TestAnchor;
  /** Trust marks the anchor grants this service on enrolment. */
  readonly trustMarks: readonly string[];
  readonly hsaId?: string;
  /** When given, `http` carries a real access token the service issued to itself with this basis. */
  readonly callerBasis?: BasisInput;
  /** False: `http` sends no token (to test refusals). Default true. */
  readonly authorised?: boolean;
}

/**
 * Starts a service in-process on a fresh database of the run's real PostgreSQL server. With
 * `federated`, it also listens on 127.0.0.1 (its entity id), is enrolled with the given trust marks
 * at a real anchor, and `http` sends a real access token obtained through its own /auth/token.
 */
export async function startTestService(
  def: ServiceDefinition,
  env: Record<string, string> = {},
  federated?: FederatedOptions,
  options: { serverUrl?: string } = {},
): Promise<TestService> {
  const database = await createTestDatabase(def.name, options.serverUrl);
  const fullEnv: Record<string, string> = {
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    DB_POOL_SIZE: '5',
    DATA_DIR: `/tmp/ndi-mesh-test/${database.name}`,
    ...(federated
      ? { FEDERATION_ANCHOR: federated.anchor.entityId, FEDERATION_ANCHOR_JWKS: JSON.stringify(federated.anchor.jwks), OWN_TRUST_MARKS_REFRESH: '0' }
      : {}),
    ...env,
  };
  const settings = readServiceSettings({ port: 0, service: def.name }, fullEnv);
  try {
    const service = await createService(def, { settings, env: fullEnv });
    const close = async () => {
      await service.close();
      await database.drop();
    };
    if (!federated) return { ...service, http: supertest(service.app.server), database, close };
    try {
      await service.app.listen({ port: 0, host: '127.0.0.1' });
      const trust = service.kernel.trust;
      if (!trust) throw new Error(`${def.name} declares no trust policy; start it without the federated option`);
      const url = trust.entityId();
      await federated.anchor.enrol(url, trust.keys.publicJwks(), { trustMarks: federated.trustMarks, hsaId: federated.hsaId });
      let http = supertest(url);
      if (federated.authorised !== false) {
        const token = await trust.client.token(url, federated.callerBasis);
        http = supertest.agent(url).set('authorization', `Bearer ${token}`) as unknown as ReturnType<typeof supertest>;
      }
      return { ...service, http, database, url, close };
    } catch (err) {
      await close();
      throw err;
    }
  } catch (err) {
    await database.drop();
    throw err;
  }
}
