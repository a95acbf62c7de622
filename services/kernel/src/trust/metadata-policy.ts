import { TrustError } from './oauth-error.ts';

/** `metadata_policy`: entity type → metadata parameter → operators (OpenID Federation 1.0 §6.1). */
export type MetadataPolicy = Record<string, Record<string, ParameterPolicy>>;
export type Metadata = Record<string, Record<string, unknown>>;
export interface ParameterPolicy {
  value?: unknown;
  add?: unknown[];
  default?: unknown;
  one_of?: unknown[];
  subset_of?: unknown[];
  superset_of?: unknown[];
  essential?: boolean;
}

const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const has = (list: unknown[], v: unknown) => list.some((x) => eq(x, v));

/** Combines a superior's policy with a subordinate's, top-down along the chain (§6.1.4.2). */
export function combinePolicies(superior: MetadataPolicy | undefined, subordinate: MetadataPolicy | undefined): MetadataPolicy {
  const out: MetadataPolicy = structuredClone(superior ?? {});
  for (const [type, params] of Object.entries(subordinate ?? {})) {
    const target = (out[type] ??= {});
    for (const [name, p] of Object.entries(params)) {
      const t = (target[name] ??= {});
      const where = `${type}.${name}`;
      if ('value' in p) {
        if ('value' in t && !eq(t.value, p.value)) throw new TrustError('broken-chain', `metadata_policy conflict on ${where}: two different values`);
        t.value = p.value;
      }
      if (p.add) t.add = [...asArray(t.add), ...p.add.filter((v) => !has(asArray(t.add), v))];
      if ('default' in p) {
        if ('default' in t && !eq(t.default, p.default)) throw new TrustError('broken-chain', `metadata_policy conflict on ${where}: two different defaults`);
        t.default = p.default;
      }
      if (p.one_of) t.one_of = t.one_of ? t.one_of.filter((v) => has(p.one_of!, v)) : [...p.one_of];
      if (p.subset_of) t.subset_of = t.subset_of ? t.subset_of.filter((v) => has(p.subset_of!, v)) : [...p.subset_of];
      if (p.superset_of) t.superset_of = [...asArray(t.superset_of), ...p.superset_of.filter((v) => !has(asArray(t.superset_of), v))];
      if (p.essential) t.essential = true;
    }
  }
  return out;
}

/** Applies a (combined) policy to an entity's metadata, in the order §6.1.3.1 gives the operators. */
export function applyPolicy(metadata: Metadata, policy: MetadataPolicy): Metadata {
  const out: Metadata = structuredClone(metadata);
  for (const [type, params] of Object.entries(policy)) {
    const md = out[type];
    if (!md) continue; // a policy for an entity type the entity does not have does not apply
    for (const [name, p] of Object.entries(params)) {
      const where = `${type}.${name}`;
      if ('value' in p) {
        if (p.value === null) delete md[name];
        else md[name] = structuredClone(p.value);
      }
      if (p.add && md[name] !== undefined) md[name] = [...asArray(md[name]), ...p.add.filter((v) => !has(asArray(md[name]), v))];
      else if (p.add) md[name] = [...p.add];
      if ('default' in p && md[name] === undefined) md[name] = structuredClone(p.default);
      if (p.one_of && md[name] !== undefined && !has(p.one_of, md[name]))
        throw new TrustError('broken-chain', `metadata ${where}=${JSON.stringify(md[name])} is not one of ${JSON.stringify(p.one_of)}`);
      if (p.subset_of && md[name] !== undefined) {
        const kept = asArray(md[name]).filter((v) => has(p.subset_of!, v));
        if (kept.length === 0) delete md[name];
        else md[name] = kept;
      }
      if (p.superset_of && md[name] !== undefined && !p.superset_of.every((v) => has(asArray(md[name]), v)))
        throw new TrustError('broken-chain', `metadata ${where} must include ${JSON.stringify(p.superset_of)}`);
      if (p.essential && md[name] === undefined) throw new TrustError('broken-chain', `metadata ${where} is required by the federation's policy`);
    }
  }
  return out;
}

/** The subordinate statement's `metadata` overrides what the entity says about itself (§3.1.3). */
export function overrideMetadata(own: Metadata, superior: Metadata | undefined): Metadata {
  const out: Metadata = structuredClone(own);
  for (const [type, params] of Object.entries(superior ?? {})) out[type] = { ...(out[type] ?? {}), ...structuredClone(params) };
  return out;
}
