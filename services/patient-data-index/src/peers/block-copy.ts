import type { Consent } from '@medplum/fhirtypes';
import { LocalBlockService, parseDecide, type CopyPrivacy, type DecisionPolicy } from '@ndi-mesh/consent-registry/local';
import type { Db, FederatedClient, Logger } from '@ndi-mesh/kernel';
import type { Pseudonymiser } from '../domain/pseudonym.ts';
import { decideParameters, type ConsentClient, type DecideQuestion } from './consent-client.ts';
import { peerUnavailable } from './peer-error.ts';

export interface BlockCopyOptions {
  readonly db: Db;
  /** NSF's FHIR base, e.g. `http://127.0.0.1:8083/fhir`. */
  readonly nationalBase: string;
  readonly client: () => FederatedClient;
  readonly policy: DecisionPolicy;
  readonly pseudonymiser: Pseudonymiser;
  /** The authoritative path, for the rare question whose answer carries obligations (break-glass). */
  readonly registry: ConsentClient;
  /** The rest-hook NSF pushes to: known once the index listens, so asked for when needed. */
  readonly endpoint: () => string;
  /**
   * Whether the index holds its national-service trust mark yet. The copy does not call NSF before:
   * NSF would resolve (and cache) a trust chain without the mark and refuse the index until the
   * cache expired.
   */
  readonly enrolled: () => Promise<boolean>;
  /** How often the copy reads NSF's change feed even without a push (belt and braces for lost pushes). */
  readonly catchUpMs: number;
  readonly logger: Logger;
}

const PEER = 'the consent registry';

/**
 * The index's copy of the national block register (PDI-L2): every block, opt-out and revoke,
 * kept current by NSF's rest-hook pushes and its `Consent/$changes` feed through the consent
 * registry's own LocalBlockService (NSF-R16), and decided with the registry's own `decideAsked`,
 * so `$locate` filters in-process instead of making a national call per lookup. Kept as the index
 * keeps everything (PDI-R9): filed under the patient's keyed pseudonym, each Consent sealed.
 *
 * A push is taken as a wake-up only: the copy then reads the feed from NSF itself, so only what
 * NSF serves to the index's own authenticated call ever enters it. Until the first catch-up has
 * completed after a start the copy answers nothing (503, fail closed); after that it keeps
 * deciding from what it holds while NSF is unreachable, like every local block service.
 */
export class BlockCopy {
  readonly #o: BlockCopyOptions;
  readonly #local: LocalBlockService;
  #synced: Date | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: BlockCopyOptions) {
    this.#o = options;
    this.#local = new LocalBlockService({
      db: options.db,
      nationalBase: options.nationalBase,
      client: options.client,
      policy: options.policy,
      privacy: sealedCopy(options.pseudonymiser),
      logger: options.logger,
      pageSize: 1000,
    });
  }

  /** Creates the copy's tables in the index's schema (idempotent). */
  migrate(): Promise<void> {
    return this.#local.migrate();
  }

  /** When the copy last caught up with NSF, or undefined before the first time since start. */
  get syncedAt(): Date | undefined {
    return this.#synced;
  }

  /** Subscribes (or, after a restart, catches up), retrying with backoff until NSF answers; then reads the feed every catchUpMs. */
  start(): void {
    let delay = 250;
    const attempt = async (): Promise<void> => {
      if (this.#stopped) return;
      try {
        if (!(await this.#o.enrolled())) throw new Error('the index does not hold its national-service trust mark yet');
        const { applied } = await this.#local.ensureSubscribed(this.#o.endpoint());
        this.#synced = new Date();
        this.#o.logger.info({ applied }, 'block copy current with the consent registry');
        this.#schedule();
      } catch (err) {
        this.#o.logger.warn(
          { err: (err as Error).message, retryMs: delay },
          'block copy: the consent registry cannot be reached yet; $locate answers 503 until it can',
        );
        this.#timer = setTimeout(() => void attempt(), delay);
        delay = Math.min(delay * 2, 10_000);
      }
    };
    this.#timer = setTimeout(() => void attempt(), 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#local.idle();
  }

  /** Reads NSF's feed to its end (LocalBlockService.sync: concurrent calls fold into one more read). */
  async sync(): Promise<void> {
    await this.#local.sync();
    this.#synced = new Date();
  }

  /**
   * One boolean per record, in order: true where the patient's blocks permit. Decided from the copy;
   * a permit that carries obligations (a release under break-glass, NSF-R13: audited, told to the
   * patient, put on the owner's follow-up list) is asked of NSF itself, which records them.
   */
  async decide(question: DecideQuestion): Promise<boolean[]> {
    if (question.records.length === 0) return [];
    if (!this.#synced) throw peerUnavailable(PEER, 'the copy of the block register has not caught up since the index started');
    // The question goes through C3's own parser, so the copy decides exactly what $decide would
    // be asked (defaults such as an unknown accessor included), at the price of a re-validation.
    const decisions = await this.#local.decide(parseDecide(decideParameters(question)));
    if (decisions.some((d) => d.effect === 'permit' && d.obligations.length > 0)) return this.#o.registry.decide(question);
    return decisions.map((d) => d.effect === 'permit');
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.sync()
        .catch((err: Error) => this.#o.logger.warn({ err: err.message, syncedAt: this.#synced }, 'block copy: catching up failed; deciding from the copy'))
        .finally(() => this.#schedule());
    }, this.#o.catchUpMs);
    this.#timer.unref();
  }
}

/** PDI-R9 for the copy: blocks filed under the patient's pseudonym, each Consent sealed and bound to its id. */
export function sealedCopy(p: Pseudonymiser): CopyPrivacy {
  const context = (id: string) => `block-copy ${id}`;
  return {
    patientKey: (patient) => p.pseudonym(patient),
    seal: (consent) => p.seal(JSON.stringify(consent), context(consent.id!)),
    open: (sealed, id) => JSON.parse(p.open(sealed, context(id))) as Consent,
  };
}
