import { readFile, writeFile } from 'node:fs/promises';
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import { PURPOSE, settingsMarkdown, type BasisInput } from '@ndi-mesh/kernel';
import type { TestService } from '@ndi-mesh/kernel/testing';
import { LOCATE_RULES } from '../src/domain/locate-rules.ts';
import { PDI_LOCATION_PROFILE } from '../src/domain/read-model.ts';
import { pdiSettingsTable } from '../src/settings.ts';
import { as, startPdiMesh, type PdiMesh } from './support/mesh.ts';

// The implementation guide's examples are what integrators copy: each request is sent to a real
// index and each documented answer must be what it actually answers. Run with
// PDI_WRITE_EXAMPLES=1 to rewrite the answers after a deliberate change, then review the diff.
const GUIDE = new URL('../../../implementation-guides/patient-data-index/', import.meta.url);
const read = async (name: string) => readFile(new URL(name, GUIDE), 'utf8');
const example = async (name: string) => JSON.parse(await read(`examples/${name}`)) as unknown;

const PROVIDER = 'SE0099057234-O6ZHJ83T';
const REQUESTER = 'SE0099858706-OJ4VFGF7';
const DOCTOR = 'SE0099858706-P0X97QJB';
const PATIENT = 'urn:oid:1.2.752.129.2.1.3.1|199309132380';

let mesh: PdiMesh;
let ehr: TestService;
let requester: TestService;
beforeAll(async () => {
  mesh = await startPdiMesh({
    providers: [
      { hsaId: PROVIDER, name: 'Region Exempel', endpoints: [{ address: 'https://fhir.region-exempel.se/patient-summary', types: ['patient-summary'] }] },
    ],
  });
  ehr = await mesh.caller('ehr', ['care-provider-system'], PROVIDER);
  requester = await mesh.caller('requester', ['care-provider-system'], REQUESTER);
});
afterAll(async () => mesh?.close());

/** Our hosts and random ids stand in for the example's: the same UUID becomes the same placeholder. */
function normalise(value: unknown): unknown {
  const ids = new Map<string, string>();
  const text = JSON.stringify(value)
    .replaceAll(mesh.pdi.url!, 'https://pdi.ndi-mesh.example')
    .replaceAll(mesh.catalogue.url, 'https://catalogue.ndi-mesh.example')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `00000000-0000-4000-8000-${String(ids.size + 1).padStart(12, '0')}`);
      return ids.get(id)!;
    })
    .replace(/"lastUpdated":"[^"]+"/g, '"lastUpdated":"2026-03-01T12:00:00.000Z"');
  return JSON.parse(text);
}

async function documented(name: string, actual: unknown): Promise<void> {
  if (process.env.PDI_WRITE_EXAMPLES === '1') await writeFile(new URL(`examples/${name}`, GUIDE), `${JSON.stringify(normalise(actual), null, 2)}\n`);
  expect(normalise(actual)).toEqual(await example(name));
}

test('the $sharing-events example gets the documented batch-response', async () => {
  const basis: BasisInput = { organisation: { hsaId: PROVIDER }, purposeOfUse: PURPOSE.administration };
  const res = await as(ehr, mesh.pdi, basis).post('/fhir/$sharing-events', await example('sharing-events-request.json'));
  expect(res.status).toBe(200);
  await documented('sharing-events-response.json', res.body);
});

test('the $locate example gets the documented searchset, and each location conforms to pdi-location', async () => {
  const basis: BasisInput = { organisation: { hsaId: REQUESTER }, person: { hsaId: DOCTOR, role: 'doctor' }, purposeOfUse: PURPOSE.treatment };
  const res = await as(requester, mesh.pdi, basis).get(`/fhir/$locate?patient=${encodeURIComponent(PATIENT)}&information-type=patient-summary`);
  expect(res.status).toBe(200);
  const bundle = res.body as Bundle;
  expect(bundle.total).toBe(2);
  for (const e of bundle.entry!.filter((x) => x.search?.mode === 'match'))
    mesh.pdi.kernel.validator.validate(e.resource as DocumentReference, PDI_LOCATION_PROFILE);
  await documented('locate-response.json', res.body);
});

test('the guide lists the read-side rules in order, the settings, and links the update rules', async () => {
  const guide = await read('README.md');
  const listed = [...guide.matchAll(/^\| \*\*(PDI-L\d+)\*\* \|/gm)].map((m) => m[1]);
  expect(listed).toEqual(Object.keys(LOCATE_RULES));
  for (const [rule, text] of Object.entries(LOCATE_RULES)) expect(guide).toContain(`| **${rule}** | ${text} |`);
  expect(guide).toContain(settingsMarkdown(pdiSettingsTable));
  expect(guide).toContain('(rules.md)');
});
