import { FhirError, parsePatientIdentifier, type OperationDef } from '@ndi-mesh/kernel';
import { compileBlockSet } from '../domain/index.ts';
import { splitConsents } from '../fhir/consent-revoke.ts';
import { activeBlockConsents } from '../store/blocks.ts';

/** C3 `GET /fhir/$opt-out?patient=<system>|<value>`: whether the patient has an opt-out in force now (NSF-R1, NSF-R4). */
export function optOutOperation(): OperationDef {
  return {
    name: 'opt-out',
    level: 'system',
    affectsState: false,
    readOnly: true,
    documentation: 'Whether the patient has opted out of national sharing (an active opt-out block in force now). National services only.',
    async handler({ request, tx, auditRead }) {
      const query = request.method === 'GET' ? request.query : request.body instanceof URLSearchParams ? request.body : request.query;
      for (const key of query.keys())
        if (key !== 'patient') throw new FhirError('MESH-OP-001', { diagnostics: `$opt-out takes only patient, not ${key}`, expression: key });
      const values = query.getAll('patient');
      if (values.length !== 1) throw new FhirError('MESH-OP-001', { diagnostics: 'give patient=<system>|<value> once', expression: 'patient' });
      const id = parsePatientIdentifier(values[0]!, { expression: 'patient' });
      const patient = { system: id.system, value: id.value };
      const now = Date.now();
      const set = compileBlockSet(patient, splitConsents(await activeBlockConsents(tx, patient)).blocks, [], now);
      const optedOut = set.general.some((b) => b.kind === 'opt-out');
      await auditRead({ interaction: 'operation', action: 'E', outcome: 'success', patients: [patient], description: '$opt-out' });
      return { status: 200, body: { resourceType: 'Parameters', parameter: [{ name: 'optedOut', valueBoolean: optedOut }] } };
    },
  };
}
