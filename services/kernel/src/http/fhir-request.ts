import type { Resource } from '@medplum/fhirtypes';
import type { RequestContext } from './context.ts';
import type { AuditFacts } from '../audit/audit-event.ts';
import type { Tx } from '../storage/db.ts';

/** A FHIR interaction as the router sees it: from HTTP, or from an entry of a batch Bundle. */
export interface FhirRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  /** Path below the FHIR base, split into segments: `['Organization', '123']`. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly body?: unknown;
  readonly ifMatch?: string;
  readonly ifNoneExist?: string;
  readonly prefer?: string;
}

export interface FhirResponse {
  readonly status: number;
  readonly body?: Resource;
  readonly headers?: Record<string, string>;
  /** A body that is not FHIR JSON (e.g. a signed JWT), sent as it is with its media type. */
  readonly raw?: { readonly contentType: string; readonly body: string };
}

/**
 * What an operation handler gets: the request, its context, and the open transaction (its own or
 * a transaction Bundle's), or the pool for a `readOnly` operation.
 */
export interface OperationInput {
  readonly ctx: RequestContext;
  readonly request: FhirRequest;
  readonly tx: Tx;
  /**
   * Records a read the operation answers: in the transaction it holds, or, for a `readOnly`
   * operation, by group commit, resolved once the record has committed
   * (`AuditTrail.beforeRelease`): release the answer after it.
   */
  readonly auditRead: (facts: AuditFacts) => Promise<void>;
  /**
   * Runs `fn` in the transaction the operation already holds (a Bundle's, or its own), or, for a
   * `readOnly` operation, in a new one: never a second pooled connection while one is held.
   */
  readonly transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  /** For instance-level operations. */
  readonly id?: string;
  readonly resourceType?: string;
}

export interface OperationDef {
  /** Without the `$`, e.g. `locate`. */
  readonly name: string;
  readonly level: 'system' | 'type' | 'instance';
  readonly resourceType?: string;
  /** GET is allowed only for operations that change nothing. */
  readonly affectsState: boolean;
  /**
   * Writes nothing through `tx`: the handler runs on the pool, outside a transaction (saves
   * BEGIN/COMMIT on hot paths). It audits reads with `auditRead`, and writes anything it must
   * through `transaction`. A transaction Bundle refuses it (MESH-FHIR-011); a batch Bundle runs it.
   */
  readonly readOnly?: boolean;
  readonly handler: (input: OperationInput) => Promise<FhirResponse>;
  /** Canonical URL of its OperationDefinition. */
  readonly definition?: string;
  readonly documentation?: string;
}
