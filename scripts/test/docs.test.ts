import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DOCUMENTS, fillRegions } from '../docs/regions.ts';

const root = resolve(import.meta.dirname, '../..');

describe('generated documentation is current', () => {
  test.each(DOCUMENTS)('%s', async (doc) => {
    const text = await readFile(resolve(root, doc), 'utf8');
    expect(text).toMatch(/<!-- BEGIN \w/);
    // If this fails, run `npm run docs` and commit the result.
    expect(fillRegions(text)).toBe(text);
  });
});
