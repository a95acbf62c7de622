import supertest from 'supertest';
import { readServiceSettings } from '../config/service-settings.ts';
import { createService, type RunningService, type ServiceDefinition } from '../service.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestService extends RunningService {
  readonly http: ReturnType<typeof supertest>;
  readonly database: TestDatabase;
}

/** Starts a service in-process on a fresh database of the run's real PostgreSQL server. */
export async function startTestService(def: ServiceDefinition, env: Record<string, string> = {}): Promise<TestService> {
  const database = await createTestDatabase(def.name);
  const settings = readServiceSettings(
    { port: 0, service: def.name },
    { DATABASE_URL: database.url, LOG_LEVEL: 'silent', DB_POOL_SIZE: '5', DATA_DIR: `/tmp/ndi-mesh-test/${database.name}`, ...env },
  );
  try {
    const service = await createService(def, { settings });
    return {
      ...service,
      http: supertest(service.app.server),
      database,
      async close() {
        await service.close();
        await database.drop();
      },
    };
  } catch (err) {
    await database.drop();
    throw err;
  }
}
