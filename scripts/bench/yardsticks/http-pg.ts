// Yardstick (b): `node:http` serving a PostgreSQL primary-key read, the limit for any read a
// service here can serve. It fills its own table at start (ROWS documents of the size of an
// Endpoint), then answers GET /doc/<id> with the stored JSON, as a FHIR read does.
import { createServer } from 'node:http';
import pg from 'pg';
import { defaultPoolSize } from '../../../services/kernel/src/config/service-settings.ts';

const schema = process.env.DB_SCHEMA ?? 'yardstick';
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad DB_SCHEMA ${schema}`);
const rows = Number(process.env.ROWS ?? 10_000);
// The same pool size as a service's (DB_POOL_SIZE, else the kernel's default).
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? defaultPoolSize()),
  options: `-c search_path=${schema}`,
});
pool.on('error', () => undefined);

await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
await pool.query('DROP TABLE IF EXISTS doc');
await pool.query('CREATE TABLE doc (id integer PRIMARY KEY, content jsonb NOT NULL)');
await pool.query(
  `INSERT INTO doc (id, content)
   SELECT i, jsonb_build_object(
     'resourceType', 'Endpoint', 'id', md5(i::text), 'meta', jsonb_build_object('versionId', '1', 'lastUpdated', now()),
     'status', 'active',
     'connectionType', jsonb_build_object('system', 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', 'code', 'hl7-fhir-rest'),
     'name', 'patient-summary API ' || i,
     'managingOrganization', jsonb_build_object('reference', 'Organization/' || md5((i % 1000)::text)),
     'payloadType', jsonb_build_array(jsonb_build_object('coding', jsonb_build_array(jsonb_build_object('system', 'https://ndi-mesh.se/fhir/CodeSystem/information-type', 'code', 'patient-summary')))),
     'address', 'https://fhir.example-vard.se/r4/' || i)
   FROM generate_series(1, $1::integer) AS i`,
  [rows],
);
await pool.query('ANALYZE doc');

const server = createServer((req, res) => {
  const m = /^\/doc\/(\d+)$/.exec(req.url ?? '');
  if (!m) return void res.writeHead(req.url === '/ready' ? 200 : 404).end();
  pool.query<{ content: unknown }>('SELECT content FROM doc WHERE id = $1', [Number(m[1])]).then(
    (r) => {
      const row = r.rows[0];
      if (!row) return void res.writeHead(404).end();
      const body = JSON.stringify(row.content);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    () => void res.writeHead(500).end(),
  );
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
