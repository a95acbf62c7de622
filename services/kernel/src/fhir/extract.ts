import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { MINUS_INFINITY, parseFhirDateRange, PLUS_INFINITY } from './dates.ts';
import type { CompiledSearchParam } from './search-parameters.ts';
import { normaliseString, tokenKeys } from './tokens.ts';

/** Column name → value, ready to be written beside the resource's JSON. */
export type SearchColumns = Record<string, string[] | string | null>;

export function extractSearchColumns(params: readonly CompiledSearchParam[], resource: Resource): SearchColumns {
  const input = [toTypedValue(resource)];
  const out: SearchColumns = {};
  for (const p of params) {
    const values = evalFhirPathTyped(p.atom, input);
    if (p.type === 'date') {
      const ranges = values.map(dateRangeOf).filter((r): r is { lo: string; hi: string } => r !== undefined);
      // Several dates collapse to their envelope: a search may match a little more, never less.
      out[`${p.column}_lo`] = ranges.length ? ranges.map((r) => r.lo).sort(compareInstant)[0]! : null;
      out[`${p.column}_hi`] = ranges.length
        ? ranges
            .map((r) => r.hi)
            .sort(compareInstant)
            .at(-1)!
        : null;
      continue;
    }
    const keys = new Set<string>();
    for (const v of values) for (const k of keysOf(p, v)) keys.add(k);
    out[p.column] = keys.size ? [...keys] : null;
  }
  return out;
}

function keysOf(p: CompiledSearchParam, v: TypedValue): string[] {
  const value = v.value as unknown;
  switch (p.type) {
    case 'token':
      return tokenValueKeys(v, p.exact === true);
    case 'string':
      return stringValues(v).map(normaliseString);
    case 'reference': {
      const ref = typeof value === 'string' ? value : (value as { reference?: string } | undefined)?.reference;
      if (!ref) return [];
      const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(ref);
      return m ? [`${m[1]}/${m[2]}`, m[2]!] : [ref];
    }
    case 'uri':
      return typeof value === 'string' ? [value] : [];
    default:
      return [];
  }
}

function tokenValueKeys(v: TypedValue, exact: boolean): string[] {
  const value = v.value as Record<string, unknown>;
  switch (v.type) {
    case 'Identifier':
      return tokenKeys(value.system as string | undefined, value.value as string | undefined, exact);
    case 'Coding':
      return tokenKeys(value.system as string | undefined, value.code as string | undefined, exact);
    case 'CodeableConcept':
      return ((value.coding as Record<string, string>[] | undefined) ?? []).flatMap((c) => tokenKeys(c.system, c.code, exact));
    case 'ContactPoint':
      return tokenKeys(value.system as string | undefined, value.value as string | undefined, exact);
    case 'boolean':
      return tokenKeys(undefined, String(v.value), exact);
    default:
      return typeof v.value === 'string' ? tokenKeys(undefined, v.value, exact) : [];
  }
}

function stringValues(v: TypedValue): string[] {
  const value = v.value as Record<string, unknown>;
  if (typeof v.value === 'string') return [v.value];
  if (v.type === 'HumanName') return [value.text, value.family, ...((value.given as string[]) ?? []), ...((value.prefix as string[]) ?? [])].filter(isString);
  if (v.type === 'Address')
    return [value.text, ...((value.line as string[]) ?? []), value.city, value.district, value.state, value.postalCode, value.country].filter(isString);
  return [];
}

function dateRangeOf(v: TypedValue): { lo: string; hi: string } | undefined {
  if (typeof v.value === 'string') return parseFhirDateRange(v.value);
  if (v.type === 'Period') {
    const p = v.value as { start?: string; end?: string };
    const lo = p.start ? parseFhirDateRange(p.start)?.lo : MINUS_INFINITY;
    const hi = p.end ? parseFhirDateRange(p.end)?.hi : PLUS_INFINITY;
    return lo && hi ? { lo, hi } : undefined;
  }
  return undefined;
}

function compareInstant(a: string, b: string): number {
  if (a === b) return 0;
  if (a === MINUS_INFINITY || b === PLUS_INFINITY) return -1;
  if (a === PLUS_INFINITY || b === MINUS_INFINITY) return 1;
  return a < b ? -1 : 1;
}

function isString(x: unknown): x is string {
  return typeof x === 'string';
}
