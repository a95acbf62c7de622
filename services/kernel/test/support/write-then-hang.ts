// Run as a child process by storage.test.ts: writes a resource with its audit and outbox message
// in one transaction, reports, and waits to be killed before it can commit.
import { defineResourceType, Registry } from '../../src/fhir/registry.ts';
import { auditEventType } from '../../src/audit/audit-type.ts';
import { ResourceStore } from '../../src/storage/resource-store.ts';
import { openDb } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { ensureResourceTables } from '../../src/storage/resource-tables.ts';
import { enqueue } from '../../src/storage/outbox.ts';
import { buildAuditEvent } from '../../src/audit/audit-event.ts';
import { ANONYMOUS } from '../../src/http/context.ts';
import { fileURLToPath } from 'node:url';

const url = process.argv[2]!;
const db = await openDb({ connectionString: url, schema: 'crash_test', poolSize: 1, applicationName: 'crash-writer' });
const org = defineResourceType({ type: 'Organization', interactions: ['read', 'create'], searchParams: ['name'] });
const registry = new Registry([org, auditEventType()]);
await migrate(db, [{ name: 'kernel', dir: fileURLToPath(new URL('../../migrations', import.meta.url)) }], (tx) =>
  ensureResourceTables(tx, registry.all()).then(() => undefined),
);
const store = new ResourceStore();
await db.transaction(async (tx) => {
  const created = await store.create(tx, org, { resourceType: 'Organization', name: 'Half written' });
  await store.create(
    tx,
    registry.get('AuditEvent')!,
    buildAuditEvent('crash', 'test', ANONYMOUS, { interaction: 'create', action: 'C', outcome: 'success', what: `Organization/${created.id}` }),
  );
  await enqueue(tx, 'resource.changed', { id: created.id });
  process.send!({ id: created.id });
  await new Promise(() => undefined);
});
