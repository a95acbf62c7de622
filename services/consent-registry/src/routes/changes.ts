import type { Bundle } from '@medplum/fhirtypes';
import { FhirError, HSA_ID_SYSTEM, isHsaId, TRUST_MARK, type OperationDef } from '@ndi-mesh/kernel';
import { changesSince } from '../store/changes.ts';

const MAX_COUNT = 1000;

/**
 * `GET /fhir/Consent/$changes?since=<cursor>[&_count=n]`: the catch-up of a local block service
 * after downtime. Every Consent version changed after the cursor, in commit order, cancelled ones
 * included (they are the tombstones), and the next cursor in the `next` link. A care provider gets
 * its own blocks and the general ones; a national service may name an `owner` or get everything.
 */
export function changesOperation(): OperationDef {
  return {
    name: 'changes',
    level: 'type',
    resourceType: 'Consent',
    affectsState: false,
    readOnly: true,
    documentation: 'Catch-up feed of block changes after a cursor (Bundle of Consent versions; tombstones included; next cursor in link next).',
    async handler({ ctx, request, tx, auditRead }) {
      const q = request.query;
      for (const key of q.keys())
        if (key !== 'since' && key !== '_count' && key !== 'owner')
          throw new FhirError('MESH-OP-001', { diagnostics: `$changes takes since, _count and owner, not ${key}`, expression: key });
      const since = number(q.get('since') ?? '0', 'since');
      const count = Math.min(number(q.get('_count') ?? '500', '_count') || 500, MAX_COUNT);
      let owner = q.get('owner') ?? undefined;
      if (owner?.includes('|')) owner = owner.slice(owner.indexOf('|') + 1);
      if (owner !== undefined && !isHsaId(owner))
        throw new FhirError('MESH-ID-003', { diagnostics: 'owner is the HSA-id of a care provider', expression: 'owner' });
      if (!ctx.caller.trustMarks.includes(TRUST_MARK.nationalService)) {
        const own = ctx.caller.organisation?.hsaId;
        if (!own) throw new FhirError('MESH-AUTH-004', 'a care provider system states the organisation (HSA-id) it acts for');
        if (owner !== undefined && owner !== own)
          throw new FhirError('MESH-AUTH-005', { diagnostics: "a care provider reads its own blocks' changes only", expression: 'owner' });
        owner = own;
      }
      const rows = await changesSince(tx, since, count, owner);
      const patients = new Map(
        rows.flatMap((r) =>
          r.content.patient?.identifier
            ? [[`${r.content.patient.identifier.system}|${r.content.patient.identifier.value}`, r.content.patient.identifier] as const]
            : [],
        ),
      );
      if (rows.length)
        await auditRead({
          interaction: 'operation',
          action: 'E',
          outcome: 'success',
          patients: [...patients.values()],
          description: `$changes since ${since}: ${rows.length} version(s)`,
        });
      const next = rows.at(-1)?.seq ?? since;
      const base = `${ctx.fhirBase}/Consent/$changes`;
      const link = (cursor: number) => `${base}?since=${cursor}${owner ? `&owner=${encodeURIComponent(`${HSA_ID_SYSTEM}|${owner}`)}` : ''}`;
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'collection',
        timestamp: new Date().toISOString(),
        link: [
          { relation: 'self', url: link(since) },
          { relation: 'next', url: link(next) },
        ],
        entry: rows.map((r) => ({ fullUrl: `${ctx.fhirBase}/Consent/${r.content.id}/_history/${r.content.meta?.versionId}`, resource: r.content })),
      };
      return { status: 200, body: bundle };
    },
  };
}

function number(value: string, name: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new FhirError('MESH-OP-001', { diagnostics: `${name} is a whole number`, expression: name });
  return Number(value);
}
