import type { Queryable, Tx } from '@ndi-mesh/kernel';
import type { EndReason } from '../domain/end-reason.ts';
import { entryKeyOf, type EntryState, type IndexEntry, type IndexEvent } from '../domain/index-entry.ts';
import { planBatch, type EventOutcome } from '../domain/index-rules.ts';
import type { SharingEventType } from '../domain/sharing-event.ts';

/**
 * The index's SQL. Rows cross this boundary with pseudonyms and digests as hex and sealed local
 * identifiers as bytes; nothing here sees a national identifier (toIndexEvent made them).
 */

/** A stored entry, as a lookup returns it. */
export interface StoredEntry extends IndexEntry {
  readonly updatedAt: string;
}

/** A stored history event. */
export interface StoredEvent extends IndexEvent {
  readonly outcome: 'applied' | 'superseded';
  readonly receivedAt: string;
}

export interface ApplyResult {
  /** One per input event, in input order. */
  readonly outcomes: readonly EventOutcome[];
}

// Transaction-level advisory locks in a key space of their own: the two-integer form never
// meets the single-bigint locks (the kernel's migration lock) and this class id is ours.
const LOCK_CLASS = 0x50444931; // 'PDI1'

/**
 * Applies a batch of events (PDI-R1, R2, R7) in the caller's transaction, in four statements
 * whatever the batch size: lock the batch's patients, read their entries, read which of the
 * batch's digests the history already holds, then write history and entries in one statement.
 *
 * The lock is what makes concurrent batches safe: two batches touching the same patient
 * serialise on it (in ascending order, so they cannot deadlock), and the second reads what the
 * first committed. The rules themselves run once, in planBatch, not again in SQL. Call it once
 * per transaction: a second call in the same transaction could take locks out of order.
 */
export async function applyEvents(tx: Tx, events: readonly IndexEvent[]): Promise<ApplyResult> {
  if (events.length === 0) return { outcomes: [] };
  await tx.query('SELECT pg_advisory_xact_lock($1::int, k) FROM unnest($2::int[]) AS k', [LOCK_CLASS, lockKeys(events)]);

  const keys = uniqueBy(events, entryKeyOf);
  const current = await tx.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM index_entry e
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(p, c, s)
         ON e.pseudonym = decode(k.p, 'hex') AND e.care_provider = k.c AND e.registering_system = k.s`,
    [keys.map((e) => e.pseudonym), keys.map((e) => e.careProvider), keys.map((e) => e.system)],
  );
  const known = await tx.query<{ digest: string }>(
    `SELECT encode(h.digest, 'hex') AS digest FROM index_event h
       JOIN unnest($1::text[], $2::text[]) AS k(p, d) ON h.pseudonym = decode(k.p, 'hex') AND h.digest = decode(k.d, 'hex')`,
    [events.map((e) => e.pseudonym), events.map((e) => e.digest)],
  );

  const plan = planBatch(
    new Map(
      current.rows.map((row) => {
        const entry = toEntry(row);
        return [entryKeyOf(entry), entry];
      }),
    ),
    new Set(known.rows.map((r) => r.digest)),
    events,
  );
  if (plan.history.length === 0) return { outcomes: plan.outcomes };

  const h = plan.history;
  const n = plan.entries;
  await tx.query(
    `WITH history AS (
       INSERT INTO index_event (pseudonym, digest, key_id, care_provider, registering_system, event_type, occurred_at, end_reason, local_patient, outcome)
       SELECT decode(p, 'hex'), decode(d, 'hex'), k, c, s, t, o, r, decode(l, 'hex'), x
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::text[])
           AS v(p, d, k, c, s, t, o, r, l, x)
     )
     INSERT INTO index_entry AS e (pseudonym, care_provider, registering_system, key_id, state, occurred_at, end_reason, local_patient, digest, updated_at)
     SELECT decode(p, 'hex'), c, s, k, st, o, r, decode(l, 'hex'), decode(d, 'hex'), now()
       FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::timestamptz[], $17::text[], $18::text[], $19::text[])
         AS v(p, c, s, k, st, o, r, l, d)
     ON CONFLICT (pseudonym, care_provider, registering_system) DO UPDATE SET
       key_id = EXCLUDED.key_id, state = EXCLUDED.state, occurred_at = EXCLUDED.occurred_at, end_reason = EXCLUDED.end_reason,
       local_patient = EXCLUDED.local_patient, digest = EXCLUDED.digest, updated_at = EXCLUDED.updated_at`,
    [
      h.map((e) => e.pseudonym),
      h.map((e) => e.digest),
      h.map((e) => e.keyId),
      h.map((e) => e.careProvider),
      h.map((e) => e.system),
      h.map((e) => e.eventType),
      h.map((e) => e.occurredAt),
      h.map((e) => e.endReason ?? null),
      h.map((e) => hex(e.localPatient)),
      h.map((e) => e.outcome),
      n.map((e) => e.pseudonym),
      n.map((e) => e.careProvider),
      n.map((e) => e.system),
      n.map((e) => e.keyId),
      n.map((e) => e.state),
      n.map((e) => e.occurredAt),
      n.map((e) => e.endReason ?? null),
      n.map((e) => hex(e.localPatient)),
      n.map((e) => e.digest),
    ],
  );
  return { outcomes: plan.outcomes };
}

/** The lookup on $locate's hot path: the patient's active entries (PDI-R10), by the primary key's leading column. */
export async function entriesFor(q: Queryable, pseudonym: string): Promise<StoredEntry[]> {
  const { rows } = await q.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM index_entry e WHERE e.pseudonym = decode($1, 'hex') AND e.state = 'active'
      ORDER BY e.care_provider, e.registering_system`,
    [pseudonym],
  );
  return rows.map(toEntry);
}

