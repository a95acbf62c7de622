// Measures the kernel's resource validator: load time, and microseconds per validate() call on a
// typical SEOrganization and SEEndpoint (and a base Patient). Not a test: numbers depend on the machine.
// Usage: node scripts/profiles/measure-validator.ts [calls]
import { ResourceValidator } from '../../services/kernel/src/fhir/validation/index.ts';

const calls = Number(process.argv[2] ?? 20_000);
const started = performance.now();
const validator = ResourceValidator.load();
console.log(`load: ${(performance.now() - started).toFixed(0)} ms, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);

const samples: Record<string, Record<string, unknown>> = {
  SEOrganization: {
    resourceType: 'Organization',
    meta: { profile: ['https://ndi-mesh.se/fhir/StructureDefinition/se-organization'] },
    identifier: [{ system: 'urn:oid:1.2.752.129.2.1.4.1', value: 'SE2321000016-15CQ', use: 'official' }],
    active: true,
    name: 'Region Exempel',
    telecom: [{ system: 'phone', value: '+46 8 123 456' }],
    address: [{ line: ['Storgatan 1'], city: 'Exempelstad', postalCode: '123 45', country: 'SE' }],
  },
  SEEndpoint: {
    resourceType: 'Endpoint',
    meta: { profile: ['https://ndi-mesh.se/fhir/StructureDefinition/se-endpoint'] },
    extension: [
      {
        url: 'https://ndi-mesh.se/fhir/StructureDefinition/implementation-guide',
        extension: [
          { url: 'guide', valueCanonical: 'http://hl7.org/fhir/uv/ips/ImplementationGuide/hl7.fhir.uv.ips' },
          { url: 'version', valueString: '1.1.0' },
        ],
      },
    ],
    status: 'active',
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
    managingOrganization: { reference: 'Organization/region-exempel' },
    payloadType: [{ coding: [{ system: 'https://ndi-mesh.se/fhir/CodeSystem/information-type', code: 'patient-summary' }] }],
    payloadMimeType: ['application/fhir+json'],
    address: 'https://fhir.region-exempel.se/r4',
  },
  Patient: { resourceType: 'Patient', gender: 'female', birthDate: '1980-01-01', name: [{ family: 'Andersson', given: ['Anna'] }] },
};

for (const [name, resource] of Object.entries(samples)) {
  if (validator.check(resource).length > 0) throw new Error(`${name} sample is not valid: ${JSON.stringify(validator.check(resource))}`);
  for (let i = 0; i < calls / 4; i++) validator.validate(resource);
  const t = performance.now();
  for (let i = 0; i < calls; i++) validator.validate(resource);
  console.log(`${name}: ${(((performance.now() - t) * 1000) / calls).toFixed(1)} µs per validate()`);
}
