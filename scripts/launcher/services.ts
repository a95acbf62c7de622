import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServiceEntry {
  readonly name: string;
  readonly title: string;
  readonly port: number;
  readonly main: string;
  /** Trust marks the launcher asks the local anchor to grant it (package.json `ndi-mesh.trustMarks`). */
  readonly trustMarks: readonly string[];
}

/** Every workspace under services/ that has a `src/main.ts` and declares its port in package.json. */
export function discoverServices(root: string): ServiceEntry[] {
  const dir = join(root, 'services');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'src', 'main.ts')))
    .map((d) => {
      const pkg = JSON.parse(readFileSync(join(dir, d.name, 'package.json'), 'utf8')) as {
        'ndi-mesh'?: { port?: number; title?: string; trustMarks?: string[] };
      };
      const port = pkg['ndi-mesh']?.port;
      if (typeof port !== 'number') throw new Error(`services/${d.name}/package.json must declare "ndi-mesh": { "port": … }`);
      return {
        name: d.name,
        title: pkg['ndi-mesh']?.title ?? d.name,
        port,
        main: join(dir, d.name, 'src', 'main.ts'),
        trustMarks: pkg['ndi-mesh']?.trustMarks ?? [],
      };
    })
    .sort((a, b) => a.port - b.port);
}
