// Fast membership tests for value sets, expanded once (at start for every value set that a required
// binding names, on first use for any other).
import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { canonicalUrl, ValueSetExpander } from './value-set-expansion.ts';

interface Lookup {
  readonly bySystem: ReadonlyMap<string, ReadonlySet<string>>;
  /** Every code of every system: for `code` elements, whose system the value set implies. */
  readonly all: ReadonlySet<string>;
}

export class Terminology {
  private readonly expander: ValueSetExpander;
  private readonly lookups = new Map<string, Lookup | null>();
  private readonly reasons = new Map<string, string>();

  constructor(resources: Iterable<CodeSystem | ValueSet>, preload: Iterable<string>) {
    this.expander = new ValueSetExpander(resources);
    for (const url of preload) this.lookup(url);
  }

  /**
   * Whether the value set holds the code: `undefined` when that cannot be told here (the value set is
   * unknown or cannot be expanded locally). Without a system, any system of the value set matches.
   */
  contains(valueSetUrl: string, system: string | undefined, code: string): boolean | undefined {
    const lookup = this.lookup(valueSetUrl);
    if (!lookup) return undefined;
    return system === undefined ? lookup.all.has(code) : (lookup.bySystem.get(system)?.has(code) ?? false);
  }

  /** The codes of a value set by system, or undefined when it cannot be expanded here. */
  codes(valueSetUrl: string): ReadonlyMap<string, ReadonlySet<string>> | undefined {
    return this.lookup(valueSetUrl)?.bySystem;
  }

  /** Value sets that were needed but cannot be expanded here, with the reason: their bindings go unchecked. */
  unexpandable(): ReadonlyMap<string, string> {
    return this.reasons;
  }

  private lookup(valueSetUrl: string): Lookup | null {
    const url = canonicalUrl(valueSetUrl);
    const known = this.lookups.get(url);
    if (known !== undefined) return known;
    const result = this.expander.expand(url);
    let lookup: Lookup | null = null;
    if ('codes' in result) {
      const all = new Set<string>();
      for (const codes of result.codes.values()) for (const code of codes) all.add(code);
      lookup = { bySystem: result.codes, all };
    } else {
      this.reasons.set(url, result.unexpandable);
    }
    this.lookups.set(url, lookup);
    return lookup;
  }
}
