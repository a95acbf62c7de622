import { rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ANONYMOUS, FEDERATION_KEYS_FILE, JtiStore, KeySet, type ServiceDefinition } from '@ndi-mesh/kernel';
import type { FastifyInstance } from 'fastify';
import { Anchor } from './domain/anchor.ts';
import { adminAudience, ensureOperatorKey, OperatorAuth } from './operator-auth.ts';
import { registerAdmin } from './routes/admin.ts';
import { registerFederationEndpoints } from './routes/federation-endpoints.ts';
import { readFederationSettings } from './settings.ts';

/** Where the anchor's public keys are written for services to pin (FEDERATION_ANCHOR_JWKS). */
export const ANCHOR_JWKS_FILE = 'anchor-jwks.json';

/**
 * The federation: trust anchor and trust-mark issuer of the mesh (OpenID Federation 1.0), with
 * the onboarding admin API. Its FHIR side serves only its own audit trail, to the operator.
 */
export function federationService(env: NodeJS.ProcessEnv = process.env): ServiceDefinition {
  let app: FastifyInstance | undefined;
  let auth: OperatorAuth | undefined;
  let baseUrl: string | undefined;
  const entityId = (): string => {
    if (baseUrl) return baseUrl.replace(/\/$/, '');
    const a = app?.server.address() as AddressInfo | null | undefined;
    if (!a || typeof a !== 'object') throw new Error('federation: the entity id is known once the service listens (or set BASE_URL)');
    return `http://${a.address === '0.0.0.0' || a.address === '::' ? '127.0.0.1' : a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  };
  return {
    name: 'federation',
    title: 'ndi-mesh federation: trust anchor and trust-mark issuer',
    description:
      'OpenID Federation 1.0 trust anchor of the mesh: entity configuration, fetch, list, resolve, trust marks and their status, and onboarding of entities.',
    defaultPort: 8080,
    resourceTypes: [],
    migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
    authenticate: async (request) => {
      if (request.method === 'GET' && /^\/fhir\/metadata(\?|$)/.test(request.url) && !request.headers.authorization)
        return { ...ANONYMOUS, clientAddress: request.ip };
      return { ...(await auth!.verify(request.headers.authorization)), clientAddress: request.ip };
    },
    async extend(instance, kernel) {
      app = instance;
      baseUrl = kernel.settings.baseUrl;
      const dataDir = kernel.settings.dataDir;
      const keys = await KeySet.open(join(dataDir, FEDERATION_KEYS_FILE));
      await ensureOperatorKey(dataDir);
      const publishJwks = async () => {
        const tmp = join(dataDir, `${ANCHOR_JWKS_FILE}.${process.pid}.tmp`);
        await writeFile(tmp, JSON.stringify(keys.publicJwks(), null, 2));
        await rename(tmp, join(dataDir, ANCHOR_JWKS_FILE));
      };
      const anchor = new Anchor({ keys, db: kernel.db, entityId, settings: readFederationSettings(env), onKeysChanged: publishJwks });
      auth = new OperatorAuth({ dataDir, audience: () => adminAudience(entityId()), jti: new JtiStore(kernel.db) });
      await publishJwks();
      registerFederationEndpoints(instance, anchor, kernel.db);
      registerAdmin(instance, kernel, anchor, auth);
    },
  };
}

export const federation: ServiceDefinition = federationService();
