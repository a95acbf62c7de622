import type { OperationOutcome } from '@medplum/fhirtypes';
import type { FieldName } from './endpoint-form.ts';

/** A refusal in words a person acts on, next to the field it concerns (or for the whole form). */
export interface FieldMessage {
  readonly field?: FieldName;
  readonly message: string;
}

const FIELD_OF: readonly [RegExp, FieldName][] = [
  [/^Endpoint\.address/, 'address'],
  [/^Endpoint\.status/, 'status'],
  [/^Endpoint\.payloadType/, 'informationTypes'],
  [/^Endpoint\.period\.end/, 'periodEnd'],
  [/^Endpoint\.period/, 'periodStart'],
  [/^Endpoint\.connectionType/, 'connectionType'],
  [/^Endpoint\.name/, 'name'],
  [/^Endpoint\.extension\[\d+\]\.extension\[1\]/, 'guideVersion'],
  [/^Endpoint\.extension/, 'guide'],
];

function addressMessage(diagnostics: string): string {
  if (/user name or password/.test(diagnostics)) return 'The address must not contain a user name or password.';
  if (/fragment/.test(diagnostics)) return 'The address must not end with a # part.';
  if (/white space/.test(diagnostics)) return 'The address must not contain spaces.';
  return 'Enter the full address of the API, starting with https://, for example https://fhir.example-vard.se/r4.';
}

/**
 * Translates the OperationOutcome issues of a refused write (validation, the catalogue's rules)
 * into messages for the form. The code and the router's own words stay available to support
 * staff in the page's details, so nothing the server said is lost.
 */
export function messagesFor(outcome: OperationOutcome): FieldMessage[] {
  const out: FieldMessage[] = [];
  for (const issue of outcome.issue) {
    const expression = issue.expression?.[0] ?? '';
    const diagnostics = issue.diagnostics ?? '';
    const field = FIELD_OF.find(([re]) => re.test(expression))?.[1];
    const code = issue.details?.coding?.[0]?.code;
    if (code === 'MESH-FHIR-005' || code === 'MESH-FHIR-006') {
      out.push({ message: 'Someone else saved this endpoint while you were editing it. The form now shows the saved version: make your changes again.' });
      continue;
    }
    switch (field) {
      case 'address':
        out.push({ field, message: addressMessage(diagnostics) });
        break;
      case 'status':
        out.push({ field, message: 'Choose one of the statuses in the list.' });
        break;
      case 'informationTypes':
        out.push({ field, message: 'Choose the kinds of information the API serves from the list.' });
        break;
      case 'periodEnd':
      case 'periodStart':
        if (code === 'MESH-NTK-003') out.push({ field: 'periodEnd', message: 'The last day must be the same as or after the first day.' });
        else if (code === 'MESH-NTK-002')
          out.push({
            field: 'periodStart',
            message: `Another active endpoint of your organisation already serves this over the same connection type in this period. ${diagnostics.replace(/^.*?which overlaps[^.]*\.\s*/, '')}`,
          });
        else out.push({ field, message: 'Enter dates as year-month-day, for example 2026-09-01.' });
        break;
      case 'connectionType':
        out.push({ field, message: 'Choose one of the connection types in the list.' });
        break;
      case 'guide':
        out.push({ field, message: 'Enter the implementation guide as a full web address, for example https://example.se/ig/patient-summary.' });
        break;
      case 'guideVersion':
        out.push({ field, message: 'Enter the version as the guide numbers it, for example 1.2.0.' });
        break;
      case 'name':
        out.push({ field, message: 'Enter a shorter name without special characters.' });
        break;
      default:
        out.push({ message: diagnostics || issue.details?.text || 'The change was refused.' });
    }
  }
  return out.length ? out : [{ message: 'The change was refused.' }];
}
