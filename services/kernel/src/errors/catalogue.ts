/**
 * Every refusal the kernel can give, declared once: a stable code that tests assert and
 * integrators search for, the HTTP status, and the OperationOutcome issue type
 * (http://hl7.org/fhir/R4/valueset-issue-type.html). The implementation guides print this table.
 */
export interface ErrorDefinition {
  readonly status: number;
  readonly type: IssueType;
  readonly title: string;
}

export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'processing'
  | 'not-supported'
  | 'duplicate'
  | 'multiple-matches'
  | 'not-found'
  | 'deleted'
  | 'too-long'
  | 'code-invalid'
  | 'extension'
  | 'too-costly'
  | 'business-rule'
  | 'conflict'
  | 'transient'
  | 'lock-error'
  | 'exception'
  | 'timeout'
  | 'throttled'
  | 'informational';

export const errorCatalogue = {
  'MESH-HTTP-001': { status: 400, type: 'structure', title: 'The body is not well-formed JSON' },
  'MESH-HTTP-002': { status: 415, type: 'not-supported', title: 'Unsupported Content-Type' },
  'MESH-HTTP-003': { status: 413, type: 'too-long', title: 'The body is larger than this service accepts' },
  'MESH-HTTP-004': { status: 404, type: 'not-supported', title: 'Unknown resource type or path' },
  'MESH-HTTP-005': { status: 405, type: 'not-supported', title: 'The interaction is not supported on this resource type' },
  'MESH-HTTP-006': { status: 406, type: 'not-supported', title: 'Unsupported Accept or _format' },
  'MESH-FHIR-001': { status: 404, type: 'not-found', title: 'No resource with that id' },
  'MESH-FHIR-002': { status: 410, type: 'deleted', title: 'The resource has been deleted' },
  'MESH-FHIR-003': { status: 400, type: 'invalid', title: 'The resource type in the body does not match the URL' },
  'MESH-FHIR-004': { status: 400, type: 'invalid', title: 'The id in the body does not match the URL' },
  'MESH-FHIR-005': { status: 412, type: 'conflict', title: 'If-Match does not name the current version' },
  'MESH-FHIR-006': { status: 409, type: 'conflict', title: 'The resource was changed by someone else meanwhile' },
  'MESH-FHIR-007': { status: 412, type: 'multiple-matches', title: 'The conditional request matched more than one resource' },
  'MESH-FHIR-008': { status: 422, type: 'invalid', title: 'The resource is not valid' },
  'MESH-FHIR-009': { status: 400, type: 'invalid', title: 'Malformed If-Match header' },
  'MESH-FHIR-010': { status: 400, type: 'invalid', title: 'Invalid resource id' },
  'MESH-FHIR-011': { status: 400, type: 'invalid', title: 'The Bundle cannot be processed as a batch or transaction' },
  'MESH-FHIR-012': { status: 400, type: 'too-costly', title: 'The Bundle has more entries than this service accepts' },
  'MESH-FHIR-013': { status: 404, type: 'not-found', title: 'No such version of the resource' },
  'MESH-FHIR-014': { status: 405, type: 'not-supported', title: 'This server does not create resources through update (client-assigned ids)' },
  'MESH-SEARCH-001': { status: 400, type: 'not-supported', title: 'Unknown search parameter' },
  'MESH-SEARCH-002': { status: 400, type: 'value', title: 'Invalid search parameter value' },
  'MESH-SEARCH-003': { status: 400, type: 'not-supported', title: 'Unsupported search modifier or prefix' },
  'MESH-SEARCH-004': { status: 400, type: 'value', title: 'Invalid paging or sort parameter' },
  'MESH-ID-001': { status: 400, type: 'value', title: 'Invalid personnummer' },
  'MESH-ID-002': { status: 400, type: 'value', title: 'Invalid samordningsnummer' },
  'MESH-ID-003': { status: 400, type: 'value', title: 'Invalid HSA-id' },
  'MESH-ID-004': { status: 400, type: 'value', title: 'Unknown patient identifier system' },
  'MESH-AUTH-001': { status: 401, type: 'login', title: 'Authentication required' },
  'MESH-AUTH-002': { status: 401, type: 'security', title: 'The access token is invalid or expired' },
  'MESH-AUTH-003': { status: 403, type: 'forbidden', title: 'The caller lacks a trust mark this route requires' },
  'MESH-AUTH-004': { status: 403, type: 'forbidden', title: "The authorisation basis does not meet this route's policy" },
  'MESH-AUTH-005': { status: 403, type: 'forbidden', title: 'The caller may not act for this organisation' },
  'MESH-OP-001': { status: 400, type: 'invalid', title: 'Invalid operation parameters' },
  'MESH-SRV-001': { status: 503, type: 'transient', title: 'A dependency is unavailable' },
  'MESH-SRV-500': { status: 500, type: 'exception', title: 'Internal error' },
  'MESH-PDI-001': { status: 400, type: 'code-invalid', title: 'Unknown sharing event type (use started or ended)' },
  'MESH-PDI-002': { status: 400, type: 'required', title: 'An ended sharing event needs an end reason' },
  'MESH-PDI-003': { status: 400, type: 'invariant', title: 'Only an ended sharing event carries an end reason' },
  'MESH-PDI-004': { status: 400, type: 'code-invalid', title: 'Unknown end reason' },
  'MESH-PDI-005': { status: 400, type: 'value', title: 'The sharing event lies in the future' },
  'MESH-PDI-006': { status: 400, type: 'too-costly', title: 'A batch holds 1 to 1,000 sharing events' },
  'MESH-NSF-001': { status: 422, type: 'invariant', title: 'A period or information time window ends before it starts' },
  'MESH-NSF-002': { status: 422, type: 'invalid', title: 'The block or revoke does not fit its kind (owner, scope, category, audience or grantee)' },
  'MESH-NSF-003': { status: 422, type: 'required', title: 'A temporary revoke needs a reason' },
  'MESH-NSF-004': { status: 422, type: 'business-rule', title: "The temporary revoke's window is unbounded, backdated or longer than allowed" },
  'MESH-NSF-005': { status: 422, type: 'business-rule', title: 'The temporary revoke names a block it cannot lift' },
  'MESH-NSF-006': { status: 403, type: 'forbidden', title: 'The caller may not cancel this block' },
  'MESH-NSF-007': { status: 409, type: 'conflict', title: 'The block is no longer active' },
  'MESH-NSF-008': { status: 422, type: 'required', title: 'A cancellation by the operator needs a reason' },
  'MESH-NSF-009': { status: 400, type: 'value', title: 'The cross-border country policy is not valid' },
  'MESH-NSF-010': { status: 403, type: 'forbidden', title: 'The caller may not register this block or revoke' },
  'MESH-NSF-011': { status: 409, type: 'conflict', title: 'The follow-up item has already been reviewed' },
  'MESH-NSF-012': { status: 422, type: 'required', title: 'A review that finds the emergency access not justified says why' },
  'MESH-NTK-001': { status: 400, type: 'code-invalid', title: 'Unknown information type' },
  'MESH-NTK-002': {
    status: 422,
    type: 'business-rule',
    title: 'The endpoint overlaps another active endpoint of the organisation for the same information type and connection type',
  },
  'MESH-NTK-003': { status: 422, type: 'invariant', title: "The endpoint's validity period ends before it starts" },
  'MESH-NTK-004': { status: 422, type: 'invalid', title: 'The managing organisation is not in the catalogue' },
  'MESH-NTK-005': { status: 409, type: 'duplicate', title: 'Another organisation in the catalogue has this HSA-id' },
  'MESH-NTK-006': { status: 422, type: 'business-rule', title: "An organisation's HSA-id cannot change" },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;
