import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Bundle, Consent } from '@medplum/fhirtypes';
import { enqueue, migrate, OutboxDispatcher, PURPOSE, type BasisInput, type Db, type FederatedClient, type Logger } from '@ndi-mesh/kernel';
import { decideAsked } from '../decide-asked.ts';
import { validateBlock, type Block, type Decision, type DecisionPolicy } from '../domain/index.ts';
import { blockToConsent, consentToBlock } from '../fhir/consent-block.ts';
import { splitConsents } from '../fhir/consent-revoke.ts';
import type { DecideInput } from '../fhir/decide-parameters.ts';
import {
  activeLocalConsents,
  applyVersion,
  putPending,
  readCursor,
  readSubscription,
  writeCursor,
  writeSubscription,
  type CopyPrivacy,
} from './local-store.ts';

export const LOCAL_MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));
const UPLOAD_TOPIC = 'local-block.upload';
/** The identifier system of blocks registered at a provider: a URN, unique wherever the block travels. */
export const LOCAL_BLOCK_ID_SYSTEM = 'urn:ietf:rfc:3986';

export interface LocalBlockServiceOptions {
  /** The host's own schema (kernel openDb); the kernel's migrations (outbox) must be applied there. */
  readonly db: Db;
  /**
   * The care provider (HSA-id) whose data this copy guards: it receives that provider's blocks and
   * the general ones. Absent for a national service's copy of every block (the patient data index),
   * which calls NSF on its own behalf (its national-service trust mark, no basis).
   */
  readonly organisation?: string;
  /** How blocks are kept at rest; absent: under the patient's identifier, as JSON (see CopyPrivacy). */
  readonly privacy?: CopyPrivacy;
  /** NSF's FHIR base, e.g. `https://nsf.example.se/fhir`. */
  readonly nationalBase: string;
  /** The host's federation client: calls to NSF carry the host's own token. */
  readonly client: () => FederatedClient;
  readonly policy: DecisionPolicy;
  readonly logger?: Logger;
  readonly pageSize?: number;
}

/**
 * A care provider's local block service (seed 001 §5.3.2, "Vårdgivares spärrhantering"; NSF-R16):
 * a copy of the blocks on the provider's own data and every general block, kept in the provider's
 * own PostgreSQL schema, fed by NSF's rest-hook pushes and, after any gap, by the cursor-based
 * catch-up; it decides with the same domain `decide` as NSF, so it keeps answering while NSF is
 * down. Blocks registered at the provider take effect here at once and are sent up to NSF
 * through the host's transactional outbox, retried until NSF has them.
 */
export class LocalBlockService {
  private readonly o: LocalBlockServiceOptions;
  private readonly uploads: OutboxDispatcher;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(options: LocalBlockServiceOptions) {
    this.o = options;
    this.uploads = new OutboxDispatcher(
      options.db,
      { [UPLOAD_TOPIC]: (m) => this.upload(m.payload as Consent) },
      {
        pollMs: 500,
        backoffMs: (n) => Math.min(250 * 2 ** (n - 1), 30_000),
        onError: (m, err) => options.logger?.warn({ id: m.id, err: String((err as Error).message ?? err) }, 'sending a local block to NSF failed; will retry'),
      },
    );
  }

  /** Creates the local tables (idempotent, under the kernel's migration lock). */
  async migrate(): Promise<void> {
    await migrate(this.o.db, [{ name: 'local-blocks', dir: LOCAL_MIGRATIONS }]);
  }

  /** Starts sending blocks registered here up to NSF. */
  start(): void {
    this.uploads.start();
  }

  stop(): Promise<void> {
    return this.uploads.stop();
  }

  private get basis(): BasisInput | undefined {
    return this.o.organisation ? { organisation: { hsaId: this.o.organisation }, purposeOfUse: PURPOSE.administration } : undefined;
  }

  /**
   * Subscribes the first time (remembering the Subscription's id in the copy's own tables), and on
   * every later start only catches up: NSF keeps pushing to the registered endpoint meanwhile.
   */
  async ensureSubscribed(endpoint: string): Promise<{ subscription: string; applied: number }> {
    const stored = await readSubscription(this.o.db, this.o.nationalBase);
    // Started at another address: move the Subscription there (pushes still queued at NSF follow it).
    const moved = stored !== undefined && stored.endpoint !== endpoint && (await this.moveSubscription(stored.id, endpoint));
    if (stored && (stored.endpoint === endpoint || moved)) {
      if (moved) await writeSubscription(this.o.db, this.o.nationalBase, stored.id, endpoint);
      const { applied } = await this.catchUp();
      return { subscription: stored.id, applied };
    }
    // None yet, or NSF no longer has it: subscribe (which catches up too).
    const subscription = await this.subscribe(endpoint);
    await writeSubscription(this.o.db, this.o.nationalBase, subscription, endpoint);
    return { subscription, applied: 0 };
  }

