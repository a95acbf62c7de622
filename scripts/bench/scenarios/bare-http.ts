import type { Suite } from '../types.ts';

/** Yardstick (a): what this machine's HTTP stack can do at all, with the same load generator. */
const bareHttp: Suite<null> = {
  name: 'bare-http',
  kind: 'yardstick',
  server: () => ({ script: 'scripts/bench/yardsticks/bare-http.ts', env: {}, readyPath: '/' }),
  prepare: async () => null,
  scenarios: [
    {
      id: 'json',
      title: 'node:http, small JSON body',
      request: () => ({ method: 'GET', path: '/' }),
      expectStatus: 200,
    },
  ],
};
export default bareHttp;