/** Every entry of the patient, ended ones too: for the patient's own view and for support. */
export async function allEntriesFor(q: Queryable, pseudonym: string): Promise<StoredEntry[]> {
  const { rows } = await q.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM index_entry e WHERE e.pseudonym = decode($1, 'hex') ORDER BY e.care_provider, e.registering_system`,
    [pseudonym],
  );
  return rows.map(toEntry);
}

/** The patient's event history, oldest event first (by occurredAt, then arrival). */
export async function historyFor(q: Queryable, pseudonym: string): Promise<StoredEvent[]> {
  const { rows } = await q.query<EventRow>(
    `SELECT encode(h.pseudonym, 'hex') AS pseudonym, h.care_provider, h.registering_system, h.key_id, h.event_type, h.occurred_at,
            h.end_reason, h.local_patient, encode(h.digest, 'hex') AS digest, h.outcome, h.received_at
       FROM index_event h WHERE h.pseudonym = decode($1, 'hex') ORDER BY h.occurred_at, h.seq`,
    [pseudonym],
  );
  return rows.map((r) => ({
    pseudonym: r.pseudonym,
    careProvider: r.care_provider,
    system: r.registering_system,
    keyId: r.key_id,
    eventType: r.event_type,
    occurredAt: r.occurred_at,
    ...(r.end_reason ? { endReason: r.end_reason } : {}),
    ...(r.local_patient ? { localPatient: r.local_patient } : {}),
    digest: r.digest,
    outcome: r.outcome,
    receivedAt: r.received_at,
  }));
}

const ENTRY_COLUMNS = `encode(e.pseudonym, 'hex') AS pseudonym, e.care_provider, e.registering_system, e.key_id, e.state, e.occurred_at,
  e.end_reason, e.local_patient, encode(e.digest, 'hex') AS digest, e.updated_at`;

interface EntryRow {
  pseudonym: string;
  care_provider: string;
  registering_system: string;
  key_id: string;
  state: EntryState;
  occurred_at: string;
  end_reason: EndReason | null;
  local_patient: Buffer | null;
  digest: string;
  updated_at: string;
}

interface EventRow {
  pseudonym: string;
  care_provider: string;
  registering_system: string;
  key_id: string;
  event_type: SharingEventType;
  occurred_at: string;
  end_reason: EndReason | null;
  local_patient: Buffer | null;
  digest: string;
  outcome: 'applied' | 'superseded';
  received_at: string;
}

function toEntry(r: EntryRow): StoredEntry {
  return {
    pseudonym: r.pseudonym,
    careProvider: r.care_provider,
    system: r.registering_system,
    keyId: r.key_id,
    state: r.state,
    occurredAt: r.occurred_at,
    ...(r.end_reason ? { endReason: r.end_reason } : {}),
    ...(r.local_patient ? { localPatient: r.local_patient } : {}),
    digest: r.digest,
    updatedAt: r.updated_at,
  };
}

/** The first 32 bits of each distinct pseudonym (already uniformly random), ascending. */
function lockKeys(events: readonly IndexEvent[]): number[] {
  const keys = new Set(events.map((e) => Buffer.from(e.pseudonym.slice(0, 8), 'hex').readInt32BE(0)));
  return [...keys].sort((a, b) => a - b);
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

function hex(bytes: Uint8Array | undefined): string | null {
  return bytes === undefined ? null : Buffer.from(bytes).toString('hex');
}
