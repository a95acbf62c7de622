import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export interface Jwks {
  readonly keys: readonly JWK[];
}

interface StoredKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly createdAt: string;
  /** Set when a newer key took over: the key still verifies (is published) until then. */
  readonly retiresAt?: string;
}

interface KeyFile {
  readonly keys: StoredKey[];
}

/**
 * A federation entity's signing keys, kept in its data directory (generated on first start,
 * file mode 0600). The newest key signs; a rolled-over key stays in the published JWKS until
 * its `retiresAt`, so what it signed keeps verifying until then.
 */
export class KeySet {
  private readonly path: string;
  private file: KeyFile;
  private signing?: { kid: string; key: CryptoKey };

  private constructor(path: string, file: KeyFile) {
    this.path = path;
    this.file = file;
  }

  static async open(path: string): Promise<KeySet> {
    let file: KeyFile;
    try {
      file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read the key file ${path}: ${(err as Error).message}`);
      file = { keys: [await newKey()] };
      await save(path, file);
    }
    return new KeySet(path, file);
  }

  get kid(): string {
    return this.current().kid;
  }

  /** Public keys that verify: the current key and rolled-over keys not yet retired. */
  publicJwks(now = Date.now()): Jwks {
    return { keys: this.file.keys.filter((k) => !k.retiresAt || Date.parse(k.retiresAt) > now).map((k) => k.publicJwk) };
  }

  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    const cur = this.current();
    if (this.signing?.kid !== cur.kid) this.signing = { kid: cur.kid, key: (await importJWK(cur.privateJwk, 'ES256')) as CryptoKey };
    return this.signing;
  }

  /** Key rollover: a new key signs from now on; the old one keeps verifying for `overlapSeconds`. */
  async rotate(overlapSeconds: number): Promise<string> {
    const retiresAt = new Date(Date.now() + overlapSeconds * 1000).toISOString();
    const next = await newKey();
    const keys = this.file.keys.filter((k) => !k.retiresAt || Date.parse(k.retiresAt) > Date.now()).map((k) => (k.retiresAt ? k : { ...k, retiresAt }));
    this.file = { keys: [...keys, next] };
    await save(this.path, this.file);
    return next.kid;
  }

  private current(): StoredKey {
    const cur = this.file.keys.findLast((k) => !k.retiresAt);
    if (!cur) throw new Error(`${this.path} holds no current signing key`);
    return cur;
  }
}

async function newKey(): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
    createdAt: new Date().toISOString(),
  };
}

async function save(path: string, file: KeyFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(file, null, 2), { mode: 0o600 });
  await rename(tmp, path);
}
