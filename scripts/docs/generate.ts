// `npm run docs`: refreshes the generated tables in the README and the guides.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DOCUMENTS, fillRegions } from './regions.ts';

const root = resolve(import.meta.dirname, '../..');
for (const doc of DOCUMENTS) {
  const path = resolve(root, doc);
  const before = await readFile(path, 'utf8');
  const after = fillRegions(before);
  if (after !== before) {
    await writeFile(path, after);
    console.log(`updated ${doc}`);
  }
}
