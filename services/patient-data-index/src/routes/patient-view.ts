import { isFhirError, type OperationDef } from '@ndi-mesh/kernel';
import { openLocalPatient } from '../domain/index-event.ts';
import { checkActsForPatient } from '../domain/locate-rules.ts';
import { parseLocateQuery } from '../domain/locate-query.ts';
import { patientViewBundle, type LocatedEntry, type ViewEvent } from '../domain/read-model.ts';
import type { PdiRuntime } from '../runtime.ts';
import { allEntriesFor, historyFor } from '../store/index-store.ts';

/**
 * `$patient-view` (PDI-L6): the patient's own view through an access service. Every entry,
 * active or ended, and every event the index recorded, unfiltered: blocks protect the patient's
 * data from others, not from the patient. Read on the pool like `$locate`; the AuditEvent (of the
 * view or of its refusal) is committed before the answer leaves (group commit).
 */
export function patientViewOperation(runtime: () => PdiRuntime): OperationDef {
  return {
    name: 'patient-view',
    level: 'system',
    affectsState: false,
    readOnly: true,
    documentation:
      "GET $patient-view?patient=<system>|<value>: for an access service acting for that patient, every care provider system that holds or held the patient's data (DocumentReference) and the history of sharing events (Provenance).",
    handler: async ({ ctx, request, tx, auditRead }) => {
      const rt = runtime();
      const { patient } = parseLocateQuery(request.query, ['patient']);
      try {
        checkActsForPatient(ctx.caller, patient, 'PDI-L6');
      } catch (err) {
        const description = `$patient-view: ${isFhirError(err) ? err.code : 'refused'}`;
        await auditRead({ interaction: 'operation', action: 'R', outcome: 'refused', patients: [patient], description });
        throw err;
      }
      const pseudonym = rt.pseudonymiser.pseudonym(patient);
      const stored = await allEntriesFor(tx, pseudonym);
      const history = await historyFor(tx, pseudonym);
      const entries: LocatedEntry[] = stored.map((e) => {
        const localPatient = openLocalPatient(e, rt.pseudonymiser);
        return {
          careProvider: e.careProvider,
          system: e.system,
          state: e.state,
          occurredAt: e.occurredAt,
          ...(e.endReason ? { endReason: e.endReason } : {}),
          ...(localPatient ? { localPatient } : {}),
        };
      });
      const events: ViewEvent[] = history.map((h) => ({
        careProvider: h.careProvider,
        system: h.system,
        eventType: h.eventType,
        occurredAt: h.occurredAt,
        receivedAt: h.receivedAt,
        outcome: h.outcome,
        ...(h.endReason ? { endReason: h.endReason } : {}),
      }));
      await auditRead({ interaction: 'operation', action: 'R', outcome: 'success', patients: [patient], description: '$patient-view' });
      return { status: 200, body: patientViewBundle({ self: `${ctx.fhirBase}/$patient-view?${request.query}`, patient, entries, events }) };
    },
  };
}
