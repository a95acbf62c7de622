// Expands ValueSets locally, from the CodeSystems and ValueSets we hold, into sets of codes.
// A value set that cannot be expanded completely from what we hold (a filter, a code system we do not
// have in full such as UCUM, BCP-47 or SNOMED CT) is reported as unexpandable: callers then skip the
// check rather than reject valid codes.
import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from '@medplum/fhirtypes';

/** Codes by code system url. */
export type Expansion = ReadonlyMap<string, ReadonlySet<string>>;

type Result = { readonly codes: Map<string, Set<string>> } | { readonly unexpandable: string };

/** Drops a `|version` suffix: we hold one version of each definition. */
export function canonicalUrl(url: string): string {
  const bar = url.indexOf('|');
  return bar === -1 ? url : url.slice(0, bar);
}

function addConcepts(concepts: readonly CodeSystemConcept[] | undefined, into: Set<string>): void {
  for (const concept of concepts ?? []) {
    if (concept.code) into.add(concept.code);
    if (concept.concept) addConcepts(concept.concept, into);
  }
}

function intersect(a: Map<string, Set<string>>, b: Map<string, Set<string>>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [system, codes] of a) {
    const other = b.get(system);
    if (!other) continue;
    const both = new Set([...codes].filter((c) => other.has(c)));
    if (both.size > 0) out.set(system, both);
  }
  return out;
}

export class ValueSetExpander {
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly results = new Map<string, Result>();
  private readonly inProgress = new Set<string>();

  constructor(resources: Iterable<CodeSystem | ValueSet>) {
    for (const resource of resources) {
      if (!resource.url) continue;
      if (resource.resourceType === 'CodeSystem') {
        // A supplement adds designations and properties, not codes.
        if (!resource.supplements) this.codeSystems.set(resource.url, resource);
      } else {
        this.valueSets.set(resource.url, resource);
      }
    }
  }

  /** The codes of a value set, or a reason why it cannot be expanded from what we hold. */
  expand(url: string): { codes: Expansion } | { unexpandable: string } {
    return this.expandCanonical(canonicalUrl(url));
  }

  private expandCanonical(url: string): Result {
    const known = this.results.get(url);
    if (known) return known;
    if (this.inProgress.has(url)) return { unexpandable: `${url} includes itself` };
    this.inProgress.add(url);
    let result: Result;
    try {
      result = this.compute(url);
    } finally {
      this.inProgress.delete(url);
    }
    this.results.set(url, result);
    return result;
  }

  private compute(url: string): Result {
    const valueSet = this.valueSets.get(url);
    if (!valueSet) return { unexpandable: `the value set ${url} is not known here` };
    const compose = valueSet.compose;
    if (!compose) return this.fromExpansion(valueSet);
    if (compose.inactive === false) return { unexpandable: `${url} leaves out inactive codes, which we cannot tell` };
    const codes = new Map<string, Set<string>>();
    for (const include of compose.include) {
      const part = this.component(include);
      if ('unexpandable' in part) return part;
      for (const [system, set] of part.codes) {
        const into = codes.get(system) ?? new Set<string>();
        for (const code of set) into.add(code);
        codes.set(system, into);
      }
    }
    for (const exclude of compose.exclude ?? []) {
      const part = this.component(exclude);
      if ('unexpandable' in part) return part;
      for (const [system, set] of part.codes) {
        const from = codes.get(system);
        if (!from) continue;
        for (const code of set) from.delete(code);
      }
    }
    return { codes };
  }

  /** A value set published with an expansion only (no compose), as some of HL7's are. */
  private fromExpansion(valueSet: ValueSet): Result {
    const contains = valueSet.expansion?.contains;
    if (!contains || (valueSet.expansion?.total !== undefined && valueSet.expansion.total !== contains.length)) {
      return { unexpandable: `${valueSet.url} has neither a compose nor a complete expansion` };
    }
    const codes = new Map<string, Set<string>>();
    const walk = (items: typeof contains): void => {
      for (const item of items) {
        if (item.system && item.code) {
          const set = codes.get(item.system) ?? new Set<string>();
          set.add(item.code);
          codes.set(item.system, set);
        }
        if (item.contains) walk(item.contains);
      }
    };
    walk(contains);
    return { codes };
  }

  /** One include or exclude: (the system's codes, or the listed ones) ∩ every imported value set. */
  private component(component: ValueSetComposeInclude): Result {
    let codes: Map<string, Set<string>> | undefined;
    if (component.system) {
      if (component.filter?.length) {
        return { unexpandable: `a filter on ${component.system} is not evaluated here` };
      }
      const set = new Set<string>();
      if (component.concept?.length) {
        for (const concept of component.concept) set.add(concept.code);
      } else {
        const codeSystem = this.codeSystems.get(component.system);
        if (!codeSystem) return { unexpandable: `the code system ${component.system} is not held here` };
        if (codeSystem.content && codeSystem.content !== 'complete') {
          return { unexpandable: `the code system ${component.system} is held only in part (${codeSystem.content})` };
        }
        if (codeSystem.caseSensitive === false) {
          return { unexpandable: `the code system ${component.system} is case-insensitive` };
        }
        addConcepts(codeSystem.concept, set);
      }
      codes = new Map([[component.system, set]]);
    }
    for (const imported of component.valueSet ?? []) {
      const part = this.expandCanonical(canonicalUrl(imported));
      if ('unexpandable' in part) return part;
      codes = codes ? intersect(codes, part.codes) : new Map([...part.codes].map(([s, c]) => [s, new Set(c)]));
    }
    return { codes: codes ?? new Map() };
  }
}
