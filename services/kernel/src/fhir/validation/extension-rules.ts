// What an extension definition allows, read once from its snapshot into a small rule: the value types,
// the sub-extensions of a complex extension with their cardinalities, where it may be used.
// @medplum/core validates an extension only as the base Extension type (any value of any type).
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

export interface ValueRule {
  readonly min: number;
  /** The JSON property names allowed (e.g. `valueCanonical`) and the type each carries (`canonical`). */
  readonly properties: ReadonlyMap<string, string>;
  /** A required binding on the value, if any. */
  readonly requiredValueSet?: string;
}

export interface ExtensionRule {
  readonly url: string;
  /** How messages name it: the url, or for a part of a complex extension "'guide' of <url>". */
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Undefined: the extension takes no value (max 0), as a complex extension. */
  readonly value?: ValueRule;
  /** Sub-extensions defined by this one, by their (usually relative) url. */
  readonly children: ReadonlyMap<string, ExtensionRule>;
  /** Whether sub-extensions other than the defined ones are refused. */
  readonly closed: boolean;
  /** False when `Extension.extension` is 0..0 (a simple extension). */
  readonly allowsChildren: boolean;
  readonly isModifier: boolean;
  /** The element paths where the extension may be used; undefined when the contexts say anything at all. */
  readonly contexts?: ReadonlySet<string>;
}

function cardinality(max: string | undefined): number {
  return max === undefined || max === '*' ? Number.POSITIVE_INFINITY : Number.parseInt(max, 10);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function valueRule(element: ElementDefinition | undefined): ValueRule | undefined {
  if (!element || element.max === '0') return undefined;
  const binding = element.binding;
  return {
    min: element.min ?? 0,
    properties: new Map((element.type ?? []).map((t) => [`value${capitalize(t.code)}`, t.code])),
    ...(binding?.strength === 'required' && binding.valueSet ? { requiredValueSet: binding.valueSet } : {}),
  };
}

/** Contexts of resource element paths only (`Endpoint`, `Patient.address`): anything else is not checked. */
function contexts(sd: StructureDefinition, isResourceType: (t: string) => boolean): Set<string> | undefined {
  const paths = new Set<string>();
  for (const context of sd.context ?? []) {
    const root = context.expression.split('.')[0] ?? '';
    if (context.type !== 'element' || !isResourceType(root)) return undefined;
    paths.add(context.expression);
  }
  return paths.size > 0 ? paths : undefined;
}

function ruleAt(
  byId: ReadonlyMap<string, ElementDefinition>,
  prefix: string,
  url: string,
  label: string,
  min: number,
  max: number,
  isModifier: boolean,
): ExtensionRule {
  const children = new Map<string, ExtensionRule>();
  const sliceStart = `${prefix}.extension:`;
  for (const [id, element] of byId) {
    if (!id.startsWith(sliceStart) || id.slice(sliceStart.length).includes('.')) continue;
    const childPrefix = id;
    const childUrl = byId.get(`${childPrefix}.url`)?.fixedUri;
    if (!childUrl) continue;
    children.set(
      childUrl,
      ruleAt(byId, childPrefix, childUrl, `'${childUrl}' of ${label}`, element.min ?? 0, cardinality(element.max), element.isModifier ?? false),
    );
  }
  const extensionElement = byId.get(`${prefix}.extension`);
  return {
    url,
    label,
    min,
    max,
    value: valueRule(byId.get(`${prefix}.value[x]`)),
    children,
    closed: extensionElement?.slicing?.rules === 'closed',
    allowsChildren: extensionElement?.max !== '0',
    isModifier,
  };
}

export function compileExtensionRule(sd: StructureDefinition, isResourceType: (t: string) => boolean): ExtensionRule {
  const elements = sd.snapshot?.element ?? [];
  const byId = new Map(elements.map((e) => [e.id ?? e.path, e]));
  const root = byId.get('Extension');
  const rule = ruleAt(byId, 'Extension', sd.url, sd.url, root?.min ?? 0, cardinality(root?.max), root?.isModifier ?? false);
  const where = contexts(sd, isResourceType);
  return where ? { ...rule, contexts: where } : rule;
}
