// Runs SUSHI in this process, with the steps of its command-line build (fsh-sushi/dist/app.js) but
// offline: the command line also asks npm and the FHIR registries for newer versions, with timeouts of
// several seconds, on every run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fhirdefs, sushiExport, utils } from 'fsh-sushi';
import { loadPredefinedResources } from 'fsh-sushi/dist/ig/index.js';
import { localPackageCache, offlineCurrentBuilds, offlineRegistry } from './offline-packages.ts';

export interface SushiResult {
  errors: number;
  warnings: number;
  ignoredWarnings: number;
  profiles: number;
  extensions: number;
  valueSets: number;
  codeSystems: number;
  instances: number;
}

function ignoreFile(projectDir: string, name: string): string | undefined {
  for (const path of [join(projectDir, name), join(projectDir, 'input', name)]) {
    if (existsSync(path)) return readFileSync(path, 'utf8');
  }
  return undefined;
}

/**
 * Compiles `<projectDir>/input/fsh` with `<projectDir>/sushi-config.yaml` into
 * `<outDir>/fsh-generated/resources`, with snapshots (the validator needs them). SUSHI prints its
 * own warnings and errors; the counts come back.
 */
export async function runSushi(projectDir: string, outDir: string, packagesDir: string): Promise<SushiResult> {
  utils.logger.level = 'warn';
  utils.stats.reset();
  const ignoredWarnings = ignoreFile(projectDir, 'sushi-ignoreWarnings.txt');
  if (ignoredWarnings) utils.setIgnoredWarnings(ignoredWarnings);
  const ignoredErrors = ignoreFile(projectDir, 'sushi-ignoreErrors.txt');
  if (ignoredErrors) utils.setIgnoredErrors(ignoredErrors);

  const result = (pkg?: sushiExport.Package): SushiResult => ({
    errors: utils.stats.numError,
    warnings: utils.stats.numWarn,
    ignoredWarnings: utils.stats.numIgnoredWarn,
    profiles: pkg?.profiles.length ?? 0,
    extensions: pkg?.extensions.length ?? 0,
    valueSets: pkg?.valueSets.length ?? 0,
    codeSystems: pkg?.codeSystems.length ?? 0,
    instances: pkg?.instances.length ?? 0,
  });

  const fshDir = join(projectDir, 'input', 'fsh');
  let config: ReturnType<typeof utils.readConfig>;
  let tank: ReturnType<typeof utils.fillTank>;
  try {
    config = utils.readConfig(projectDir);
    tank = utils.fillTank(utils.getRawFSHes(fshDir), config);
    tank.checkDuplicateNameEntities();
  } catch (e) {
    // SUSHI logs the reason before it throws; log it here only when it did not.
    if (utils.stats.numError === 0) utils.logger.error(`Cannot read the FSH project: ${(e as Error).message}`);
    return result();
  }

  const defs = await fhirdefs.createFHIRDefinitions({
    packageCache: localPackageCache(packagesDir),
    registryClient: offlineRegistry,
    currentBuildClient: offlineCurrentBuilds,
  });
  await utils.loadExternalDependencies(defs, config);
  await loadPredefinedResources(defs, join(fshDir, '..'), projectDir, config.parameters);
  defs.optimize();
  if (defs.fishForFHIR('StructureDefinition', utils.Type.Resource) == null) {
    utils.logger.error(`The FHIR core package is missing from ${packagesDir}`);
    return result();
  }

  const pkg = sushiExport.exportFHIR(tank, defs);
  const { skippedResources } = utils.writeFHIRResources(outDir, pkg, defs, true);
  utils.writeFSHIndex(outDir, pkg, fshDir, skippedResources);
  return result(pkg);
}
