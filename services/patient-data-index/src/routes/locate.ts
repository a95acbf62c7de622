import { FhirError, isFhirError, type OperationDef, type OperationInput } from '@ndi-mesh/kernel';
import { openLocalPatient } from '../domain/index-event.ts';
import { locateAccess } from '../domain/locate-rules.ts';
import { parseLocateQuery } from '../domain/locate-query.ts';
import { locateBundle, type LocatedEntry } from '../domain/read-model.ts';
import type { PdiRuntime } from '../runtime.ts';
import { entriesFor } from '../store/index-store.ts';

/**
 * `$locate` (PDI-L1 … L5): which care providers hold data about the patient, filtered by the
 * patient's blocks for this requester (the index's copy of the block register, decided with the
 * registry's own rules), each with the catalogue endpoints for the information type.
 */
export function locateOperation(runtime: () => PdiRuntime): OperationDef {
  return {
    name: 'locate',
    level: 'system',
    affectsState: false,
    readOnly: true,
    documentation:
      'GET $locate?patient=<system>|<value>[&information-type=<code>]: a searchset of DocumentReference (pdi-location), one per care provider system holding data the requester may see, with the catalogue Endpoints and Organizations included.',
    handler: async ({ ctx, request, tx, auditRead }) => {
      const rt = runtime();
      const query = parseLocateQuery(request.query, ['patient', 'information-type']);
      try {
        const access = locateAccess(ctx.caller, query.patient);
        const stored = await entriesFor(tx, rt.pseudonymiser.pseudonym(query.patient));
        const providers = [...new Set(stored.map((e) => e.careProvider))];
        // PDI-L2: one question, one record per provider, decided on the copy of the block register; the answer only ever removes.
        const decisions = await rt.blocks.decide({
          patient: query.patient,
          ...access,
          records: providers.map((owner) => ({ owner, category: query.informationType ?? 'all' })),
        });
        const permitted = new Set(providers.filter((_, i) => decisions[i]));
        const visible = stored.filter((e) => permitted.has(e.careProvider));
        const catalogue = query.informationType && visible.length ? await rt.catalogue.endpointsFor([...permitted], query.informationType) : undefined;
        const entries: LocatedEntry[] = visible.map((e) => {
          const localPatient = openLocalPatient(e, rt.pseudonymiser);
          return { careProvider: e.careProvider, system: e.system, state: e.state, occurredAt: e.occurredAt, ...(localPatient ? { localPatient } : {}) };
        });
        // PDI-L4: committed before the answer leaves (group commit): no answer without its record.
        await auditRead({
          interaction: 'operation',
          action: 'E',
          outcome: 'success',
          patients: [query.patient],
          query: request.query.toString(),
          description: '$locate',
        });
        return {
          status: 200,
          body: locateBundle({
            self: `${ctx.fhirBase}/$locate?${request.query}`,
            patient: query.patient,
            entries,
            ...(query.informationType ? { informationType: query.informationType } : {}),
            ...(catalogue ? { catalogue } : {}),
            catalogueBase: rt.catalogueBase,
          }),
        };
      } catch (err) {
        if (isFhirError(err)) await auditFailure(auditRead, err, query.patient, request.query);
        throw err;
      }
    },
  };
}

/** PDI-L4 for a lookup that gave nothing: recorded before the refusal leaves. */
async function auditFailure(
  auditRead: OperationInput['auditRead'],
  err: FhirError,
  patient: { readonly system: string; readonly value: string },
  query: URLSearchParams,
): Promise<void> {
  await auditRead({
    interaction: 'operation',
    action: 'E',
    outcome: err.status >= 500 ? 'failed' : 'refused',
    patients: [patient],
    query: query.toString(),
    description: `$locate: ${err.code}`,
  });
}
