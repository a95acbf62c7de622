// Prints where the time of saved CPU profiles went, as `npm run bench -- --profile` does:
//   node scripts/bench/summarise-profile.ts bench-results/<stamp>-<suite>-<scenario>.cpuprofile …
import { readFileSync } from 'node:fs';
import { formatProfile, summariseProfile } from './profile-summary.ts';
import type { CpuProfile } from './profiler.ts';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/bench/summarise-profile.ts <file.cpuprofile>…');
  process.exit(2);
}
for (const file of files) console.log(`${formatProfile(file, summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile))}\n`);
