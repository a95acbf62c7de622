/**
 * A token-endpoint refusal with the error codes of RFC 6749 §5.2 and RFC 7523 §3.2 exactly.
 * `reason` is what the log line says; `description` what the client reads.
 */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
};

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  constructor(error: OAuthErrorCode, description: string) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
    this.error = error;
    this.status = STATUS[error];
  }
  toBody(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.message.slice(this.error.length + 2) };
  }
}

/** Why a trust chain or trust mark failed, so the token endpoint can map it to an OAuth code. */
export class TrustError extends Error {
  readonly kind: 'unknown-entity' | 'broken-chain' | 'expired' | 'trust-mark';
  constructor(kind: TrustError['kind'], message: string) {
    super(message);
    this.name = 'TrustError';
    this.kind = kind;
  }
}
