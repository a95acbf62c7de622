import { FhirError } from '../errors/index.ts';

/** Maps whatever was thrown to the FhirError the client sees. Anything unknown is a 500: a bug. */
export function toFhirError(err: unknown): FhirError {
  if (err instanceof FhirError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FhirError('MESH-HTTP-003', e.message ?? 'Request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FhirError(
        'MESH-HTTP-002',
        'Send FHIR resources as application/fhir+json (or application/json); searches by POST as application/x-www-form-urlencoded',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new FhirError('MESH-HTTP-001', 'The body is empty but the Content-Type says JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new FhirError('MESH-HTTP-001', 'Content-Length does not match the body');
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new FhirError('MESH-HTTP-003', e.message ?? 'Request body is too large');
    if (e.statusCode === 415) return new FhirError('MESH-HTTP-002', e.message ?? 'Unsupported media type');
    return new FhirError('MESH-HTTP-001', e.message ?? 'Bad request');
  }
  return new FhirError('MESH-SRV-500', 'Internal error; it has been logged with this request id');
}
