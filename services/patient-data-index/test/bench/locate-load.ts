// The load generator of measure-locate.ts, in a process of its own: autocannon against $locate,
// each request for a random loaded patient, after a 2-second warm-up.
import autocannon from 'autocannon';

interface Job {
  url: string;
  token: string;
  patients: string[];
  seconds: number;
  connections: number;
}

process.once('message', async (job: Job) => {
  const request = () => ({
    method: 'GET' as const,
    path: `/fhir/$locate?patient=${encodeURIComponent(job.patients[Math.floor(Math.random() * job.patients.length)]!)}&information-type=patient-summary`,
    headers: { authorization: `Bearer ${job.token}` },
  });
  const run = (duration: number) => autocannon({ url: job.url, connections: job.connections, duration, requests: [{ setupRequest: () => request() }] });
  await run(2);
  const r = await run(job.seconds);
  process.send!(
    `$locate (3 providers a patient, a third with a block, ${job.connections} connections, ${job.seconds} s): ${Math.round(r.requests.average)} requests/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`,
  );
  process.exit(0);
});
