// Where the profiles pipeline reads and writes. Everything it writes is git-ignored:
// fhir-profiles/.build-home/ (the FHIR package cache) and fhir-profiles/fsh-generated/ (SUSHI's output).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const profilesDir = join(repoRoot, 'fhir-profiles');
/** A home folder of the build's own: SUSHI looks for packages in `<home>/.fhir/packages`. */
export const buildHome = join(profilesDir, '.build-home');
export const packagesDir = join(buildHome, '.fhir', 'packages');

/** The folder of an installed package (some packages do not export their package.json). */
export function packageRoot(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  while (!existsSync(join(dir, 'package.json')) || readPackageJson(dir).name !== name) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the folder of the package ${name}`);
    dir = parent;
  }
  return dir;
}

export function packageVersion(name: string): string {
  return readPackageJson(packageRoot(name)).version;
}

function readPackageJson(dir: string): { name?: string; version: string } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
}
