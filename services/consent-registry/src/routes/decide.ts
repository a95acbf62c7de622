import { FhirError, TRUST_MARK, type OperationDef } from '@ndi-mesh/kernel';
import { isOperator } from '../auth/caller.ts';
import { decideAsked } from '../decide-asked.ts';
import type { DecisionPolicy } from '../domain/index.ts';
import { consentToBlock } from '../fhir/consent-block.ts';
import { decideAnswer, parseDecide } from '../fhir/decide-parameters.ts';
import { audit } from '../store/audit.ts';
import { activeBlockConsents } from '../store/blocks.ts';

/**
 * C3 `POST /fhir/$decide`: may this requester see these records of this patient. The patient's
 * blocks are read with one indexed query and every record is decided against them; the rule
 * trace goes only to the information owner of that record and to the operator (a requester
 * never learns that a block exists). One AuditEvent per call.
 */
export function decideOperation(service: string, policy: DecisionPolicy): OperationDef {
  return {
    name: 'decide',
    level: 'system',
    affectsState: false,
    documentation: 'Decides, per record, whether the information owner may release it to the requester (C3). Trace only to the owner and the operator.',
    async handler({ ctx, request, tx }) {
      const input = parseDecide(request.body);
      const caller = ctx.caller;
      const own = caller.organisation?.hsaId;
      const operator = isOperator(caller);
      if (!caller.trustMarks.includes(TRUST_MARK.nationalService)) {
        // A care provider's system asks only about the records it holds (the information owner filters).
        const foreign = input.records.findIndex((r) => r.owner !== own);
        if (foreign >= 0)
          throw new FhirError('MESH-AUTH-005', { diagnostics: `a care provider asks only about its own records; record[${foreign}] belongs to another owner`, expression: `record[${foreign}].owner` });
      }
      const now = Date.now();
      const blocks = (await activeBlockConsents(tx, input.patient)).map((c) => consentToBlock(c));
      const decisions = decideAsked(input, blocks, [], policy, now);
      const denied = decisions.filter((d) => d.effect === 'deny').length;
      await audit(tx, service, ctx, {
        interaction: 'operation',
        action: 'E',
        outcome: 'success',
        patients: [input.patient],
        description: `$decide: ${decisions.length} record(s), ${denied} denied`,
      });
      return { status: 200, body: decideAnswer(decisions, (i) => operator || (own !== undefined && input.records[i]!.owner === own)) };
    },
  };
}
