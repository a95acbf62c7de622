import { auditEventType, buildAuditEvent, ResourceStore, type AuditFacts, type Queryable, type RequestContext } from '@ndi-mesh/kernel';

const store = new ResourceStore();
const auditType = auditEventType();

/** One AuditEvent in the operation's own transaction, exactly as the kernel writes those of the FHIR interactions. */
export async function audit(tx: Queryable, service: string, ctx: RequestContext, facts: AuditFacts): Promise<void> {
  await store.create(tx, auditType, buildAuditEvent(service, ctx.fhirBase, ctx.caller, facts));
}
