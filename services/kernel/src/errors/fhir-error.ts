import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { errorCatalogue, type ErrorCode, type IssueType } from './catalogue.ts';

export const ERROR_CODE_SYSTEM = 'https://ndi-mesh.se/fhir/CodeSystem/error-code';

export interface IssueDetail {
  readonly diagnostics: string;
  /** FHIRPath of the element at fault, e.g. `Patient.gender`. */
  readonly expression?: string;
  /** Overrides the catalogue's issue type for this one issue (e.g. `code-invalid`). */
  readonly type?: IssueType;
}

/**
 * The one error type of the mesh. Carries a catalogue code and one or more issues;
 * the HTTP layer turns it into an OperationOutcome with the catalogue's status.
 */
export class FhirError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: readonly IssueDetail[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, detail: string | IssueDetail | readonly IssueDetail[], headers: Record<string, string> = {}) {
    const issues: readonly IssueDetail[] = typeof detail === 'string' ? [{ diagnostics: detail }] : Array.isArray(detail) ? detail : [detail as IssueDetail];
    super(`${code}: ${issues.map((i) => i.diagnostics).join('; ')}`);
    this.name = 'FhirError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.issues = issues;
    this.headers = headers;
  }

  toOperationOutcome(): OperationOutcome {
    const def = errorCatalogue[this.code];
    return operationOutcome(
      this.issues.map((i) => ({
        severity: 'error',
        code: i.type ?? def.type,
        details: { coding: [{ system: ERROR_CODE_SYSTEM, code: this.code, display: def.title }], text: def.title },
        diagnostics: i.diagnostics,
        ...(i.expression ? { expression: [i.expression] } : {}),
      })),
    );
  }
}

export function operationOutcome(issue: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue };
}

export function informational(diagnostics: string): OperationOutcome {
  return operationOutcome([{ severity: 'information', code: 'informational', diagnostics }]);
}

export function isFhirError(err: unknown): err is FhirError {
  return err instanceof FhirError;
}
