import { randomBytes } from 'node:crypto';
import type { Parameters } from '@medplum/fhirtypes';
import { luhnCheckDigit, PERSONNUMMER_SYSTEM, seededRng, syntheticHsaId } from '@ndi-mesh/kernel';
import { toIndexEvent } from '../../src/domain/index-event.ts';
import type { IndexEvent } from '../../src/domain/index-entry.ts';
import { Pseudonymiser } from '../../src/domain/pseudonym.ts';
import { sharingEventParameters, type SharingEvent } from '../../src/domain/sharing-event.ts';

export { seededRng };

const rng = seededRng(20260301);
export const PROVIDER = syntheticHsaId('organisation', rng);
export const OTHER_PROVIDER = syntheticHsaId('organisation', rng);
export const EHR_SYSTEM = `urn:oid:1.2.752.129.2.1.4.1|${syntheticHsaId('system', rng, PROVIDER)}`;
export const LOCAL_SYSTEM = 'urn:oid:1.2.752.99999.1.1';
export const NOW = new Date('2026-03-01T12:00:00.000Z');

/**
 * Skatteverket's test personnummer that the kernel's generator draws from (born 1991–1993, birth
 * number 238 or 239: 2,192 of them), dealt out without replacement in a seeded order, so that no
 * two fixtures in a test file name the same patient by accident.
 */
const testPersonnummer: string[] = (() => {
  const all: string[] = [];
  for (let t = Date.UTC(1991, 0, 1); t < Date.UTC(1994, 0, 1); t += 86_400_000) {
    const d = new Date(t).toISOString();
    const yyyymmdd = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}`;
    for (const birthNumber of ['238', '239']) all.push(`${yyyymmdd}${birthNumber}${luhnCheckDigit(`${yyyymmdd.slice(2)}${birthNumber}`)}`);
  }
  const shuffle = seededRng(7);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
})();

export function nextPatient(): { system: string; value: string } {
  const value = testPersonnummer.pop();
  if (value === undefined) throw new Error('the test personnummer are used up in this file');
  return { system: PERSONNUMMER_SYSTEM, value };
}

export function newPseudonymiser(): Pseudonymiser {
  return new Pseudonymiser(randomBytes(32));
}

export function sharingEvent(overrides: Partial<SharingEvent> = {}): SharingEvent {
  return {
    patient: overrides.patient ?? nextPatient(),
    careProvider: PROVIDER,
    system: EHR_SYSTEM,
    eventType: 'started',
    occurredAt: '2026-02-01T08:00:00.000Z',
    ...overrides,
  };
}

export function parameters(overrides: Partial<SharingEvent> = {}): Parameters {
  return sharingEventParameters(sharingEvent(overrides));
}

export function indexEvent(p: Pseudonymiser, overrides: Partial<SharingEvent> = {}): IndexEvent {
  return toIndexEvent(sharingEvent(overrides), p);
}
