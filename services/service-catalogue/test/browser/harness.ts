import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Endpoint, Organization, Resource } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM, type FhirRequest } from '@ndi-mesh/kernel';
import { startTestFederation, type TestFederation } from '@ndi-mesh/federation/testing';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
// Test-only: the catalogue's browser tests sign in at the real development identity provider.
import { devIdentityProvider } from '../../../dev-identity-provider/src/definition.ts';
import { syntheticDirectory, type Directory } from '../../../dev-identity-provider/src/directory.ts';
import { serviceCatalogue } from '../../src/definition.ts';
import { operatorCaller } from '../../src/domain/ownership.ts';
import { endpoint } from '../fixtures.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// As node-svc.md prescribes for these machines: no GPU, no background traffic to Google.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Under CI the browser tests must run; elsewhere they skip, saying why, when Chromium is missing. */
export function browserAvailable(): boolean {
  const present = existsSync(CHROMIUM);
  if (!present && process.env.CI !== 'true') console.warn(`${CHROMIUM} not found: skipping the admin UI browser tests (apt-get install chromium)`);
  return present || process.env.CI === 'true';
}

export interface Mesh {
  readonly anchor: TestFederation;
  readonly catalogue: TestService;
  readonly idp: TestService;
  readonly browser: Browser;
  readonly directory: Directory;
  readonly url: string;
  /** Seeded resources by a short name. */
  readonly orgs: Record<'region' | 'clinic', Organization>;
  readonly endpoints: Record<'summary' | 'lab' | 'prescription', Endpoint>;
  close(): Promise<void>;
}

const SECRET = 'browser-test-client-secret';
const SEED = 7;

/**
 * A port for the IdP, reserved before the catalogue starts. It is drawn below Linux's ephemeral
 * range (32768 and up): a port from `listen(0)` could be handed, between this check and the IdP's
 * listen, to an outgoing connection of a test running beside this one (seen: EADDRINUSE).
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
    if (attempt > 50) throw new Error('no free port below the ephemeral range');
  }
}

/**
 * A real anchor, the catalogue (federated, national-service, listening), the development identity
 * provider, and Debian's Chromium. The IdP needs the catalogue's redirect URI and the catalogue
 * the IdP's issuer: the IdP's port is reserved first to break the cycle.
 */
export async function startMesh(): Promise<Mesh> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is required for the browser tests under CI: ${CHROMIUM} is missing (apt-get install chromium)`);
  const directory = syntheticDirectory(SEED);
  const anchor = await startTestFederation();
  const idpPort = await freePort();
  const issuer = `http://127.0.0.1:${idpPort}/oidc`;
  const catalogue = await startTestService(
    serviceCatalogue,
    { ADMIN_OIDC_ISSUER: issuer, ADMIN_OIDC_CLIENT_SECRET: SECRET },
    { anchor, trustMarks: ['national-service'] },
  );
  const url = catalogue.url!;
  const idp = await startTestService(devIdentityProvider(), {
    DEV_IDP_SEED: String(SEED),
    DEV_IDP_CLIENT_SECRET: SECRET,
    DEV_IDP_CLIENT_REDIRECT_URIS: `${url}/admin/callback`,
    DEV_IDP_CLIENT_POST_LOGOUT_REDIRECT_URIS: `${url}/admin`,
  });
  await idp.app.listen({ port: idpPort, host: '127.0.0.1' });

  // Seed as the catalogue's operator, in process (the one caller exempt from NTK-R3).
  const ctx = { requestId: 'seed', fhirBase: `${url}/fhir`, caller: operatorCaller(url, { name: 'browser test seed' }) };
  const create = async <T extends Resource>(body: T): Promise<T> => {
    const req: FhirRequest = { method: 'POST', segments: [body.resourceType], query: new URLSearchParams(), body };
    return (await catalogue.kernel.router.handle(ctx, req)).body as T;
  };
  const [regionOrg, clinicOrg] = directory.organisations;
  const org = (o: { hsaId: string; name: string }): Organization => ({
    resourceType: 'Organization',
    identifier: [{ system: HSA_ID_SYSTEM, value: o.hsaId }],
    active: true,
    name: o.name,
  });
  const region = await create(org(regionOrg!));
  const clinic = await create(org(clinicOrg!));
  const summary = await create<Endpoint>({
    ...endpoint(region.id!, 'patient-summary'),
    name: 'Patient summary API',
    address: 'https://fhir.region-exempelland.example/r4',
    period: { start: '2026-01-01' },
  });
  const lab = await create<Endpoint>({
    ...endpoint(region.id!, 'laboratory-results'),
    name: 'Laboratory results API',
    address: 'https://lab.region-exempelland.example/fhir',
  });
  const prescription = await create<Endpoint>({
    ...endpoint(clinic.id!, 'eprescription'),
    name: 'ePrescription API',
    address: 'https://api.vardbolaget-prov.example/fhir',
    period: { start: '2026-03-01', end: '2028-12-31' },
  });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    anchor,
    catalogue,
    idp,
    browser,
    directory,
    url,
    orgs: { region, clinic },
    endpoints: { summary, lab, prescription },
    async close() {
      await browser.close();
      await idp.close();
      await catalogue.close();
      await anchor.close();
    },
  };
}

/** Signs in through the identity provider's page as the person whose name is given; returns the page after sign-in. */
export async function signIn(mesh: Mesh, personName: string): Promise<Page> {
  const context = await mesh.browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-GB', timezoneId: 'Europe/Stockholm' });
  const page = await context.newPage();
  await page.goto(`${mesh.url}/admin`);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByText('Development identity provider: synthetic people only').waitFor();
  await page.getByLabel(personName).check();
  await page.getByRole('button', { name: 'Sign in as the chosen person' }).click();
  await page.waitForURL((u) => u.origin === mesh.url);
  return page;
}
