import { entryKeyOf, type EntryKey, type IndexEvent } from './index-entry.ts';
import type { Identifier, Pseudonymiser } from './pseudonym.ts';
import type { SharingEvent } from './sharing-event.ts';

/**
 * Turns a checked sharing event into what the index stores (PDI-R9): the national identifier
 * becomes its pseudonym here, before anything reaches the store, so the store never sees it.
 */
export function toIndexEvent(event: SharingEvent, pseudonymiser: Pseudonymiser): IndexEvent {
  const key: EntryKey = { pseudonym: pseudonymiser.pseudonym(event.patient), careProvider: event.careProvider, system: event.system };
  const local = event.localPatient ? `${event.localPatient.system}|${event.localPatient.value}` : '';
  // Everything the event says, so that two reports of one event share a digest (PDI-R1) and two
  // different events never do.
  const digest = pseudonymiser.digest([key.pseudonym, key.careProvider, key.system, event.eventType, event.occurredAt, event.endReason ?? '', local]);
  return {
    ...key,
    keyId: pseudonymiser.keyId,
    eventType: event.eventType,
    occurredAt: event.occurredAt,
    ...(event.endReason ? { endReason: event.endReason } : {}),
    ...(event.localPatient ? { localPatient: pseudonymiser.seal(local, entryKeyOf(key)) } : {}),
    digest,
  };
}

/** The provider's local patient identifier of an entry or event, if it has one. */
export function openLocalPatient(row: EntryKey & { readonly localPatient?: Uint8Array }, pseudonymiser: Pseudonymiser): Identifier | undefined {
  if (row.localPatient === undefined) return undefined;
  const plain = pseudonymiser.open(row.localPatient, entryKeyOf(row));
  const bar = plain.indexOf('|');
  return { system: plain.slice(0, bar), value: plain.slice(bar + 1) };
}
