// Checks a coded value against a required binding (http://hl7.org/fhir/R4/terminologies.html#required).
// Extensible and preferred bindings are guidance, never errors.
import type { TypedValue } from '@medplum/core';
import type { IssueDetail } from '../../errors/index.ts';
import type { Terminology } from './terminology.ts';
import { canonicalUrl } from './value-set-expansion.ts';

interface CodingLike {
  system?: unknown;
  code?: unknown;
}

function show(coding: CodingLike): string {
  const code = String(coding.code);
  return typeof coding.system === 'string' ? `${coding.system}#${code}` : `'${code}'`;
}

function codingIn(terminology: Terminology, url: string, coding: CodingLike): boolean | undefined {
  if (typeof coding.code !== 'string') return undefined;
  return terminology.contains(url, typeof coding.system === 'string' ? coding.system : undefined, coding.code);
}

/**
 * The problem with `value` at `path` under a required binding to `valueSetUrl`, if any. Values that
 * cannot be judged (an unexpandable value set, a Coding without a code) pass: a check we cannot make
 * must not reject valid data.
 */
export function checkRequiredBinding(terminology: Terminology, valueSetUrl: string, value: TypedValue, path: string): IssueDetail | undefined {
  const url = canonicalUrl(valueSetUrl);
  const fail = (what: string): IssueDetail => ({
    expression: path,
    type: 'code-invalid',
    diagnostics: `${path}: ${what} the required value set ${url}`,
  });
  const v = value.value as unknown;
  switch (value.type) {
    case 'code':
    case 'string':
    case 'uri': {
      if (typeof v !== 'string') return undefined;
      return terminology.contains(url, undefined, v) === false ? fail(`'${v}' is not in`) : undefined;
    }
    case 'Coding':
    case 'Quantity': {
      if (!v || typeof v !== 'object') return undefined;
      return codingIn(terminology, url, v as CodingLike) === false ? fail(`${show(v as CodingLike)} is not in`) : undefined;
    }
    case 'CodeableConcept': {
      if (!v || typeof v !== 'object') return undefined;
      if (terminology.codes(url) === undefined) return undefined;
      const codings = ((v as { coding?: unknown }).coding ?? []) as CodingLike[];
      if (!Array.isArray(codings)) return undefined;
      const judged = codings.map((c) => (c && typeof c === 'object' ? codingIn(terminology, url, c) : undefined));
      if (judged.some((inSet) => inSet === true)) return undefined;
      if (codings.length === 0) return fail('there is no coding from');
      return fail(`none of the codings (${codings.map(show).join(', ')}) is in`);
    }
    default:
      return undefined;
  }
}
