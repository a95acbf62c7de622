import type { AuditFacts, Db, Kernel, Queryable, RequestContext } from '@ndi-mesh/kernel';
import { loadPseudonymiser } from './domain/pseudonym-key.ts';
import type { Pseudonymiser } from './domain/pseudonym.ts';
import { CatalogueClient } from './peers/catalogue-client.ts';
import { ConsentClient } from './peers/consent-client.ts';
import type { PdiSettings } from './settings.ts';

/**
 * What the index's operations need beyond the database: the pseudonym key, the two peers and the
 * audit writer. It exists once the kernel has started (its trust client and router are made
 * then), so the operations reach it through a getter rather than at definition time.
 */
export interface PdiRuntime {
  readonly db: Db;
  readonly pseudonymiser: Pseudonymiser;
  readonly catalogue: CatalogueClient;
  readonly catalogueBase: string;
  readonly consent: ConsentClient;
  audit(tx: Queryable, ctx: RequestContext, facts: AuditFacts): Promise<void>;
}

export async function startRuntime(kernel: Kernel, settings: PdiSettings, env: NodeJS.ProcessEnv): Promise<PdiRuntime> {
  const trust = kernel.trust;
  if (!trust) throw new Error('patient-data-index: the federation trust module is required (FEDERATION_ANCHOR, FEDERATION_ANCHOR_JWKS)');
  const { pseudonymiser, source } = await loadPseudonymiser({ dataDir: kernel.settings.dataDir, env });
  kernel.logger.info({ source, keyId: pseudonymiser.keyId, catalogue: settings.catalogueUrl, consent: settings.consentUrl }, 'patient data index ready');
  return {
    db: kernel.db,
    pseudonymiser,
    catalogue: new CatalogueClient({ baseUrl: settings.catalogueUrl, ttlSeconds: settings.catalogueTtl, timeoutMs: settings.peerTimeoutMs }),
    catalogueBase: settings.catalogueUrl,
    consent: new ConsentClient({ baseUrl: settings.consentUrl, client: trust.client, timeoutMs: settings.peerTimeoutMs }),
    audit: (tx, ctx, facts) => kernel.router.audit(tx, ctx, facts),
  };
}
