/** JWT `typ` values and media types of OpenID Federation 1.0 (final), RFC 9068 and RFC 7523. */
export const JWT_TYPE = {
  entityStatement: 'entity-statement+jwt',
  trustMark: 'trust-mark+jwt',
  trustMarkStatus: 'trust-mark-status-response+jwt',
  resolveResponse: 'resolve-response+jwt',
  accessToken: 'at+jwt',
} as const;

export const MEDIA_TYPE = {
  entityStatement: 'application/entity-statement+jwt',
  trustMark: 'application/trust-mark+jwt',
  trustMarkStatus: 'application/trust-mark-status-response+jwt',
  resolveResponse: 'application/resolve-response+jwt',
} as const;

export const WELL_KNOWN_FEDERATION = '/.well-known/openid-federation';
export const TOKEN_PATH = '/auth/token';
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Signature algorithms accepted on anything we verify; ES256 is what we sign with. */
export const ACCEPTED_ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA'];

/** The mesh's trust mark types (ARCHITECTURE.md, "Trust and authorisation"). */
export const TRUST_MARK = {
  careProviderSystem: 'https://ndi-mesh.se/trust-marks/care-provider-system',
  assuranceLevel3: 'https://ndi-mesh.se/trust-marks/assurance-level-3',
  accessService: 'https://ndi-mesh.se/trust-marks/access-service',
  nationalService: 'https://ndi-mesh.se/trust-marks/national-service',
  ncp: 'https://ndi-mesh.se/trust-marks/ncp',
} as const;
export const TRUST_MARK_TYPES: readonly string[] = Object.values(TRUST_MARK);

/** The short names the CLI and docs use for the types above. */
export function trustMarkType(nameOrUri: string): string {
  if (nameOrUri.includes('://')) return nameOrUri;
  return `https://ndi-mesh.se/trust-marks/${nameOrUri}`;
}

/**
 * Purposes of use, carried in the client assertion the way UDAP's `hl7-b2b` extension carries
 * them (`system#code`, HL7 v3 ActReason), and kept in the Caller as the bare code.
 */
export const PURPOSE_SYSTEM_OID = 'urn:oid:2.16.840.1.113883.5.8';
export const PURPOSE = {
  treatment: 'TREAT',
  emergency: 'ETREAT',
  patientAccess: 'PATRQT',
  administration: 'HOPERAT',
} as const;
export type PurposeOfUse = (typeof PURPOSE)[keyof typeof PURPOSE];
export const PURPOSES: readonly string[] = Object.values(PURPOSE);
