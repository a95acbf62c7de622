// Synthetic demo data for `npm start`: every organisation of the development identity provider's
// directory gets its entry and a patient-summary endpoint in the service catalogue, so the people
// who sign in to the catalogue's /admin find their organisation there. It writes through the
// catalogue's public FHIR API like any system: a short-lived federation entity of its own, with
// the `national-service` trust mark, asking for a token per organisation. Idempotent: the
// organisation is matched on its HSA-id, the endpoint on its identifier.
import type { Bundle } from '@medplum/fhirtypes';
import { createService, HSA_ID_SYSTEM, PURPOSE, readServiceSettings, type RunningService, type ServiceDefinition } from '../../services/kernel/src/index.ts';

export interface DemoSeedOptions {
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly identityProvider: string;
  readonly catalogue: string;
  readonly anchorEnv: Record<string, string>;
  /** Enrols the seeder at the anchor (the launcher does it with the federation CLI). */
  readonly enrol: (entityId: string) => Promise<boolean>;
}

interface DirectoryOrganisation {
  readonly hsaId: string;
  readonly name: string;
}

const seeder: ServiceDefinition = {
  name: 'demo-seeder',
  title: 'ndi-mesh demo data seeder',
  description: 'Registers the synthetic demo organisations in the catalogue at start',
  defaultPort: 0,
  resourceTypes: [],
  trust: { policy: { default: { public: true } } },
};

export async function seedDemoData(o: DemoSeedOptions): Promise<string> {
  const directory = (await (await fetch(`${o.identityProvider}/directory`)).json()) as { organisations?: DirectoryOrganisation[] };
  const organisations = directory.organisations ?? [];
  const env = { ...o.anchorEnv, DATABASE_URL: o.databaseUrl, DATA_DIR: o.dataDir, LOG_LEVEL: 'warn', OWN_TRUST_MARKS_REFRESH: '0', PORT: '0' };
  let service: RunningService | undefined;
  try {
    service = await createService(seeder, { settings: readServiceSettings({ port: 0, service: seeder.name }, env), env });
    await service.app.listen({ port: 0, host: '127.0.0.1' });
    const trust = service.kernel.trust!;
    if (!(await o.enrol(trust.entityId()))) throw new Error('the seeder could not be enrolled');
    let written = 0;
    for (const org of organisations) {
      const res = await trust.client.fetch(`${o.catalogue}/fhir`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(registration(org)),
        basis: { organisation: { hsaId: org.hsaId, name: org.name }, purposeOfUse: PURPOSE.administration },
      });
      if (!res.ok) throw new Error(`registering ${org.name}: ${res.status} ${(await res.text()).slice(0, 300)}`);
      written++;
    }
    return `${written} demo organisations with a patient-summary endpoint each in the catalogue`;
  } finally {
    await service?.close();
  }
}

function registration(org: DirectoryOrganisation): Bundle {
  const host = `${org.hsaId.toLowerCase()}.demo.example`;
  const orgUrl = `urn:uuid:${crypto.randomUUID()}`;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: orgUrl,
        resource: { resourceType: 'Organization', identifier: [{ system: HSA_ID_SYSTEM, value: org.hsaId }], active: true, name: org.name },
        request: { method: 'POST', url: 'Organization', ifNoneExist: `identifier=${HSA_ID_SYSTEM}|${org.hsaId}` },
      },
      {
        resource: {
          resourceType: 'Endpoint',
          identifier: [{ system: `https://${host}/endpoints`, value: 'ips-r4' }],
          status: 'active',
          connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
          name: 'Patientöversikt (IPS)',
          managingOrganization: { reference: orgUrl },
          payloadType: [{ coding: [{ system: 'https://ndi-mesh.se/fhir/CodeSystem/information-type', code: 'patient-summary' }] }],
          address: `https://${host}/r4`,
        },
        request: { method: 'PUT', url: `Endpoint?identifier=https://${host}/endpoints|ips-r4` },
      },
    ],
  };
}
