// The resource validator: FHIR R4 structure through @medplum/core, and what that leaves unchecked
// (required bindings, slice contents, reference targets, our extensions). Needs the compiled profiles:
// the root `pretest` script runs scripts/profiles/build.ts.
import type { Endpoint, Organization, Patient } from '@medplum/fhirtypes';
import { FhirError, type IssueDetail } from '../src/errors/index.ts';
import { ResourceValidator } from '../src/fhir/validation/index.ts';

const SE_ORGANIZATION = 'https://ndi-mesh.se/fhir/StructureDefinition/se-organization';
const SE_ENDPOINT = 'https://ndi-mesh.se/fhir/StructureDefinition/se-endpoint';
const IG_EXTENSION = 'https://ndi-mesh.se/fhir/StructureDefinition/implementation-guide';
const INFORMATION_TYPE = 'https://ndi-mesh.se/fhir/CodeSystem/information-type';
const HSA = 'urn:oid:1.2.752.129.2.1.4.1';

let validator: ResourceValidator;
beforeAll(() => {
  validator = ResourceValidator.load();
});

function organization(): Organization {
  return {
    resourceType: 'Organization',
    meta: { profile: [SE_ORGANIZATION] },
    identifier: [{ system: HSA, value: 'SE2321000016-15CQ', use: 'official' }],
    active: true,
    name: 'Region Exempel',
    telecom: [{ system: 'phone', value: '+46 8 123 456' }],
  };
}

function endpoint(): Endpoint {
  return {
    resourceType: 'Endpoint',
    meta: { profile: [SE_ENDPOINT] },
    extension: [
      {
        url: IG_EXTENSION,
        extension: [
          { url: 'guide', valueCanonical: 'http://hl7.org/fhir/uv/ips/ImplementationGuide/hl7.fhir.uv.ips' },
          { url: 'version', valueString: '1.1.0' },
        ],
      },
    ],
    status: 'active',
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
    managingOrganization: { reference: 'Organization/region-exempel' },
    payloadType: [{ coding: [{ system: INFORMATION_TYPE, code: 'patient-summary' }] }],
    payloadMimeType: ['application/fhir+json'],
    address: 'https://fhir.region-exempel.se/r4',
    period: { start: '2025-01-01' },
  };
}

/** The issues validate() throws, asserting that it throws the catalogue's FhirError. */
function refusal(resource: object, profile?: string): readonly IssueDetail[] {
  try {
    validator.validate(resource as Patient, profile);
  } catch (e) {
    expect(e).toBeInstanceOf(FhirError);
    const err = e as FhirError;
    expect(err.code).toBe('MESH-FHIR-008');
    expect(err.status).toBe(422);
    return err.issues;
  }
  throw new Error('the resource was accepted');
}

function issueAt(issues: readonly IssueDetail[], expression: string): IssueDetail {
  const found = issues.find((i) => i.expression === expression);
  if (!found) throw new Error(`no issue at ${expression}; got ${JSON.stringify(issues)}`);
  return found;
}

describe('valid resources pass', () => {
  test('an SEOrganization and an SEEndpoint', () => {
    expect(validator.check(organization())).toEqual([]);
    expect(validator.check(endpoint())).toEqual([]);
    expect(() => validator.validate(endpoint(), SE_ENDPOINT)).not.toThrow();
  });

  test('a base R4 Patient with a primitive extension and a contained resource', () => {
    const patient = {
      resourceType: 'Patient',
      gender: 'female',
      birthDate: '1980-01-01',
      _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1980-01-01T10:00:00Z' }] },
      name: [{ family: 'Andersson', given: ['Anna', 'Maria'], _given: [null, { extension: [{ url: 'http://example.org/fhir/x', valueString: 'y' }] }] }],
      generalPractitioner: [{ reference: '#gp' }],
      contained: [{ resourceType: 'Organization', id: 'gp', name: 'Vårdcentralen' }],
    };
    expect(validator.check(patient)).toEqual([]);
  });
});

