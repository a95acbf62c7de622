import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Keyed pseudonyms for the index (PDI-R9). The national identifier is never stored: the index
 * holds HMAC-SHA-256(key, `system|value`) instead, so a copy of the database alone does not say
 * who was treated where, and without the key nobody can test a guessed personnummer against it
 * (an unkeyed hash of a ~10^10 space falls to brute force in minutes). The Dutch localisation
 * index stores pseudonymised identifiers for the same reason.
 *
 * The provider's local patient identifier is personal data too, but unlike the national one the
 * index must give it back: a requester that finds an entry needs the id under which that provider
 * knows the patient. It is therefore sealed (AES-256-GCM, random nonce) rather than hashed, and the
 * seal is bound to its entry's key so a sealed value copied into another row does not open.
 *
 * One secret of at least 32 bytes feeds three keys derived with HKDF-SHA-256, one per purpose, so
 * no key serves two algorithms. The key id is derived too: stored beside every row, it lets a later
 * rotation tell rows made under the old key from the new without revealing either key.
 */
export const MIN_SECRET_BYTES = 32;

/** A pseudonym is always this: 64 lowercase hex digits. */
export const PSEUDONYM_PATTERN = /^[0-9a-f]{64}$/;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SEAL_VERSION = 1;

export interface Identifier {
  readonly system: string;
  readonly value: string;
}

export class Pseudonymiser {
  readonly keyId: string;
  // KeyObjects made once: given a Buffer, every HMAC or cipher would import the key again (a
  // measurable share of a $locate's CPU).
  readonly #pseudonymKey: KeyObject;
  readonly #digestKey: KeyObject;
  readonly #sealKey: KeyObject;
  #last = { input: '', pseudonym: '' };

  constructor(secret: Uint8Array) {
    if (secret.byteLength < MIN_SECRET_BYTES) throw new RangeError(`a pseudonym key has at least ${MIN_SECRET_BYTES} bytes (got ${secret.byteLength})`);
    const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `ndi-mesh pdi ${info}`, 32));
    this.#pseudonymKey = createSecretKey(derive('patient pseudonym'));
    this.#digestKey = createSecretKey(derive('event digest'));
    this.#sealKey = createSecretKey(derive('local identifier seal'));
    this.keyId = derive('key id').subarray(0, 8).toString('hex');
  }

  /** The patient's pseudonym: HMAC-SHA-256 of `system|value`, hex. */
  pseudonym(identifier: Identifier): string {
    const input = `${identifier.system}|${identifier.value}`;
    // A $locate asks twice (its entries, then its block copy): the last answer is kept.
    if (this.#last.input !== input) this.#last = { input, pseudonym: createHmac('sha256', this.#pseudonymKey).update(input, 'utf8').digest('hex') };
    return this.#last.pseudonym;
  }

  /**
   * A keyed fingerprint of a list of fields, hex. Each field is length-prefixed, so no two
   * different lists share an encoding. Keyed because the fields include the local identifier.
   */
  digest(fields: readonly string[]): string {
    const hmac = createHmac('sha256', this.#digestKey);
    for (const field of fields) hmac.update(`${Buffer.byteLength(field, 'utf8')}:${field};`, 'utf8');
    return hmac.digest('hex');
  }

  /** Seals `plaintext` for the row named by `context` (the entry key): version, nonce, ciphertext, tag. */
  seal(plaintext: string, context: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(SEAL_VERSION), nonce, body, cipher.getAuthTag()]);
  }

  /** Opens what seal() made for the same context; throws if it was made for another or altered. */
  open(sealed: Uint8Array, context: string): string {
    const buf = Buffer.from(sealed);
    if (buf.length < 1 + NONCE_BYTES + TAG_BYTES || buf[0] !== SEAL_VERSION) throw new Error('not a sealed value of this version');
    const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, buf.subarray(1, 1 + NONCE_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    return Buffer.concat([decipher.update(buf.subarray(1 + NONCE_BYTES, buf.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
