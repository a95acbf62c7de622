/**
 * BENCHMARK ONLY, run as its own process by measure-decide.ts: drives `$decide` with autocannon,
 * a random patient per request. argv: url token patientsFile owner records connections seconds.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, token, patientsFile, owner, recordsArg, connectionsArg, secondsArg] = process.argv.slice(2);
const patients = readFileSync(patientsFile!, 'utf8').trim().split('\n');
const records = Number(recordsArg);
const CATEGORIES = ['patient-summary', 'eprescription', 'edispensation', 'laboratory-results', 'medical-imaging', 'discharge-report'];
const HSA = 'urn:oid:1.2.752.129.2.1.4.1';
const body = (patient: string) =>
  JSON.stringify({
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { system: 'urn:oid:1.2.752.129.2.1.3.1', value: patient } },
      { name: 'requester', part: [{ name: 'organization', valueIdentifier: { system: HSA, value: 'SE2321000016-9001' } }] },
      { name: 'purpose', valueCode: 'treatment' },
      ...Array.from({ length: records }, (_, i) => ({
        name: 'record',
        part: [
          { name: 'owner', valueIdentifier: { system: HSA, value: owner } },
          { name: 'careUnit', valueIdentifier: { system: HSA, value: owner } },
          { name: 'category', valueCode: CATEGORIES[i % CATEGORIES.length] },
        ],
      })),
    ],
  });

const result = await autocannon({
  url: `${url}/fhir/$decide`,
  connections: Number(connectionsArg),
  duration: Number(secondsArg),
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      setupRequest: (req) => ({ ...req, body: body(patients[Math.floor(Math.random() * patients.length)]!) }),
    },
  ],
});
console.log(
  JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, records }),
);
