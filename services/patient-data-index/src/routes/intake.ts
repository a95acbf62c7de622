import type { Bundle, BundleEntry, Parameters } from '@medplum/fhirtypes';
import { FhirError, type OperationDef, type RequestContext } from '@ndi-mesh/kernel';
import { toIndexEvent } from '../domain/index-event.ts';
import type { EventOutcome } from '../domain/index-rules.ts';
import { admitBatch, type Admitted, type Refused } from '../domain/intake.ts';
import { parseSharingEvent } from '../domain/sharing-event.ts';
import type { PdiRuntime } from '../runtime.ts';
import { applyEvents } from '../store/index-store.ts';

/**
 * Event intake. `$sharing-event` takes one event; `$sharing-events` takes a Bundle of up to 1,000
 * (the same Bundle a client could send to the base as a FHIR batch) and applies the good ones in
 * one transaction with one applyEvents call, which is what makes bulk loads fast: the base's batch
 * runs a transaction, an authorisation check and an audit record per entry.
 */
export function intakeOperations(runtime: () => PdiRuntime): OperationDef[] {
  return [
    {
      name: 'sharing-event',
      level: 'system',
      affectsState: true,
      documentation: 'Report one sharing event (started or ended) as a Parameters resource. Idempotent (PDI-R1), order-tolerant (PDI-R2).',
      handler: async ({ ctx, request, tx }) => {
        const rt = runtime();
        const event = parseSharingEvent(request.body, { callerOrganisation: reporter(ctx), now: new Date() });
        const { outcomes } = await applyEvents(tx, [toIndexEvent(event, rt.pseudonymiser)]);
        await rt.audit(tx, ctx, { interaction: 'operation', action: 'C', outcome: 'success', description: `$sharing-event: ${outcomes[0]!.outcome}` });
        return { status: 200, body: outcomeParameters(outcomes[0]!) };
      },
    },
    {
      name: 'sharing-events',
      level: 'system',
      affectsState: true,
      documentation:
        'Report 1 to 1,000 sharing events at once: a Bundle (batch or collection) whose entries are $sharing-event Parameters. Answers a batch-response with one entry per event, in order (PDI-R6, PDI-R8).',
      handler: async ({ ctx, request, tx }) => {
        const rt = runtime();
        const entries = bundleEntries(request.body);
        const { admitted, refused } = admitBatch(
          entries.map((e) => e?.resource),
          { callerOrganisation: reporter(ctx), now: new Date() },
        );
        const wrongRequest = new Set(entries.flatMap((e, index) => (isEventRequest(e) ? [] : [index])));
        const good = admitted.filter((a) => !wrongRequest.has(a.index));
        const bad: Refused[] = [
          ...refused,
          ...[...wrongRequest].map((index) => ({
            index,
            error: new FhirError('MESH-OP-001', {
              diagnostics: 'an entry of $sharing-events is a POST of $sharing-event, or has no request',
              expression: 'request',
            }),
          })),
        ];
        const { outcomes } = good.length
          ? await applyEvents(
              tx,
              good.map((a) => toIndexEvent(a.event, rt.pseudonymiser)),
            )
          : { outcomes: [] };
        const counts = tally(outcomes, bad.length);
        await rt.audit(tx, ctx, { interaction: 'operation', action: 'C', outcome: 'success', description: `$sharing-events: ${counts}` });
        return { status: 200, body: batchResponse(entries.length, good, outcomes, bad) };
      },
    },
  ];
}

/** PDI-R3: the route policy required an organisation in the basis; the token endpoint tied it to the trust mark's HSA-id. */
function reporter(ctx: RequestContext): string {
  const org = ctx.caller.organisation?.hsaId;
  if (!org)
    throw new FhirError('MESH-AUTH-004', 'PDI-R3: a sharing event comes from a system acting for its care provider (organisation in the authorisation basis)');
  return org;
}

function bundleEntries(body: unknown): BundleEntry[] {
  const bundle = body as Bundle | undefined;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle')
    throw new FhirError('MESH-OP-001', {
      diagnostics: '$sharing-events takes a Bundle of type batch or collection whose entries are sharing events',
      expression: 'Bundle',
    });
  if (bundle.type !== 'batch' && bundle.type !== 'collection')
    throw new FhirError('MESH-OP-001', { diagnostics: `Bundle.type is batch or collection, not ${String(bundle.type)}`, expression: 'Bundle.type' });
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry))
    throw new FhirError('MESH-OP-001', { diagnostics: 'Bundle.entry is an array', expression: 'Bundle.entry' });
  return bundle.entry ?? [];
}

/** An entry may say what it is (a batch entry POSTing $sharing-event); if it says anything else, it is refused. */
function isEventRequest(entry: BundleEntry | undefined): boolean {
  const request = entry?.request;
  if (request === undefined) return true;
  return request.method === 'POST' && /^\/?\$sharing-event$/.test(request.url ?? '');
}

export function outcomeParameters(o: EventOutcome): Parameters {
  return { resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: o.outcome }, ...('rule' in o ? [{ name: 'rule', valueCode: o.rule }] : [])] };
}

function batchResponse(count: number, good: readonly Admitted[], outcomes: readonly EventOutcome[], bad: readonly Refused[]): Bundle {
  const entry = new Array<BundleEntry>(count);
  good.forEach((a, i) => {
    entry[a.index] = { resource: outcomeParameters(outcomes[i]!), response: { status: '200' } };
  });
  for (const r of bad) entry[r.index] = { response: { status: String(r.error.status), outcome: atEntry(r.error, r.index).toOperationOutcome() } };
  return { resourceType: 'Bundle', type: 'batch-response', entry };
}

/** The entry's refusal with its issues pointing into the request Bundle. */
function atEntry(err: FhirError, index: number): FhirError {
  const at = `Bundle.entry[${index}]`;
  return new FhirError(
    err.code,
    err.issues.map((i) => ({
      ...i,
      diagnostics: `${at}: ${i.diagnostics}`,
      expression:
        i.expression === 'request'
          ? `${at}.request`
          : i.expression
            ? `${at}.resource${i.expression.startsWith('Parameters') ? i.expression.slice('Parameters'.length) : `.${i.expression}`}`
            : at,
    })),
  );
}

function tally(outcomes: readonly EventOutcome[], refused: number): string {
  const n = (k: EventOutcome['outcome']) => outcomes.filter((o) => o.outcome === k).length;
  return `${n('applied')} applied, ${n('superseded')} superseded, ${n('duplicate')} duplicate, ${refused} refused`;
}
