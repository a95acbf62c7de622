import type { Bundle, Consent, Subscription } from '@medplum/fhirtypes';
import { enqueue, OutboxDispatcher, type Db, type FederatedClient, type Logger, type OutboxMessage } from '@ndi-mesh/kernel';
import { recipientsOf } from '../fhir/consent-revoke.ts';
import { subscriberNeeds, subscriberOwner } from '../fhir/subscription-criteria.ts';
import { appendChange, consentVersion } from '../store/changes.ts';

/** The media type a notification is sent as. */
export const NOTIFY_TOPIC = 'consent.notify';

interface NotifyPayload {
  readonly subscription: string;
  readonly consentId: string;
  readonly versionId: number;
}

/**
 * NSF distribution, driven by the transactional outbox. A stored Consent version (kernel topic
 * `resource.changed`) is appended to the change feed and fanned out into one `consent.notify`
 * message per subscriber that needs it (its own blocks and every general block, NSF-R16), in one
 * transaction, so a crash in between repeats nothing and loses nothing. Each notify message is
 * then delivered to its subscriber's rest-hook with retries and backoff, independently of the
 * others; a subscriber that is down falls behind and catches up with `$changes`.
 */
export class Distributor {
  readonly dispatcher: OutboxDispatcher;
  private readonly db: Db;
  private readonly client: () => FederatedClient | undefined;

  constructor(db: Db, client: () => FederatedClient | undefined, logger: Logger, pollMs = 500) {
    this.db = db;
    this.client = client;
    this.dispatcher = new OutboxDispatcher(
      db,
      { 'resource.changed': (m) => this.fanOut(m), [NOTIFY_TOPIC]: (m) => this.deliver(m) },
      {
        pollMs,
        backoffMs: (attempt) => Math.min(250 * 2 ** (attempt - 1), 60_000),
        onError: (m, err) =>
          logger.warn(
            { topic: m.topic, id: m.id, attempts: m.attempts + 1, err: String((err as Error).message ?? err) },
            'block distribution failed; will retry',
          ),
      },
    );
  }

  start(): void {
    this.dispatcher.start();
  }

  stop(): Promise<void> {
    return this.dispatcher.stop();
  }

  /** Delivers everything that is due now, for tests and for a graceful stop. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.dispatcher.drain();
      total += n;
      if (n === 0) return total;
    }
  }

  private async fanOut(message: OutboxMessage): Promise<void> {
    const change = message.payload as { resourceType?: string; id?: string; versionId?: number };
    if (change.resourceType !== 'Consent' || !change.id || !change.versionId) return;
    await this.db.transaction(async (tx) => {
      const consent = await consentVersion(tx, change.id!, change.versionId!);
      if (!consent) return;
      const recipients = recipientsOf(consent);
      // Nothing appended: this version was fanned out before (the outbox delivers at least once).
      if ((await appendChange(tx, change.id!, change.versionId!, recipients)) === 0) return;
      for (const sub of await activeSubscriptions(tx)) {
        if (subscriberNeeds(subscriberOwner(sub.criteria), recipients))
          await enqueue(tx, NOTIFY_TOPIC, { subscription: sub.id!, consentId: change.id!, versionId: change.versionId! } satisfies NotifyPayload);
      }
    });
  }

  private async deliver(message: OutboxMessage): Promise<void> {
    const p = message.payload as NotifyPayload;
    const { rows } = await this.db.query<{ content: Subscription }>(`SELECT content FROM res_subscription WHERE id = $1 AND NOT deleted`, [p.subscription]);
    const sub = rows[0]?.content;
    if (!sub || sub.status !== 'active' || !sub.channel.endpoint) return;
    const consent = await consentVersion(this.db, p.consentId, p.versionId);
    if (!consent) return;
    const client = this.client();
    if (!client) throw new Error('the consent registry has no federation client to deliver with');
    const res = await client.fetch(sub.channel.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', ...headersOf(sub) },
      body: JSON.stringify(notification(consent)),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`${sub.channel.endpoint} answered ${res.status}`);
  }
}

/** A notification carries the changed version itself (R4 rest-hook with a payload). */
export function notification(consent: Consent): Bundle {
  return { resourceType: 'Bundle', type: 'collection', timestamp: new Date().toISOString(), entry: [{ resource: consent }] };
}

async function activeSubscriptions(q: Pick<Db, 'query'>): Promise<Subscription[]> {
  const { rows } = await q.query<{ content: Subscription }>(`SELECT content FROM res_subscription WHERE NOT deleted AND content->>'status' = 'active'`);
  return rows.map((r) => r.content);
}

/** `channel.header` lines (`Name: value`), as R4 defines them; the authorization header is ours to set. */
function headersOf(sub: Subscription): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of sub.channel.header ?? []) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (name !== 'authorization' && name !== 'content-type') out[name] = line.slice(i + 1).trim();
  }
  return out;
}
