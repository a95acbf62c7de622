import { fileURLToPath } from 'node:url';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuditTrail } from './audit/audit-trail.ts';
import { auditEventType } from './audit/audit-type.ts';
import { readServiceSettings, type ServiceSettings } from './config/service-settings.ts';
import { defineResourceType, Registry, type ResourceTypeConfig } from './fhir/registry.ts';
import { createApp } from './http/app.ts';
import { buildCapabilityStatement } from './http/capability.ts';
import type { Caller } from './http/context.ts';
import type { OperationDef } from './http/fhir-request.ts';
import { FhirRouter } from './http/fhir-router.ts';
import type { Validator } from './http/validator.ts';
import { openDb, type Db } from './storage/db.ts';
import { migrate } from './storage/migrate.ts';
import { ensureResourceTables } from './storage/resource-tables.ts';
import { createLogger, type Logger } from './telemetry/logger.ts';
import { createMetrics, type Metrics } from './telemetry/metrics.ts';
import { initTracing, shutdownTracing } from './telemetry/tracing.ts';
import { loadValidator } from './fhir/validation/index.ts';
import { Trust, type TrustDefinition } from './trust/trust.ts';
import { readTrustSettings } from './trust/trust-settings.ts';

/** What a service is: its name, port, resource types, operations and migrations. */
export interface ServiceDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly version?: string;
  readonly defaultPort: number;
  readonly resourceTypes: readonly ResourceTypeConfig[];
  readonly operations?: (kernel: KernelParts) => readonly OperationDef[];
  /** Directory of this service's own `NNN_name.sql` migrations. */
  readonly migrationsDir?: string;
  readonly authenticate?: (request: FastifyRequest) => Promise<Caller>;
  /** Non-FHIR routes (admin UI, federation endpoints), added after the FHIR ones. */
  readonly extend?: (app: FastifyInstance, kernel: Kernel) => void | Promise<void>;
  /**
   * Checks `/ready` runs besides the database's, each resolving or throwing (the reason is the 503's
   * diagnostic): what must hold before traffic is routed here. Called per probe, after extend().
   */
  readonly readiness?: readonly (() => Promise<void>)[];
  /**
   * Federation trust: the service becomes a leaf entity with its own keys, entity configuration
   * and `/auth/token`, and every FHIR route is held to `policy`. Needs FEDERATION_ANCHOR and
   * FEDERATION_ANCHOR_JWKS.
   */
  readonly trust?: TrustDefinition;
}

export interface KernelParts {
  readonly settings: ServiceSettings;
  readonly db: Db;
  readonly logger: Logger;
  /**
   * The audit trail: `write(tx, ...)` in a write's transaction, `beforeRelease(...)` for reads and
   * read-only operations (group-committed; release the answer only once it resolves).
   */
  readonly audit: AuditTrail;
  /** Present when the service declares `trust` (operations that sign need its keys). */
  readonly trust?: Trust;
}

export interface Kernel extends KernelParts {
  readonly router: FhirRouter;
  readonly metrics: Metrics;
  readonly validator: Validator;
  /** Present when the service declares `trust`: its keys, verifier and outgoing client. */
  readonly trust?: Trust;
  /** The environment the kernel read its settings from, for a service's own settings table. */
  readonly env: NodeJS.ProcessEnv;
}

export interface RunningService {
  readonly app: FastifyInstance;
  readonly kernel: Kernel;
  close(): Promise<void>;
}

const KERNEL_MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Builds a service on the kernel, ready to listen: opens its schema, applies the kernel's and
 * the service's migrations and the generated resource tables under one lock, and mounts the
 * FHIR router. Tests call this in-process; `runService` adds listening and signals.
 */
export async function createService(def: ServiceDefinition, options: { settings?: ServiceSettings; env?: NodeJS.ProcessEnv } = {}): Promise<RunningService> {
  const settings = options.settings ?? readServiceSettings({ port: def.defaultPort, service: def.name }, options.env);
  if (!settings.databaseUrl) throw new Error(`${def.name}: DATABASE_URL is not set (the launcher sets it; see README)`);
  await initTracing(def.name);
  const logger = createLogger(def.name, settings.logLevel);
  const db = await openDb({ connectionString: settings.databaseUrl, schema: settings.schema, poolSize: settings.poolSize, applicationName: def.name });
  try {
    const trust = def.trust
      ? await Trust.create({
          service: def.name,
          title: def.title,
          dataDir: settings.dataDir,
          baseUrl: settings.baseUrl,
          db,
          logger,
          settings: readTrustSettings(options.env ?? process.env),
          definition: def.trust,
        })
      : undefined;
    const validator = loadValidator();
    const auditType = auditEventType();
    const registry = new Registry([...def.resourceTypes.map(defineResourceType), auditType]);
    const audit = new AuditTrail(db, def.name, auditType);
    const router: FhirRouter = new FhirRouter({
      service: def.name,
      registry,
      db,
      audit,
      validator,
      operations: def.operations?.({ settings, db, logger, audit, trust }) ?? [],
      capability: () => capability(),
      maxBundleEntries: settings.maxBundleEntries,
      authorize: trust ? (ctx, req) => trust.authorize(ctx, req, (tx, facts) => router.audit(tx, ctx, facts)) : undefined,
    });
    const fhirBase = `${settings.baseUrl ?? `http://${settings.host}:${settings.port}`}/fhir`;
    const capability = (): CapabilityStatement =>
      buildCapabilityStatement(
        { service: def.name, title: def.title, description: def.description, version: def.version ?? '0.1.0', fhirBase },
        registry,
        router.operations,
      );
    await migrate(db, [{ name: 'kernel', dir: KERNEL_MIGRATIONS }, ...(def.migrationsDir ? [{ name: def.name, dir: def.migrationsDir }] : [])], async (tx) => {
      const { refill } = await ensureResourceTables(tx, registry.all());
      for (const t of refill) logger.info({ type: t.type, rows: await router.store.refill(tx, t) }, 'search columns refilled');
    });
    const metrics = createMetrics(def.name);
    const kernel: Kernel = { settings, db, logger, audit, router, metrics, validator, trust, env: options.env ?? process.env };
    const app = createApp({
      service: def.name,
      router,
      db,
      logger,
      metrics,
      bodyLimit: settings.bodyLimit,
      baseUrl: settings.baseUrl,
      authenticate: def.authenticate ?? trust?.authenticate,
      readiness: def.readiness,
    });
    // Reads still waiting for their audit are flushed before the pool ends (close() ends it after app.close()).
    app.addHook('onClose', () => audit.close());
    trust?.register(app);
    await def.extend?.(app, kernel);
    await app.ready();
    return {
      app,
      kernel,
      async close() {
        await app.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** The entry point of a service process: listen, and stop cleanly on SIGTERM or SIGINT. */
export async function runService(def: ServiceDefinition): Promise<void> {
  let settings: ServiceSettings;
  try {
    settings = readServiceSettings({ port: def.defaultPort, service: def.name });
  } catch (err) {
    console.error(`${def.name}: ${(err as Error).message}`);
    process.exit(2);
  }
  const service = await createService(def, { settings });
  const address = await service.app.listen({ port: settings.port, host: settings.host });
  service.kernel.logger.info({ address }, `${def.name} listening`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.kernel.logger.info({ signal }, `${def.name} stopping`);
    await service.close();
    await shutdownTracing();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
