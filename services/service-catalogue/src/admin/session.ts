import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EncryptJWT, jwtDecrypt } from 'jose';

/** File name of the session key in the catalogue's data directory. */
export const SESSION_KEY_FILE = 'admin-session-key';

/** Who is signed in, as the identity provider asserted it. */
export interface Person {
  readonly sub: string;
  readonly name: string;
  readonly hsaId: string;
  readonly organisationHsaId: string;
  readonly organisationName?: string;
  readonly roles: readonly string[];
}

export interface Session {
  readonly person: Person;
  /** The synchroniser token every form of this session carries (CSRF). */
  readonly csrf: string;
}

/** What the browser keeps between the redirect to the identity provider and the callback. */
export interface LoginState {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly returnTo: string;
}

type Purpose = 'session' | 'login';

/**
 * Cookies the browser holds but can neither read nor alter: JWE (dir, A256GCM) under a key only
 * the catalogue has, with an expiry and a purpose, so a login-state cookie cannot pass as a session.
 */
export class CookieSealer {
  private readonly key: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error('the session key must be 32 bytes');
    this.key = key;
  }

  static async open(settingValue: string | undefined, path: string): Promise<CookieSealer> {
    if (settingValue) return new CookieSealer(Buffer.from(settingValue, 'base64url'));
    try {
      return new CookieSealer(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read the session key ${path}: ${(err as Error).message}`);
    }
    const key = randomBytes(32);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, key.toString('base64url'), { mode: 0o600 });
    await rename(tmp, path);
    return new CookieSealer(key);
  }

  seal(purpose: 'session', value: Session, ttlSeconds: number): Promise<string>;
  seal(purpose: 'login', value: LoginState, ttlSeconds: number): Promise<string>;
  async seal(purpose: Purpose, value: Session | LoginState, ttlSeconds: number): Promise<string> {
    return new EncryptJWT({ purpose, value: value as unknown as Record<string, unknown> })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .encrypt(this.key);
  }

  open(purpose: 'session', sealed: string | undefined): Promise<Session | undefined>;
  open(purpose: 'login', sealed: string | undefined): Promise<LoginState | undefined>;
  async open(purpose: Purpose, sealed: string | undefined): Promise<Session | LoginState | undefined> {
    if (!sealed) return undefined;
    try {
      const { payload } = await jwtDecrypt(sealed, this.key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      return payload.purpose === purpose ? (payload.value as Session | LoginState) : undefined;
    } catch {
      // Expired, tampered with, or sealed under another key: the same as no cookie.
      return undefined;
    }
  }
}
