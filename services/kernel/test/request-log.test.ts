import type { Logger } from 'pino';
import { loggedAsRefusal } from '../src/http/app.ts';
import type { ServiceDefinition } from '../src/service.ts';
import { startTestService, type TestService } from '../src/testing/index.ts';

// Operators read "request refused" lines as callers being turned away. A readiness probe that
// answers 503 while a service starts (the launcher polls /ready) is not one, and must not look like one.
let ready = false;
const probed: ServiceDefinition = {
  name: 'request-log-test',
  title: 'Request log test',
  description: 'A kernel service whose readiness the test switches',
  defaultPort: 0,
  resourceTypes: [],
  readiness: [
    async () => {
      if (!ready) throw new Error('still starting');
    },
  ],
};

let svc: TestService;
const refusals: unknown[][] = [];
beforeAll(async () => {
  svc = await startTestService(probed);
  // Each request logs through a child of the service's logger: record what the children log as refused.
  const logger = svc.kernel.logger as Logger;
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<Logger['child']>) => {
    const c = child(...args);
    const info = c.info.bind(c);
    c.info = ((...line: unknown[]) => {
      if (line.includes('request refused')) refusals.push(line);
      return (info as (...a: unknown[]) => void)(...line);
    }) as typeof c.info;
    return c;
  }) as typeof logger.child;
});
afterAll(async () => svc?.close());
beforeEach(() => refusals.splice(0));

test('a readiness probe answering 503 is not logged as a refused request', async () => {
  ready = false;
  const res = await svc.http.get('/ready').expect(503);
  expect(res.body.issue[0].diagnostics).toMatch(/still starting/);
  ready = true;
  await svc.http.get('/ready').expect(200);
  expect(refusals).toEqual([]);
});

test('a request the service refuses is still logged as refused', async () => {
  await svc.http.get('/fhir/Nothing/here').expect(404);
  expect(refusals).toHaveLength(1);
  expect(refusals[0]![0]).toEqual(expect.objectContaining({ status: 404, method: 'GET', url: '/fhir/Nothing/here' }));
});

test('the rule: every 4xx and 5xx is a refusal, except the probes’ answers', () => {
  expect(loggedAsRefusal('/ready', 503)).toBe(false);
  expect(loggedAsRefusal('/health', 503)).toBe(false);
  expect(loggedAsRefusal('/fhir/*', 404)).toBe(true);
  expect(loggedAsRefusal('unmatched', 404)).toBe(true);
  expect(loggedAsRefusal('/fhir/*', 500)).toBe(true);
  expect(loggedAsRefusal('/fhir/*', 200)).toBe(false);
});
