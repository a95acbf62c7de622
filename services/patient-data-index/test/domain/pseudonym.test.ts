import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM } from '@ndi-mesh/kernel';
import { Pseudonymiser, PSEUDONYM_PATTERN } from '../../src/domain/pseudonym.ts';
import { loadPseudonymiser, PSEUDONYM_KEY_ENV, PSEUDONYM_KEY_FILE } from '../../src/domain/pseudonym-key.ts';
import { sharingEvent } from './fixtures.ts';

const secret = randomBytes(32);
const p = new Pseudonymiser(secret);
const patient = sharingEvent().patient;

describe('pseudonym', () => {
  test('is 64 lowercase hex digits, whatever the input', () => {
    for (const value of [patient.value, '1', 'x'.repeat(500)]) expect(p.pseudonym({ system: PERSONNUMMER_SYSTEM, value })).toMatch(PSEUDONYM_PATTERN);
  });

  test('is the same for the same identifier and key, different for another key, value or system', () => {
    const a = p.pseudonym(patient);
    expect(new Pseudonymiser(Buffer.from(secret)).pseudonym(patient)).toBe(a);
    expect(new Pseudonymiser(randomBytes(32)).pseudonym(patient)).not.toBe(a);
    expect(p.pseudonym({ ...patient, value: sharingEvent().patient.value })).not.toBe(a);
    expect(p.pseudonym({ system: SAMORDNINGSNUMMER_SYSTEM, value: patient.value })).not.toBe(a);
  });

  test('is keyed: it is not the plain SHA-256 of system|value', async () => {
    const { createHash } = await import('node:crypto');
    expect(p.pseudonym(patient)).not.toBe(createHash('sha256').update(`${patient.system}|${patient.value}`).digest('hex'));
  });

  test('a secret shorter than 32 bytes is refused', () => {
    expect(() => new Pseudonymiser(randomBytes(31))).toThrow(RangeError);
  });

  test('the key id names the key without revealing it and is stable', () => {
    expect(p.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(new Pseudonymiser(Buffer.from(secret)).keyId).toBe(p.keyId);
    expect(new Pseudonymiser(randomBytes(32)).keyId).not.toBe(p.keyId);
    expect(secret.toString('hex')).not.toContain(p.keyId);
  });
});

describe('digest', () => {
  test('fields are length-prefixed, so moving a separator changes the digest', () => {
    expect(p.digest(['a|b', 'c'])).not.toBe(p.digest(['a', 'b|c']));
    expect(p.digest(['ab', ''])).not.toBe(p.digest(['a', 'b']));
    expect(p.digest(['a', 'b'])).toBe(p.digest(['a', 'b']));
  });
});

describe('sealed local identifiers', () => {
  test('open to what was sealed, for the same row only', () => {
    const sealed = p.seal('urn:oid:1.2.3|MRN-1', 'row-1');
    expect(p.open(sealed, 'row-1')).toBe('urn:oid:1.2.3|MRN-1');
    expect(() => p.open(sealed, 'row-2')).toThrow();
  });

  test('two seals of one value differ (random nonce) and a tampered seal does not open', () => {
    const a = p.seal('MRN-1', 'row');
    expect(a.equals(p.seal('MRN-1', 'row'))).toBe(false);
    const tampered = Buffer.from(a);
    tampered[20] = tampered[20]! ^ 1;
    expect(() => p.open(tampered, 'row')).toThrow();
    expect(() => new Pseudonymiser(randomBytes(32)).open(a, 'row')).toThrow();
  });
});

describe('loadPseudonymiser: the key lives outside the database', () => {
  test(`${PSEUDONYM_KEY_ENV} wins when set`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pdi-key-'));
    const loaded = await loadPseudonymiser({ dataDir, env: { [PSEUDONYM_KEY_ENV]: secret.toString('base64') } });
    expect(loaded.source).toBe('environment');
    expect(loaded.pseudonymiser.pseudonym(patient)).toBe(p.pseudonym(patient));
    const url = await loadPseudonymiser({ dataDir, env: { [PSEUDONYM_KEY_ENV]: secret.toString('base64url') } });
    expect(url.pseudonymiser.keyId).toBe(p.keyId);
  });

  test(`a short or malformed ${PSEUDONYM_KEY_ENV} stops the start`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pdi-key-'));
    await expect(loadPseudonymiser({ dataDir, env: { [PSEUDONYM_KEY_ENV]: randomBytes(16).toString('base64') } })).rejects.toThrow(/at least 32/);
    await expect(loadPseudonymiser({ dataDir, env: { [PSEUDONYM_KEY_ENV]: 'not base64!' } })).rejects.toThrow(/base64/);
  });

  test('without it, a key file is generated on first start (mode 0600) and reused after', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'pdi-key-')), 'nested');
    const first = await loadPseudonymiser({ dataDir, env: {} });
    expect(first.source).toBe('generated');
    expect((await stat(join(dataDir, PSEUDONYM_KEY_FILE))).mode & 0o777).toBe(0o600);
    const second = await loadPseudonymiser({ dataDir, env: {} });
    expect(second.source).toBe('file');
    expect(second.pseudonymiser.pseudonym(patient)).toBe(first.pseudonymiser.pseudonym(patient));
  });

  test('replicas starting together agree on one key', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pdi-key-'));
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadPseudonymiser({ dataDir, env: {} })));
    expect(new Set(loaded.map((l) => l.pseudonymiser.keyId)).size).toBe(1);
    expect(loaded.filter((l) => l.source === 'generated').length).toBeLessThanOrEqual(1);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dataDir)).toEqual([PSEUDONYM_KEY_FILE]);
  });

  test('a damaged key file stops the start instead of being replaced', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pdi-key-'));
    await writeFile(join(dataDir, PSEUDONYM_KEY_FILE), 'c2hvcnQ=\n');
    await expect(loadPseudonymiser({ dataDir, env: {} })).rejects.toThrow(/at least 32/);
    expect(await readFile(join(dataDir, PSEUDONYM_KEY_FILE), 'utf8')).toBe('c2hvcnQ=\n');
  });
});
