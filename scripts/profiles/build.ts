// Compiles the FSH under fhir-profiles/ into fhir-profiles/fsh-generated/resources (StructureDefinitions
// with snapshots, ValueSets, CodeSystems), offline. Cheap when nothing changed, so it runs before every
// `npm test` and `npm start`. Exits non-zero on any SUSHI error; prints one line otherwise.
// Usage: node scripts/profiles/build.ts [--force] [--project <dir with sushi-config.yaml>]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildProfiles } from './pipeline.ts';

const { values } = parseArgs({ options: { force: { type: 'boolean' }, project: { type: 'string' } } });
process.exitCode = await buildProfiles({
  force: values.force ?? false,
  ...(values.project ? { projectDir: resolve(values.project) } : {}),
});
