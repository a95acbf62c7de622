import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** File name of the identity provider's keys in its data directory. */
export const IDP_KEYS_FILE = 'dev-idp-keys.json';

export interface IdpKeys {
  /** Private signing keys (ID tokens, userinfo); oidc-provider publishes their public halves at /jwks. */
  readonly jwks: { readonly keys: readonly JWK[] };
  /** Keys oidc-provider signs its cookies with (newest first). */
  readonly cookieKeys: readonly string[];
}

/**
 * Opens the identity provider's keys, generating them on first start (file mode 0600): an
 * RS256 key, which OpenID Connect requires every provider to support for ID tokens, an ES256
 * key, and a cookie-signing secret. Kept in DATA_DIR so tokens and sessions survive a restart.
 */
export async function openIdpKeys(path: string): Promise<IdpKeys> {
  try {
    const keys = JSON.parse(await readFile(path, 'utf8')) as IdpKeys;
    if (!keys.jwks?.keys?.length || !keys.cookieKeys?.length) throw new Error('it holds no keys');
    return keys;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read the key file ${path}: ${(err as Error).message}`);
  }
  const keys: IdpKeys = { jwks: { keys: [await privateJwk('RS256'), await privateJwk('ES256')] }, cookieKeys: [randomBytes(32).toString('base64url')] };
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(keys, null, 2), { mode: 0o600 });
  await rename(tmp, path);
  return keys;
}

async function privateJwk(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) };
}
