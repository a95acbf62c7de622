// Measures access-token verification on the hot path (ARCHITECTURE.md: ≤ 50 µs with cached keys):
//   node services/kernel/src/trust/measure-token-verify.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessTokens } from './access-token.ts';
import { KeySet } from './keys.ts';

const keys = await KeySet.open(join(mkdtempSync(join(tmpdir(), 'ndi-verify-')), 'keys.json'));
const tokens = new AccessTokens({ keys, entityId: () => 'http://127.0.0.1:8081', ttlSeconds: 300 });
const N = 200_000;
const fresh: string[] = [];
for (let i = 0; i < 2000; i++)
  fresh.push((await tokens.issue(`http://caller-${i}`, ['https://ndi-mesh.se/trust-marks/national-service'], {}, 'system/*.*')).token);

let t = process.hrtime.bigint();
for (const tok of fresh) await tokens.verify(tok);
const firstUs = Number(process.hrtime.bigint() - t) / 1000 / fresh.length;

const hot = fresh[0]!;
for (let i = 0; i < 10_000; i++) await tokens.verify(hot, '127.0.0.1');
t = process.hrtime.bigint();
for (let i = 0; i < N; i++) await tokens.verify(hot, '127.0.0.1');
const cachedUs = Number(process.hrtime.bigint() - t) / 1000 / N;

console.log(`first verification (ES256 signature): ${firstUs.toFixed(1)} µs/op`);
console.log(`cached token (hot path):              ${cachedUs.toFixed(2)} µs/op (limit 50)`);
