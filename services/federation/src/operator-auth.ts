import { randomUUID } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { FhirError, JtiStore, type Caller, type Jwks } from '@ndi-mesh/kernel';

export const OPERATOR_KEY_FILE = 'operator-key.json';
export const OPERATOR_JWKS_FILE = 'operator-jwks.json';
const MAX_LIFETIME = 300;

/**
 * The operator's credentials for the admin API: an ES256 key pair, the private half in
 * `operator-key.json` (mode 0600) for the CLI, the accepted public keys in `operator-jwks.json`.
 * Both are made on first start; an operator may add keys of their own to the JWKS file.
 */
export async function ensureOperatorKey(dataDir: string): Promise<void> {
  const jwksPath = join(dataDir, OPERATOR_JWKS_FILE);
  if (existsSync(jwksPath)) return;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, OPERATOR_KEY_FILE), JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }, null, 2), { mode: 0o600 });
  await writeFile(jwksPath, JSON.stringify({ keys: [{ ...pub, kid, alg: 'ES256', use: 'sig' }] }, null, 2), { mode: 0o644 });
}

/** A short-lived bearer token for the admin API, signed with the operator's private key. */
export async function operatorToken(keyPath: string, audience: string, operator = 'operator'): Promise<string> {
  const jwk = JSON.parse(await readFile(keyPath, 'utf8')) as JWK;
  const key = await importJWK(jwk, 'ES256');
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
    .setIssuer(operator)
    .setSubject(operator)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('2m')
    .sign(key);
}

export class OperatorAuth {
  private readonly jwksPath: string;
  private readonly audience: () => string;
  private readonly jti: JtiStore;

  constructor(o: { dataDir: string; audience: () => string; jti: JtiStore }) {
    this.jwksPath = join(o.dataDir, OPERATOR_JWKS_FILE);
    this.audience = o.audience;
    this.jti = o.jti;
  }

  /** The operator behind a bearer token: 401 without one, or when it is forged, expired or replayed. */
  async verify(authorization: string | undefined): Promise<Caller> {
    const m = /^Bearer +(\S+)$/i.exec(authorization ?? '');
    if (!m)
      throw new FhirError('MESH-AUTH-001', 'The admin API needs an operator token: Authorization: Bearer <JWT signed with the operator key>', {
        'www-authenticate': 'Bearer',
      });
    // Read each time: an operator adding or removing a key takes effect without a restart.
    const jwks = JSON.parse(await readFile(this.jwksPath, 'utf8')) as Jwks;
    try {
      const { payload } = await jwtVerify(m[1]!, createLocalJWKSet({ keys: [...jwks.keys] }), {
        algorithms: ['ES256'],
        audience: this.audience(),
        requiredClaims: ['iss', 'iat', 'exp', 'jti'],
      });
      if (payload.exp! - payload.iat! > MAX_LIFETIME) throw new FhirError('MESH-AUTH-002', `Operator tokens live at most ${MAX_LIFETIME} s`);
      if (!(await this.jti.claim(`operator:${payload.iss}`, String(payload.jti), payload.exp!)))
        throw new FhirError('MESH-AUTH-002', 'The operator token was used before (replay)');
      return {
        authenticated: true,
        entityId: `${this.audience()}#operator:${payload.iss}`,
        trustMarks: [],
        person: { name: String(payload.iss), role: 'federation operator' },
      };
    } catch (err) {
      if (err instanceof FhirError) throw err;
      throw new FhirError('MESH-AUTH-002', `The operator token is not valid (${(err as { code?: string }).code ?? 'malformed'})`, {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
  }
}

export const adminAudience = (entityId: string): string => `${entityId}/admin`;
