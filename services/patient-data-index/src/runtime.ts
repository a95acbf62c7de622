import { decisionPolicyFrom } from '@ndi-mesh/consent-registry/local';
import { TRUST_MARK, type AuditFacts, type Kernel, type Queryable, type RequestContext } from '@ndi-mesh/kernel';
import { loadPseudonymiser } from './domain/pseudonym-key.ts';
import type { Pseudonymiser } from './domain/pseudonym.ts';
import { BlockCopy } from './peers/block-copy.ts';
import { CatalogueClient } from './peers/catalogue-client.ts';
import { ConsentClient } from './peers/consent-client.ts';
import type { PdiSettings } from './settings.ts';

/**
 * What the index's operations need beyond the database: the pseudonym key, the catalogue, the
 * copy of the block register (which asks the consent registry itself) and the audit trail. It
 * exists once the kernel has started (its trust client and router are made then), so the
 * operations reach it through a getter rather than at definition time.
 */
export interface PdiRuntime {
  readonly pseudonymiser: Pseudonymiser;
  readonly catalogue: CatalogueClient;
  readonly catalogueBase: string;
  /** The copy of the block register `$locate` decides with (PDI-L2). */
  readonly blocks: BlockCopy;
  audit(tx: Queryable, ctx: RequestContext, facts: AuditFacts): Promise<void>;
}

export async function startRuntime(kernel: Kernel, settings: PdiSettings, env: NodeJS.ProcessEnv): Promise<PdiRuntime> {
  const trust = kernel.trust;
  if (!trust) throw new Error('patient-data-index: the federation trust module is required (FEDERATION_ANCHOR, FEDERATION_ANCHOR_JWKS)');
  const { pseudonymiser, source } = await loadPseudonymiser({ dataDir: kernel.settings.dataDir, env });
  kernel.logger.info({ source, keyId: pseudonymiser.keyId, catalogue: settings.catalogueUrl, consent: settings.consentUrl }, 'patient data index ready');
  const registry = new ConsentClient({ baseUrl: settings.consentUrl, client: trust.client, timeoutMs: settings.peerTimeoutMs });
  const blocks = new BlockCopy({
    db: kernel.db,
    nationalBase: `${settings.consentUrl.replace(/\/$/, '')}/fhir`,
    client: () => trust.client,
    // The same decision settings as NSF's (NSF_EMERGENCY_LIFTS_OPT_OUT, NSF_COUNTRY_POLICY): give both services the same values.
    policy: decisionPolicyFrom(env),
    pseudonymiser,
    registry,
    endpoint: () => `${trust.entityId()}/fhir/$consent-notification`,
    enrolled: async () => {
      await trust.leaf.refreshMarks(true);
      return trust.leaf.trustMarks.some((m) => m.trust_mark_type === TRUST_MARK.nationalService);
    },
    catchUpMs: settings.consentCatchUpSeconds * 1000,
    logger: kernel.logger,
  });
  await blocks.migrate();
  return {
    pseudonymiser,
    catalogue: new CatalogueClient({ baseUrl: settings.catalogueUrl, ttlSeconds: settings.catalogueTtl, timeoutMs: settings.peerTimeoutMs }),
    catalogueBase: settings.catalogueUrl,
    blocks,
    audit: (tx, ctx, facts) => kernel.audit.write(tx, ctx, facts),
  };
}
