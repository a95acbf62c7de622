import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import type { KeySet } from './keys.ts';

/** Signs `payload` with the key set's current key, typed as `typ` (RFC 8725 §3.11 explicit typing). */
export async function signJwt(keys: KeySet, typ: string, payload: JWTPayload): Promise<string> {
  const { kid, key } = await keys.signingKey();
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ }).sign(key);
}

/** Unverified peek at a JWT, for routing decisions only (which keys, which issuer); never for trust. */
export function peek(jwt: string): { header: ReturnType<typeof decodeProtectedHeader>; payload: JWTPayload } | undefined {
  try {
    return { header: decodeProtectedHeader(jwt), payload: decodeJwt(jwt) };
  } catch {
    return undefined;
  }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