describe('FHIR R4 structure', () => {
  test("Patient.gender 'xyz' is refused as code-invalid at Patient.gender", () => {
    const issue = issueAt(refusal({ resourceType: 'Patient', gender: 'xyz' }), 'Patient.gender');
    expect(issue.type).toBe('code-invalid');
    expect(issue.diagnostics).toBe("Patient.gender: 'xyz' is not in the required value set http://hl7.org/fhir/ValueSet/administrative-gender");
  });

  test('the OperationOutcome names the element and the catalogue code', () => {
    try {
      validator.validate({ resourceType: 'Patient', gender: 'xyz' } as unknown as Patient);
      throw new Error('accepted');
    } catch (e) {
      const outcome = (e as FhirError).toOperationOutcome();
      expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: 'code-invalid', expression: ['Patient.gender'] });
      expect(outcome.issue[0]?.details?.coding?.[0]?.code).toBe('MESH-FHIR-008');
    }
  });

  test('a value of the wrong type', () => {
    const issues = refusal({ resourceType: 'Patient', birthDate: 19800101, active: 'yes' });
    expect(issueAt(issues, 'Patient.birthDate').type).toBe('structure');
    expect(issueAt(issues, 'Patient.active').type).toBe('structure');
  });

  test('a scalar where a complex type belongs (which @medplum/core lets through)', () => {
    const issues = refusal({ resourceType: 'Organization', name: 'X', contact: [{ purpose: 'billing' }] });
    expect(issueAt(issues, 'Organization.contact[0].purpose').diagnostics).toContain('expected a CodeableConcept');
  });

  test('a missing required element', () => {
    const { status: _status, ...withoutStatus } = endpoint();
    expect(issueAt(refusal(withoutStatus), 'Endpoint.status').diagnostics).toContain('Missing required property');
  });

  test('an element R4 does not define', () => {
    const issues = refusal({ resourceType: 'Patient', gender: 'male', favouriteColour: 'blue' });
    expect(issueAt(issues, 'Patient.favouriteColour').type).toBe('structure');
  });

  test('a bad code under a required binding in a nested element', () => {
    const issues = refusal({
      ...organization(),
      telecom: [
        { system: 'phone', value: '1' },
        { system: 'pigeon', value: '2' },
      ],
    });
    const issue = issueAt(issues, 'Organization.telecom[1].system');
    expect(issue.type).toBe('code-invalid');
    expect(issue.diagnostics).toContain('http://hl7.org/fhir/ValueSet/contact-point-system');
    expect(issues).toHaveLength(1);
  });

  test('Endpoint.status and Consent.status are held to their required value sets', () => {
    expect(issueAt(refusal({ ...endpoint(), status: 'on' }), 'Endpoint.status').type).toBe('code-invalid');
    const consent = {
      resourceType: 'Consent',
      status: 'approved',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    };
    expect(issueAt(refusal(consent), 'Consent.status').diagnostics).toContain('http://hl7.org/fhir/ValueSet/consent-state-codes');
    expect(validator.check({ ...consent, status: 'active' })).toEqual([]);
  });

  test('a resource inside a Bundle is checked too', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { resourceType: 'Patient', gender: 'mal' }, request: { method: 'POST', url: 'Patient' } }],
    };
    expect(issueAt(refusal(bundle), 'Bundle.entry[0].resource.gender').type).toBe('code-invalid');
  });

  test('a reference to a resource type the element does not allow', () => {
    const issues = refusal({ resourceType: 'Organization', name: 'X', partOf: { reference: 'Patient/1' } });
    expect(issueAt(issues, 'Organization.partOf').diagnostics).toContain('may refer only to Organization');
  });

  test('not a resource at all', () => {
    expect(validator.check('text')).toHaveLength(1);
    expect(validator.check({ name: 'x' })[0]?.diagnostics).toContain('no resourceType');
    expect(validator.check({ resourceType: 'Patientt' })[0]?.diagnostics).toContain('not a FHIR R4 resource type');
  });
});

