import { FhirError, TRUST_MARK, type AuditFacts, type AuditTrail, type OperationDef } from '@ndi-mesh/kernel';
import { isOperator } from '../auth/caller.ts';
import { decideAsked } from '../decide-asked.ts';
import { emergencyFollowUp, type Decision, type DecisionPolicy, type FollowUpItem } from '../domain/index.ts';
import { splitConsents } from '../fhir/consent-revoke.ts';
import { decideAnswer, parseDecide, type DecideInput } from '../fhir/decide-parameters.ts';
import { recordEmergencyUse } from '../follow-up/record.ts';
import { activeBlockConsents } from '../store/blocks.ts';

/**
 * C3 `POST /fhir/$decide`: may this requester see these records of this patient. The patient's
 * blocks and temporary revokes are read with one indexed query and every record is decided
 * against them; the rule trace goes only to the information owner of that record and to the
 * operator (a requester never learns that a block exists). One AuditEvent per call, committed
 * before the answer leaves (group commit, no transaction of its own). When something is released
 * under break-glass, its obligations (recordEmergencyUse) and that call's AuditEvent commit
 * together in one transaction instead.
 */
export function decideOperation(trail: AuditTrail, policy: DecisionPolicy): OperationDef {
  return {
    name: 'decide',
    level: 'system',
    affectsState: false,
    readOnly: true,
    documentation: 'Decides, per record, whether the information owner may release it to the requester (C3). Trace only to the owner and the operator.',
    async handler({ ctx, request, tx, auditRead, transaction }) {
      const input = parseDecide(request.body);
      const caller = ctx.caller;
      const own = caller.organisation?.hsaId;
      const operator = isOperator(caller);
      if (!caller.trustMarks.includes(TRUST_MARK.nationalService)) {
        // A care provider's system asks only about the records it holds (the information owner filters).
        const foreign = input.records.findIndex((r) => r.owner !== own);
        if (foreign >= 0)
          throw new FhirError('MESH-AUTH-005', {
            diagnostics: `a care provider asks only about its own records; record[${foreign}] belongs to another owner`,
            expression: `record[${foreign}].owner`,
          });
      }
      const now = Date.now();
      const { blocks, revokes } = splitConsents(await activeBlockConsents(tx, input.patient));
      const decisions = decideAsked(input, blocks, revokes, policy, now);
      const denied = decisions.filter((d) => d.effect === 'deny').length;
      const facts: AuditFacts = {
        interaction: 'operation',
        action: 'E',
        outcome: 'success',
        patients: [input.patient],
        description: `$decide: ${decisions.length} record(s), ${denied} denied`,
      };
      const emergency = followUps(input, decisions, now);
      if (emergency.length === 0) await auditRead(facts);
      else
        await transaction(async (write) => {
          await trail.write(write, ctx, facts);
          await recordEmergencyUse(write, trail, ctx, emergency);
        });
      return { status: 200, body: decideAnswer(decisions, (i) => operator || (own !== undefined && input.records[i]!.owner === own)) };
    },
  };
}

/** The break-glass follow-up each permitted record calls for (NSF-R13), whatever the caller sees of the trace. */
function followUps(input: DecideInput, decisions: readonly Decision[], now: number): FollowUpItem[] {
  return decisions.flatMap((decision, i) => {
    const asked = input.records[i]!;
    const request = {
      patient: input.patient,
      requester: input.requester,
      purpose: input.purpose,
      record: { owner: asked.owner, careUnit: asked.careUnit ?? '', category: asked.category === 'all' ? ('patient-summary' as const) : asked.category },
    };
    const item = emergencyFollowUp(request, decision, now);
    return item ? [item] : [];
  });
}
