// Yardstick (a): the fastest any HTTP service can answer on this machine, a bare `node:http`
// server answering a small JSON body. Run by the benchmark in a process of its own.
import { createServer } from 'node:http';

const body = JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: 'ok' }] });

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
