import type { EndReason } from './end-reason.ts';
import type { SharingEventType } from './sharing-event.ts';

/**
 * What the index stores. The patient appears only as a keyed pseudonym and the provider's local
 * patient id only sealed (encrypted); see pseudonym.ts for why each is kept that way.
 */

/** One entry per patient, care provider and registering system: the business key. */
export interface EntryKey {
  /** HMAC-SHA-256 pseudonym of the patient's national identifier, 64 lowercase hex digits. */
  readonly pseudonym: string;
  /** The care provider's HSA-id. */
  readonly careProvider: string;
  /** The registering system as sharing-event.ts normalises it. */
  readonly system: string;
}

export type EntryState = 'active' | 'ended';

/** A sharing event as the index keeps it: pseudonymised, sealed and fingerprinted. */
export interface IndexEvent extends EntryKey {
  /** Which pseudonym key made `pseudonym`, `digest` and `localPatient`, so keys can rotate. */
  readonly keyId: string;
  readonly eventType: SharingEventType;
  /** ISO 8601 UTC, to the millisecond. */
  readonly occurredAt: string;
  readonly endReason?: EndReason;
  /** The provider's local patient identifier, sealed with AES-256-GCM to this entry's key. */
  readonly localPatient?: Buffer;
  /** Keyed fingerprint of everything the event says: the same event always has the same digest. */
  readonly digest: string;
}

/** The current state of one entry: the event that won under PDI-R2, reduced to what a lookup needs. */
export interface IndexEntry extends EntryKey {
  readonly keyId: string;
  readonly state: EntryState;
  readonly occurredAt: string;
  /** Only on an ended entry. */
  readonly endReason?: EndReason;
  /** Only on an active entry: an ended entry keeps no more about the patient than it must. */
  readonly localPatient?: Buffer;
  /** The digest of the event the entry now reflects. */
  readonly digest: string;
}

export function entryKeyOf(key: EntryKey): string {
  return `${key.pseudonym}|${key.careProvider}|${key.system}`;
}

export function sameEntryKey(a: EntryKey, b: EntryKey): boolean {
  return a.pseudonym === b.pseudonym && a.careProvider === b.careProvider && a.system === b.system;
}