  /** Points the Subscription at `endpoint`; false when NSF no longer has it (then subscribe again). */
  private async moveSubscription(id: string, endpoint: string): Promise<boolean> {
    const res = await this.o.client().fetch(`${this.o.nationalBase}/Subscription/${encodeURIComponent(id)}`, {
      method: 'PUT',
      basis: this.basis,
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...this.subscriptionResource(endpoint), id, status: 'active' }),
    });
    const text = await res.text();
    if (res.status === 404 || res.status === 410) return false;
    if (!res.ok) throw new Error(`NSF refused to move the subscription (${res.status}): ${text.slice(0, 300)}`);
    return true;
  }

  private subscriptionResource(endpoint: string) {
    return {
      resourceType: 'Subscription',
      status: 'requested',
      reason: this.o.organisation ? `Local block service of ${this.o.organisation}` : 'National copy of every block',
      criteria: this.o.organisation ? `Consent?owner=${this.o.organisation}` : 'Consent',
      channel: { type: 'rest-hook', endpoint, payload: 'application/fhir+json' },
    };
  }

  /** Registers for NSF's pushes to `endpoint` (rest-hook), then catches up on what happened before. */
  async subscribe(endpoint: string): Promise<string> {
    const res = await this.o.client().fetch(`${this.o.nationalBase}/Subscription`, {
      method: 'POST',
      basis: this.basis,
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(this.subscriptionResource(endpoint)),
    });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 201 || !body.id) throw new Error(`NSF refused the subscription (${res.status}): ${JSON.stringify(body)}`);
    await this.catchUp();
    return body.id;
  }

  /**
   * What a push from NSF sets off: a read of NSF's feed. The pushed Bundle itself is not applied,
   * so only what NSF serves to this copy's own authenticated call ever enters it (a push from any
   * other national service cannot forge or cancel a block). Calls while a read runs are folded
   * into one more read after it, so a burst of pushes costs two reads, and each caller returns once
   * what it was woken for is in.
   */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.again = false;
          await this.catchUp();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    };
    this.running = run();
    return this.running;
  }

  /** Resolves when no read of the feed is running (a graceful stop waits for it). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /**
   * Reads NSF's change feed from the stored cursor to its end, page by page; each page and the
   * cursor after it commit together, so an interrupted catch-up resumes where it stopped.
   * Returns the versions applied; throws when NSF cannot be reached (the copy keeps deciding).
   */
  async catchUp(): Promise<{ applied: number; cursor: number }> {
    let applied = 0;
    let cursor = await readCursor(this.o.db, this.o.nationalBase);
    const count = this.o.pageSize ?? 500;
    for (;;) {
      const res = await this.o.client().fetch(`${this.o.nationalBase}/Consent/$changes?since=${cursor}&_count=${count}`, { basis: this.basis });
      if (!res.ok) throw new Error(`NSF $changes answered ${res.status}: ${await res.text()}`);
      const page = (await res.json()) as Bundle<Consent>;
      const next = Number(new URL(page.link?.find((l) => l.relation === 'next')?.url ?? 'http://x/?since=0').searchParams.get('since'));
      const entries = page.entry ?? [];
      await this.o.db.transaction(async (tx) => {
        for (const e of entries) if (e.resource && (await applyVersion(tx, e.resource, this.o.privacy))) applied++;
        if (next > cursor) await writeCursor(tx, this.o.nationalBase, next);
      });
      if (entries.length < count || next <= cursor) return { applied, cursor: Math.max(next, cursor) };
      cursor = next;
    }
  }

  /**
   * Registers a block at the provider (its own data, or a general block on the patient's
   * request): checked with the same rules as NSF, in force here at once, and queued for NSF in the
   * same transaction, so it is sent up even if the process stops right after.
   */
  async register(block: Omit<Block, 'id' | 'status'>): Promise<Consent> {
    const localId = `local-${randomUUID()}`;
    validateBlock({ ...block, id: localId, status: 'active' });
    const consent: Consent = {
      ...blockToConsent({ ...block, id: localId, status: 'active' }),
      identifier: [{ system: LOCAL_BLOCK_ID_SYSTEM, value: `urn:uuid:${localId.slice(6)}` }],
    };
    await this.o.db.transaction(async (tx) => {
      await putPending(tx, localId, { ...consent, id: localId }, this.o.privacy);
      await enqueue(tx, UPLOAD_TOPIC, consent);
    });
    return { ...consent, id: localId };
  }

  /** The local decision, with the same domain function as NSF's `$decide` (NSF-R16). */
  async decide(input: DecideInput, now: number = Date.now()): Promise<Decision[]> {
    // Revokes arrive through the same feed as blocks (owner all-providers), so the copy lifts locally too.
    const { blocks, revokes } = splitConsents(await activeLocalConsents(this.o.db, input.patient, this.o.privacy));
    return decideAsked(input, blocks, revokes, this.o.policy, now);
  }

  /** Delivers queued registrations now (tests; a graceful stop). */
  drainUploads(): Promise<number> {
    return this.uploads.drain();
  }

  private async upload(consent: Consent): Promise<void> {
    const id = consent.identifier![0]!;
    const res = await this.o.client().fetch(`${this.o.nationalBase}/Consent`, {
      method: 'POST',
      basis: this.basis,
      // Idempotent: a retry after a lost answer finds the block NSF already has.
      headers: {
        'content-type': 'application/fhir+json',
        'if-none-exist': `identifier=${encodeURIComponent(`${id.system}|${id.value}`)}`,
        prefer: 'return=minimal',
      },
      body: JSON.stringify(consent),
    });
    const text = await res.text();
    if (res.status >= 500 || res.status === 401 || res.status === 429) throw new Error(`NSF answered ${res.status}`);
    // A refusal (4xx) will not change on retry: the block stays local, and the log says why.
    if (!res.ok) this.o.logger?.error({ status: res.status, body: text.slice(0, 500) }, 'NSF refused a block registered here');
  }
}
