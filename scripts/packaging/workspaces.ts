// The services that exist: npm workspaces under services/ (root package.json), less the
// kernel, which is a library. The packaging enables exactly these.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIBRARIES = new Set(['kernel']);

function expand(root: string, pattern: string): string[] {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  const dir = join(root, parent);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'package.json')))
    .map((entry) => `${parent}/${entry.name}`);
}

export function workspaceServices(root: string): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: string[] };
  return (manifest.workspaces ?? [])
    .flatMap((pattern) => expand(root, pattern.replace(/^\.\//, '').replace(/\/$/, '')))
    .filter((path) => path.startsWith('services/') && path.split('/').length === 2)
    .map((path) => path.slice('services/'.length))
    .filter((name) => !LIBRARIES.has(name))
    .sort();
}
