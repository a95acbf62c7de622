import type { Db, Tx } from './db.ts';

export interface OutboxMessage {
  readonly id: number;
  readonly topic: string;
  readonly payload: unknown;
  readonly attempts: number;
}

/** Leaves a message in the same transaction as the change it reports. */
export async function enqueue(tx: Tx, topic: string, payload: unknown): Promise<void> {
  // One round trip: the row, and a wake-up for dispatchers that PostgreSQL sends on commit.
  await tx.query(`WITH m AS (INSERT INTO outbox (topic, payload) VALUES ($1, $2)) SELECT pg_notify('outbox', $1)`, [topic, JSON.stringify(payload)]);
}

const DEFAULT_LEASE_MS = 60_000;

export type OutboxHandler = (message: OutboxMessage) => Promise<void>;

export interface DispatcherOptions {
  readonly pollMs?: number;
  readonly batchSize?: number;
  /**
   * How long claimed messages stay leased to this dispatcher (default 60 s): a message whose
   * delivery has not ended by then (the process stopped, or the batch ran long) is delivered again.
   */
  readonly leaseMs?: number;
  /** Delay before retry n (1-based): exponential, capped. */
  readonly backoffMs?: (attempt: number) => number;
  readonly onError?: (message: OutboxMessage, err: unknown) => void;
}

/**
 * Delivers outbox messages at least once. Due rows are claimed with one short statement that
 * leases them (`available_at` moves past the lease; FOR UPDATE SKIP LOCKED, so several replicas
 * share the work), then handed to the topic's handler with no transaction open: handlers call
 * other systems and use the pool themselves, and a transaction held across an HTTP call would pin
 * a connection and its row locks for as long as the slowest receiver takes. A delivery is marked
 * delivered when its handler returns; a failure schedules a retry with backoff and keeps the
 * error text. A process that stops mid-batch leaves its leased rows to be delivered again when
 * the lease runs out.
 */
export class OutboxDispatcher {
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  private readonly db: Db;
  private readonly handlers: Record<string, OutboxHandler>;
  private readonly options: DispatcherOptions;

  constructor(db: Db, handlers: Record<string, OutboxHandler>, options: DispatcherOptions = {}) {
    this.db = db;
    this.handlers = handlers;
    this.options = options;
  }

  start(): void {
    this.stopped = false;
    const tick = async () => {
      await this.drain().catch(() => undefined);
      if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs ?? 500);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** Delivers what is due now; returns how many were delivered. */
  async drain(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let delivered = 0;
    // One pass per drain: a message that failed now waits for its backoff and the next tick.
    let after = 0;
    try {
      for (;;) {
        const { rows } = await this.db.query<OutboxMessage>(
          `UPDATE outbox SET available_at = now() + ($4 || ' milliseconds')::interval
           WHERE id IN (SELECT id FROM outbox
                        WHERE delivered_at IS NULL AND available_at <= now() AND topic = ANY($1::text[]) AND id > $3
                        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING id, topic, payload, attempts`,
          [Object.keys(this.handlers), this.options.batchSize ?? 50, after, String(this.options.leaseMs ?? DEFAULT_LEASE_MS)],
        );
        if (rows.length === 0) return delivered;
        rows.sort((a, b) => a.id - b.id);
        after = rows.at(-1)!.id;
        for (const row of rows) {
          try {
            await this.handlers[row.topic]!(row);
            await this.db.query('UPDATE outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1', [row.id]);
            delivered++;
          } catch (err) {
            const attempt = row.attempts + 1;
            const wait = (this.options.backoffMs ?? defaultBackoff)(attempt);
            await this.db.query(`UPDATE outbox SET attempts = $2, last_error = $3, available_at = now() + ($4 || ' milliseconds')::interval WHERE id = $1`, [
              row.id,
              attempt,
              String((err as Error).message ?? err).slice(0, 2000),
              String(wait),
            ]);
            this.options.onError?.(row, err);
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}

function defaultBackoff(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), 5 * 60_000);
}
