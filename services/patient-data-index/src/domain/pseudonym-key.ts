import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIN_SECRET_BYTES, Pseudonymiser } from './pseudonym.ts';

/**
 * Where the pseudonym secret comes from: never the database, or a copy of the database would
 * carry its own key. In production it comes from the environment (a Kubernetes secret or a
 * vault); on a laptop it is generated into the service's data directory on first start. Either
 * way it must be backed up apart from the database: without it no lookup can find an entry again.
 */
export const PSEUDONYM_KEY_ENV = 'PDI_PSEUDONYM_KEY';
export const PSEUDONYM_KEY_FILE = 'pseudonym-key';

export type KeySource = 'environment' | 'file' | 'generated';

export interface LoadedKey {
  readonly pseudonymiser: Pseudonymiser;
  readonly source: KeySource;
}

/** Base64 or base64url of at least 32 bytes. */
export function decodeSecret(text: string, from: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new Error(`${from} is not base64`);
  const secret = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (secret.length < MIN_SECRET_BYTES) throw new Error(`${from} holds ${secret.length} bytes; a pseudonym key has at least ${MIN_SECRET_BYTES}`);
  return secret;
}

/**
 * `PDI_PSEUDONYM_KEY` when set, else `<dataDir>/pseudonym-key`, created (mode 0600) if missing.
 * Replicas sharing a data directory that start together agree on one key: each writes a private
 * file and links it into place, which is atomic and fails if the key exists, so the loser of the
 * race reads the winner's whole key, never a half-written one.
 */
export async function loadPseudonymiser(options: { dataDir: string; env?: NodeJS.ProcessEnv }): Promise<LoadedKey> {
  const fromEnv = (options.env ?? process.env)[PSEUDONYM_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { pseudonymiser: new Pseudonymiser(decodeSecret(fromEnv, PSEUDONYM_KEY_ENV)), source: 'environment' };
  }
  const path = join(options.dataDir, PSEUDONYM_KEY_FILE);
  const existing = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing !== undefined) return { pseudonymiser: new Pseudonymiser(decodeSecret(existing, path)), source: 'file' };
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${randomBytes(MIN_SECRET_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  try {
    await link(draft, path);
    return { pseudonymiser: new Pseudonymiser(decodeSecret(await readFile(path, 'utf8'), path)), source: 'generated' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(draft);
  }
  return { pseudonymiser: new Pseudonymiser(decodeSecret(await readFile(path, 'utf8'), path)), source: 'file' };
}
