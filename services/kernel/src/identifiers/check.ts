/**
 * The outcome of checking an identifier: the parsed identifier, or one sentence saying what
 * is wrong with it. The sentence goes into an OperationOutcome as is, so it names the rule that
 * failed and echoes no more of the input than the reader needs to find the mistake.
 */
export type IdentifierCheck<T> = { readonly ok: true; readonly identifier: T } | { readonly ok: false; readonly problem: string };

export function passed<T>(identifier: T): IdentifierCheck<T> {
  return { ok: true, identifier };
}

export function failed<T>(problem: string): IdentifierCheck<T> {
  return { ok: false, problem };
}

/** For the functions that throw a FhirError instead of returning a check. */
export interface ThrowOptions {
  /** "Today" for the future-date rule; defaults to the clock. */
  readonly now?: Date;
  /** FHIRPath or search parameter the OperationOutcome issue points at. */
  readonly expression?: string;
}

export function issueFor(diagnostics: string, expression: string | undefined): { diagnostics: string; expression?: string } {
  return expression === undefined ? { diagnostics } : { diagnostics, expression };
}
