import { getSearchParameter, parseFhirPath, type FhirPathAtom } from '@medplum/core';
import { loadR4 } from './r4.ts';

export type SearchParamType = 'token' | 'string' | 'reference' | 'date' | 'uri';

/** A search parameter a service declares: by base R4 code, or defined in full. */
export interface SearchParamDef {
  readonly code: string;
  readonly type: SearchParamType;
  /** FHIRPath over the resource, as in a SearchParameter's `expression`. */
  readonly expression: string;
  /** For references: the resource types it may point at. */
  readonly targets?: readonly string[];
  readonly description?: string;
  /** Canonical URL of the SearchParameter, shown in the CapabilityStatement. */
  readonly url?: string;
  /** Tokens only: stored and searched only as `system|value` (or `|value`); see tokenKeys. */
  readonly exact?: boolean;
}

export interface CompiledSearchParam extends SearchParamDef {
  /** The typed column(s) the values are extracted into: `sp_<code>` (dates: `_lo` and `_hi`). */
  readonly column: string;
  readonly atom: FhirPathAtom;
}

const SUPPORTED: readonly string[] = ['token', 'string', 'reference', 'date', 'uri'];

/** Resolves a base R4 search parameter by code, or takes a full definition. */
export function compileSearchParam(resourceType: string, param: string | SearchParamDef): CompiledSearchParam {
  const def = typeof param === 'string' ? baseSearchParam(resourceType, param) : param;
  if (!/^[a-z][a-z0-9-]*$/.test(def.code)) throw new Error(`Search parameter code ${def.code} is not a plain lower-case code`);
  if (!SUPPORTED.includes(def.type)) throw new Error(`${resourceType}.${def.code}: search parameters of type ${def.type} are not supported yet`);
  if (def.exact && def.type !== 'token') throw new Error(`${resourceType}.${def.code}: only token parameters can be exact`);
  return { ...def, column: `sp_${def.code.replace(/-/g, '_')}`, atom: parseFhirPath(def.expression) };
}

function baseSearchParam(resourceType: string, code: string): SearchParamDef {
  loadR4();
  const sp = getSearchParameter(resourceType, code);
  if (!sp?.expression) throw new Error(`${resourceType} has no base R4 search parameter ${code}`);
  // Base expressions cover several resource types (`Organization.name | Location.name`); keep ours.
  const expression = sp.expression
    .split('|')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${resourceType}.`) || part.startsWith(`(${resourceType}.`))
    .join(' | ');
  return {
    code,
    type: sp.type as SearchParamType,
    expression: expression || sp.expression,
    targets: sp.target,
    description: sp.description,
    url: sp.url,
  };
}
