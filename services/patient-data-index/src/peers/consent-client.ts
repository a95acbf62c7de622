import type { Identifier, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM, type FederatedClient } from '@ndi-mesh/kernel';
import { callPeer, peerUnavailable } from './peer-error.ts';

/** C3's purposes. */
export type DecidePurpose = 'treatment' | 'emergency' | 'patient-access';
export type Accessor = 'patient' | 'guardian' | 'representative';

/** Who asks, as C3's `requester` part names them (HSA-ids). */
export interface Requester {
  readonly organisation: string;
  readonly careUnit?: string;
  readonly professional?: string;
  readonly role?: string;
}

export interface DecideRecord {
  /** The information owner: the care provider's HSA-id. */
  readonly owner: string;
  /** An information type code, or `all`. */
  readonly category: string;
}

export interface DecideQuestion {
  readonly patient: Identifier;
  readonly requester: Requester;
  readonly purpose: DecidePurpose;
  readonly accessor?: Accessor;
  readonly records: readonly DecideRecord[];
}

const PEER = 'the consent registry';

/**
 * Client of the consent registry's batch `$decide` (contract C3): one call per locate, one record
 * per care provider. The index calls as itself (its `national-service` trust mark, no basis of its
 * own); the requester travels in the question. Anything but a complete, well-formed answer throws
 * MESH-SRV-001, so a caller can never get data the registry did not permit.
 */
export class ConsentClient {
  readonly #base: string;
  readonly #client: FederatedClient;
  readonly #timeoutMs: number;

  constructor(options: { baseUrl: string; client: FederatedClient; timeoutMs: number }) {
    this.#base = options.baseUrl.replace(/\/$/, '');
    this.#client = options.client;
    this.#timeoutMs = options.timeoutMs;
  }

  /** One boolean per record, in order: true where the registry permits. */
  async decide(question: DecideQuestion): Promise<boolean[]> {
    if (question.records.length === 0) return [];
    const body = await callPeer(
      PEER,
      (signal) =>
        this.#client.fetch(`${this.#base}/fhir/$decide`, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
          body: JSON.stringify(decideParameters(question)),
          signal,
        }),
      this.#timeoutMs,
    );
    return parseDecisions(body, question.records.length);
  }
}

export function decideParameters(q: DecideQuestion): Parameters {
  const hsa = (value: string) => ({ system: HSA_ID_SYSTEM, value });
  const requester: ParametersParameter[] = [{ name: 'organization', valueIdentifier: hsa(q.requester.organisation) }];
  if (q.requester.careUnit) requester.push({ name: 'careUnit', valueIdentifier: hsa(q.requester.careUnit) });
  if (q.requester.professional) requester.push({ name: 'professional', valueIdentifier: hsa(q.requester.professional) });
  if (q.requester.role) requester.push({ name: 'role', valueCode: q.requester.role });
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { system: q.patient.system, value: q.patient.value } },
      { name: 'requester', part: requester },
      { name: 'purpose', valueCode: q.purpose },
      ...(q.accessor ? [{ name: 'accessor', valueCode: q.accessor }] : []),
      ...q.records.map((r) => ({
        name: 'record',
        part: [
          { name: 'owner', valueIdentifier: hsa(r.owner) },
          { name: 'category', valueCode: r.category },
        ],
      })),
    ],
  };
}

/** Exactly one permit or deny per record, each index once; anything else is not an answer. */
export function parseDecisions(body: unknown, count: number): boolean[] {
  const params = body as Parameters;
  if (params?.resourceType !== 'Parameters' || !Array.isArray(params.parameter)) throw peerUnavailable(PEER, 'the answer is not a Parameters resource');
  const out: (boolean | undefined)[] = Array.from({ length: count }, () => undefined);
  for (const p of params.parameter) {
    if (p.name !== 'decision') continue;
    const index = p.part?.find((x) => x.name === 'index')?.valueInteger;
    const result = p.part?.find((x) => x.name === 'result')?.valueCode;
    if (
      typeof index !== 'number' ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= count ||
      out[index] !== undefined ||
      (result !== 'permit' && result !== 'deny')
    )
      throw peerUnavailable(PEER, 'a decision is malformed, repeated or out of range');
    out[index] = result === 'permit';
  }
  if (out.some((d) => d === undefined)) throw peerUnavailable(PEER, `the answer does not decide every one of the ${count} records`);
  return out as boolean[];
}
