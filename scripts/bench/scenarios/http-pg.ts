import type { Suite } from '../types.ts';

const ROWS = 10_000;

/** Yardstick (b): `node:http` + `pg` primary-key read of a random row, the limit for any read. */
const httpPg: Suite<{ rows: number }> = {
  name: 'http-pg',
  kind: 'yardstick',
  server: (ctx) => ({
    script: 'scripts/bench/yardsticks/http-pg.ts',
    env: { DATABASE_URL: ctx.databaseUrl, DB_SCHEMA: ctx.schema('yardstick'), ROWS: String(ROWS) },
    readyPath: '/ready',
  }),
  prepare: async () => ({ rows: ROWS }),
  scenarios: [
    {
      id: 'pk-read',
      title: 'node:http + pg, primary-key read',
      request: (data, rng) => ({ method: 'GET', path: `/doc/${1 + Math.floor(rng() * data.rows)}` }),
      expectStatus: 200,
      check: (body) => (JSON.parse(body).resourceType === 'Endpoint' ? undefined : `not a stored document: ${body.slice(0, 200)}`),
    },
  ],
};
export default httpPg;