describe('our profiles', () => {
  test('SEOrganization needs exactly one HSA-id, with a value', () => {
    const noHsa = refusal({ ...organization(), identifier: [{ system: 'urn:oid:2.5.4.97', value: '232100-0016' }] });
    expect(issueAt(noHsa, 'Organization.identifier').diagnostics).toContain("slice 'hsaId'");
    const noValue = refusal({ ...organization(), identifier: [{ system: HSA }] });
    expect(issueAt(noValue, 'Organization.identifier[0].value').type).toBe('required');
  });

  test('SEOrganization needs a name and active', () => {
    const { name: _name, active: _active, ...rest } = organization();
    const issues = refusal(rest);
    issueAt(issues, 'Organization.name');
    issueAt(issues, 'Organization.active');
    // The same resource without the profile claim is a valid R4 Organization.
    expect(validator.check({ ...rest, identifier: [{ system: HSA }], meta: undefined })).toEqual([]);
  });

  test('an Endpoint payloadType outside the information-type value set', () => {
    const bad = { ...endpoint(), payloadType: [{ coding: [{ system: INFORMATION_TYPE, code: 'horoscope' }] }] };
    const issue = issueAt(refusal(bad), 'Endpoint.payloadType[0]');
    expect(issue.type).toBe('code-invalid');
    expect(issue.diagnostics).toContain('https://ndi-mesh.se/fhir/ValueSet/information-type');
    // R4 binds payloadType by example only: without our profile the same code is acceptable.
    expect(validator.check({ ...bad, meta: undefined })).toEqual([]);
    // Text alone is no code from the value set.
    expect(issueAt(refusal({ ...endpoint(), payloadType: [{ text: 'patient summary' }] }), 'Endpoint.payloadType[0]').type).toBe('code-invalid');
  });

  test('the profile applies when the caller names it, even without meta.profile', () => {
    const { meta: _meta, ...bare } = endpoint();
    const bad = { ...bare, payloadType: [{ coding: [{ system: INFORMATION_TYPE, code: 'horoscope' }] }] };
    expect(validator.check(bad)).toEqual([]);
    issueAt(refusal(bad, SE_ENDPOINT), 'Endpoint.payloadType[0]');
  });

  test('an Endpoint address must be https (invariant se-endpoint-1)', () => {
    const issue = issueAt(refusal({ ...endpoint(), address: 'http://fhir.region-exempel.se/r4' }), 'Endpoint.address');
    expect(issue.type).toBe('invariant');
    expect(issue.diagnostics).toContain('se-endpoint-1');
  });

  test('an SEEndpoint is managed by an Organization', () => {
    const issues = refusal({ ...endpoint(), managingOrganization: { reference: 'Patient/1' } });
    expect(issueAt(issues, 'Endpoint.managingOrganization').diagnostics).toContain('Organization');
    const { managingOrganization: _m, ...unmanaged } = endpoint();
    issueAt(refusal(unmanaged), 'Endpoint.managingOrganization');
  });

  test('an unknown profile in meta.profile is ignored, and the resource still checked against R4', () => {
    const claimed = { ...endpoint(), meta: { profile: ['http://example.org/fhir/StructureDefinition/other'] } };
    expect(validator.check(claimed)).toEqual([]);
    issueAt(refusal({ ...claimed, status: 'bogus' }), 'Endpoint.status');
  });

  test('meta.profile naming a profile of another resource type', () => {
    const issues = refusal({ ...organization(), meta: { profile: [SE_ENDPOINT] } });
    expect(issueAt(issues, 'Organization.meta.profile[0]').diagnostics).toContain('a profile of Endpoint');
  });

  test('naming a profile that does not exist is a programming error, not bad input', () => {
    expect(() => validator.validate(endpoint(), 'https://ndi-mesh.se/fhir/StructureDefinition/no-such')).toThrow(/Unknown profile/);
    expect(validator.profileUrls()).toEqual(expect.arrayContaining([SE_ORGANIZATION, SE_ENDPOINT]));
  });
});

