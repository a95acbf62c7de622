// SUSHI's package loader would ask packages.fhir.org for anything missing from the cache, including
// "latest" versions of its automatic dependencies, with no timeout. The build must not depend on the
// network, so SUSHI gets a cache that reads one local folder and registry clients that answer at once
// that nothing can be downloaded.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { fhirdefs } from 'fsh-sushi';

type Override = NonNullable<Parameters<typeof fhirdefs.createFHIRDefinitions>[0]>;

class OfflineError extends Error {
  constructor(what: string) {
    super(`${what}: the profiles build is offline; put the package in the local package cache instead`);
  }
}

/** A read-only FHIR package cache over `<packagesDir>/<name>#<version>/package/`. */
export function localPackageCache(packagesDir: string): NonNullable<Override['packageCache']> {
  const packagePath = (name: string, version: string) => join(packagesDir, `${name}#${version}`);
  return {
    cachePackageTarball(name: string, version: string, _data: Readable): Promise<string> {
      return Promise.reject(new OfflineError(`caching ${name}#${version}`));
    },
    isPackageInCache: (name, version) => existsSync(join(packagePath(name, version), 'package', 'package.json')),
    getPackagePath(name, version) {
      const path = packagePath(name, version);
      return existsSync(path) ? path : undefined;
    },
    getPackageJSONPath(name, version) {
      const path = join(packagePath(name, version), 'package', 'package.json');
      return existsSync(path) ? path : undefined;
    },
    getPotentialResourcePaths(name, version) {
      const dir = join(packagePath(name, version), 'package');
      if (!existsSync(dir)) return [];
      return readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isFile() && /^[^.].*\.json$/i.test(entry.name))
        .map((entry) => join(dir, entry.name))
        .sort();
    },
    getResourceAtPath: (resourcePath: string): unknown => JSON.parse(readFileSync(resourcePath, 'utf8')),
  };
}

export const offlineRegistry: NonNullable<Override['registryClient']> = {
  resolveVersion(name, version) {
    // A concrete version needs no look-up; "latest" and "1.2.x" would need the registry.
    return /^\d+\.\d+\.\d+(-[\w.-]+)?$/.test(version) ? Promise.resolve(version) : Promise.reject(new OfflineError(`resolving ${name}#${version}`));
  },
  download: (name, version) => Promise.reject(new OfflineError(`downloading ${name}#${version}`)),
};

export const offlineCurrentBuilds: NonNullable<Override['currentBuildClient']> = {
  downloadCurrentBuild: (name) => Promise.reject(new OfflineError(`downloading the current build of ${name}`)),
  getCurrentBuildDate: (name) => Promise.reject(new OfflineError(`dating the current build of ${name}`)),
};
