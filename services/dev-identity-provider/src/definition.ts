import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@ndi-mesh/kernel';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { loadDirectory, syntheticDirectory, type Directory } from './directory.ts';
import { IDP_KEYS_FILE, openIdpKeys } from './keys.ts';
import { purgeExpired } from './pg-adapter.ts';
import { createProvider } from './provider.ts';
import { registerLogin } from './routes/login.ts';
import { mountProvider, OIDC_PREFIX } from './routes/oidc-mount.ts';
import { readDevIdpSettings } from './settings.ts';

const PURGE_EVERY_MS = 10 * 60_000;

/**
 * The development identity provider: OpenID Connect (oidc-provider) over a synthetic directory
 * of professionals with HSA-ids and roles, for signing in to the mesh's web UIs on a laptop or
 * in a demo. Never for production: anyone may sign in as anyone listed.
 */
export function devIdentityProvider(): ServiceDefinition {
  return {
    name: 'dev-identity-provider',
    title: 'ndi-mesh development identity provider (synthetic people)',
    description: 'OpenID Connect provider for development and demos, with synthetic professionals carrying HSA-ids and roles.',
    defaultPort: 8079,
    resourceTypes: [],
    migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
    async extend(app, kernel) {
      const settings = readDevIdpSettings(kernel.env);
      const directory: Directory = settings.directoryFile ? loadDirectory(settings.directoryFile) : syntheticDirectory(settings.seed);
      const keys = await openIdpKeys(join(kernel.settings.dataDir, IDP_KEYS_FILE));
      // The issuer may depend on the port the service got (PORT=0 in tests): build the provider on first use.
      let provider: Provider | undefined;
      const get = (): Provider =>
        (provider ??= createProvider({
          issuer: settings.issuer ?? `${baseOf(app, kernel.settings.baseUrl)}${OIDC_PREFIX}`,
          db: kernel.db,
          keys,
          directory,
          settings,
        }));
      await mountProvider(app, get);
      registerLogin(app, get, directory, 'the ndi-mesh service catalogue');
      const purge = setInterval(
        () => void purgeExpired(kernel.db).catch((err: Error) => kernel.logger.warn({ err: err.message }, 'purging expired sessions failed')),
        PURGE_EVERY_MS,
      );
      purge.unref();
      app.addHook('onClose', async () => clearInterval(purge));
      kernel.logger.warn('development identity provider: synthetic people only, never for real sign-in');
    },
  };
}

function baseOf(app: FastifyInstance, baseUrl: string | undefined): string {
  if (baseUrl) return baseUrl.replace(/\/$/, '');
  const a = app.server.address() as AddressInfo | null;
  if (!a || typeof a !== 'object') throw new Error('dev-identity-provider: the issuer is known once the service listens (or set BASE_URL or DEV_IDP_ISSUER)');
  return `http://${a.address === '0.0.0.0' || a.address === '::' ? '127.0.0.1' : a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}
