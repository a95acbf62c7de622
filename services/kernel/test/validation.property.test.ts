// Whatever JSON arrives, the validator answers with issues: it never throws anything else (a throw
// would become a 500, and a 500 is a bug).
import fc from 'fast-check';
import { ResourceValidator } from '../src/fhir/validation/index.ts';

let validator: ResourceValidator;
beforeAll(() => {
  validator = ResourceValidator.load();
});

const json = fc.jsonValue({ maxDepth: 4 });

test('arbitrary values in the elements of an Endpoint or Organization', () => {
  const keys = fc.constantFrom(
    'status',
    'name',
    'identifier',
    'telecom',
    'address',
    'managingOrganization',
    'payloadType',
    'extension',
    'modifierExtension',
    'contained',
    'meta',
    'period',
    '_address',
    'contact',
    'partOf',
    'active',
    'text',
  );
  fc.assert(
    fc.property(fc.constantFrom('Endpoint', 'Organization', 'Patient'), fc.dictionary(keys, json, { maxKeys: 6 }), (resourceType, fields) => {
      const issues = validator.check({ ...fields, resourceType });
      for (const issue of issues) expect(typeof issue.diagnostics).toBe('string');
    }),
    { numRuns: 400 },
  );
});

test('arbitrary extensions in our namespace', () => {
  const extension = fc.record(
    {
      url: fc.constantFrom('https://ndi-mesh.se/fhir/StructureDefinition/implementation-guide', 'guide', 'version', 'https://ndi-mesh.se/fhir/x'),
      valueString: json,
      valueCanonical: fc.string(),
      extension: fc.array(fc.record({ url: fc.constantFrom('guide', 'version', 'other'), valueUrl: json }, { requiredKeys: [] }), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.array(extension, { maxLength: 3 }), (extensions) => {
      const issues = validator.check({
        resourceType: 'Endpoint',
        meta: { profile: ['https://ndi-mesh.se/fhir/StructureDefinition/se-endpoint'] },
        extension: extensions,
      });
      expect(issues.length).toBeGreaterThan(0);
    }),
    { numRuns: 300 },
  );
});
