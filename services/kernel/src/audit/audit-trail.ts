import { FhirError } from '../errors/index.ts';
import type { ResourceType } from '../fhir/registry.ts';
import type { RequestContext } from '../http/context.ts';
import { assertNoOpenTransaction, type Db, type Queryable } from '../storage/db.ts';
import { buildAuditEvent, type AuditFacts } from './audit-event.ts';
import { auditRow, insertAuditRows, type AuditRow } from './audit-store.ts';

/** Rows in one group-committed INSERT. */
export const MAX_ROWS_PER_FLUSH = 64;

/**
 * Flushes running at once. Two were measured against one (open-loop arrivals at 500 to 8,000
 * reads/s on the bench machine) and lowered no latency percentile beyond the noise; at 6,000/s
 * they raised the median (more commits for the same rows), so one it is.
 */
const MAX_FLUSHES_IN_FLIGHT = 1;

interface Waiting {
  readonly row: AuditRow;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * A service's audit trail. Writes are audited in their own transaction (`write`), so the change
 * and its record commit together. Reads are audited before their answer is released
 * (`beforeRelease`) by group commit: the record is queued; when no flush is running the queue is
 * flushed at once, otherwise it joins the next flush, which stores up to 64 records in one
 * autocommitted multi-row INSERT. Each caller's promise settles when its flush has committed or
 * failed, so no answer leaves without a durable record of it, and a failed record means no answer.
 * One commit then serves many reads: a commit (the WAL flush and its round trips) is what a
 * read's audit costs, not the row.
 */
export class AuditTrail {
  private readonly db: Db;
  private readonly service: string;
  private readonly type: ResourceType;
  private queue: Waiting[] = [];
  private readonly flushing = new Set<Promise<void>>();
  private closed = false;

  constructor(db: Db, service: string, type: ResourceType) {
    this.db = db;
    this.service = service;
    this.type = type;
  }

  /** Writes one AuditEvent in the given transaction: for writes, and for everything inside a transaction Bundle. */
  async write(tx: Queryable, ctx: RequestContext, facts: AuditFacts): Promise<void> {
    await insertAuditRows(tx, this.type, [this.row(ctx, facts)]);
  }

  /**
   * Records a read: resolves once its AuditEvent has committed, rejects (with the database's
   * error) when the flush that carried it failed. Release the answer only after it resolves.
   */
  beforeRelease(ctx: RequestContext, facts: AuditFacts): Promise<void> {
    if (this.closed) return Promise.reject(new FhirError('MESH-SRV-001', 'The service is stopping; the read could not be audited, so it is not answered'));
    // Its flush takes a pooled connection: inside a transaction, audit with `write` instead.
    assertNoOpenTransaction('An audited read (beforeRelease)');
    const row = this.row(ctx, facts);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.pump();
    });
  }

  /** Stops taking reads and waits until every queued record has been flushed (call before the pool ends). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing.size > 0) await Promise.allSettled([...this.flushing]);
  }

  private row(ctx: RequestContext, facts: AuditFacts): AuditRow {
    return auditRow(buildAuditEvent(this.service, ctx.fhirBase, ctx.caller, facts));
  }

  /** Starts a flush of the queue's first records unless enough flushes run; each one's end starts the next. */
  private pump(): void {
    while (this.queue.length > 0 && this.flushing.size < MAX_FLUSHES_IN_FLIGHT) {
      const batch = this.queue.splice(0, MAX_ROWS_PER_FLUSH);
      const flush = this.flush(batch).finally(() => {
        this.flushing.delete(flush);
        this.pump();
      });
      this.flushing.add(flush);
    }
  }

  private async flush(batch: readonly Waiting[]): Promise<void> {
    try {
      await insertAuditRows(
        this.db,
        this.type,
        batch.map((w) => w.row),
      );
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) w.resolve();
  }
}
