import type { OperationOutcome } from '@medplum/fhirtypes';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import supertest from 'supertest';
import { serviceCatalogue } from '../../src/definition.ts';
import { owners } from '../owners.ts';

export const FHIR = 'application/fhir+json';

export interface CatalogueUnderTest {
  /** The running catalogue (valid inside tests, after beforeAll). */
  readonly svc: () => TestService;
  /** A client with no token, as any consumer of the public address book. */
  readonly publicHttp: () => ReturnType<typeof supertest>;
  /** Writes carrying a token of the organisation that owns the body (NTK-R3). */
  readonly post: (path: string, body: unknown) => ReturnType<ReturnType<typeof supertest>['post']>;
  readonly put: (path: string, body: unknown) => ReturnType<ReturnType<typeof supertest>['put']>;
}

/**
 * Registers the suite's setup: a real trust anchor and the catalogue on a fresh database, enrolled
 * as a national service, listening on 127.0.0.1 so that tokens and public calls go over HTTP.
 */
export function useFederatedCatalogue(): CatalogueUnderTest {
  let anchor: TestFederation | undefined;
  let svc: TestService | undefined;
  beforeAll(async () => {
    anchor = await startTestFederation();
    svc = await startTestService(serviceCatalogue, {}, { anchor, trustMarks: ['national-service'] });
  });
  afterAll(async () => {
    await svc?.close();
    await anchor?.close();
  });
  const running = () => {
    if (!svc) throw new Error('the catalogue is not started (use it inside tests)');
    return svc;
  };
  return {
    svc: running,
    publicHttp: () => supertest(running().url!),
    post: (path, body) => owners(running()).asOwner(running().http.post(path).set('content-type', FHIR).send(JSON.stringify(body)), body),
    put: (path, body) => owners(running()).asOwner(running().http.put(path).set('content-type', FHIR).send(JSON.stringify(body)), body),
  };
}

/** The stable error code of an OperationOutcome's first issue. */
export const issueCode = (b: OperationOutcome) => b.issue[0]?.details?.coding?.[0]?.code;