describe('our extensions', () => {
  const withGuide = (parts: object[]): Endpoint => ({ ...endpoint(), extension: [{ url: IG_EXTENSION, extension: parts as never }] });

  test('a value of a type the definition does not allow', () => {
    const issue = issueAt(refusal(withGuide([{ url: 'guide', valueString: 'IPS' }])), 'Endpoint.extension[0].extension[0].valueString');
    expect(issue.diagnostics).toContain('takes valueCanonical or valueUrl');
    expect(validator.check(withGuide([{ url: 'guide', valueUrl: 'https://inera.atlassian.net/wiki/x' }]))).toEqual([]);
  });

  test('a missing or repeated part, a part it does not define, a value on the complex extension', () => {
    expect(issueAt(refusal(withGuide([{ url: 'version', valueString: '1' }])), 'Endpoint.extension[0]').diagnostics).toContain("needs 1..1 'guide'");
    const guide = { url: 'guide', valueCanonical: 'http://example.org/ig' };
    expect(issueAt(refusal(withGuide([guide, guide])), 'Endpoint.extension[0]').diagnostics).toContain('found 2');
    expect(issueAt(refusal(withGuide([guide, { url: 'versoin', valueString: '1' }])), 'Endpoint.extension[0].extension[1]').type).toBe('extension');
    const valued = { ...endpoint(), extension: [{ url: IG_EXTENSION, valueString: 'IPS' }] };
    expect(issueAt(refusal(valued), 'Endpoint.extension[0].valueString').diagnostics).toContain('takes no value');
  });

  test('used where its context does not allow', () => {
    const issues = refusal({ ...organization(), extension: [{ url: IG_EXTENSION, extension: [{ url: 'guide', valueUrl: 'https://x.se' }] }] });
    expect(issueAt(issues, 'Organization.extension[0]').diagnostics).toContain('may be used on Endpoint only');
  });

  test('a url in our namespace that names no extension; other extensions pass', () => {
    const ours = { ...organization(), extension: [{ url: 'https://ndi-mesh.se/fhir/StructureDefinition/implementation-gide', valueString: 'x' }] };
    expect(issueAt(refusal(ours), 'Organization.extension[0]').type).toBe('extension');
    const foreign = { ...organization(), extension: [{ url: 'http://example.org/fhir/StructureDefinition/anything', valueInteger: 3 }] };
    expect(validator.check(foreign)).toEqual([]);
  });

  test('our extension in modifierExtension', () => {
    const issues = refusal({ ...endpoint(), extension: undefined, modifierExtension: endpoint().extension });
    expect(issueAt(issues, 'Endpoint.modifierExtension[0]').diagnostics).toContain('is not a modifier extension');
  });
});

describe('value sets for services', () => {
  test('valueSetContains answers for R4 and for our value sets', () => {
    expect(validator.valueSetContains('http://hl7.org/fhir/ValueSet/administrative-gender', undefined, 'female')).toBe(true);
    expect(validator.valueSetContains('http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1', 'http://hl7.org/fhir/administrative-gender', 'xyz')).toBe(
      false,
    );
    const ours = 'https://ndi-mesh.se/fhir/ValueSet/information-type';
    expect(validator.valueSetContains(ours, INFORMATION_TYPE, 'eprescription')).toBe(true);
    expect(validator.valueSetContains(ours, 'http://example.org/other', 'eprescription')).toBe(false);
    expect([...(validator.valueSetCodes(ours)?.get(INFORMATION_TYPE) ?? [])].sort()).toEqual([
      'discharge-report',
      'edispensation',
      'eprescription',
      'laboratory-results',
      'medical-imaging',
      'patient-summary',
    ]);
  });

  test('a value set that cannot be expanded here is reported, not guessed', () => {
    expect(validator.uncheckedValueSets().has('http://hl7.org/fhir/ValueSet/mimetypes')).toBe(true);
    expect(() => validator.valueSetContains('http://hl7.org/fhir/ValueSet/mimetypes', undefined, 'text/plain')).toThrow(/cannot be checked/);
    // So a binding to it never produces a false refusal.
    expect(validator.check({ ...endpoint(), payloadMimeType: ['application/x-anything'] })).toEqual([]);
  });
});
