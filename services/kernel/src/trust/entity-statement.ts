import type { JWTPayload } from 'jose';
import type { Jwks } from './keys.ts';
import type { Metadata, MetadataPolicy } from './metadata-policy.ts';

/** Claims of an entity configuration or subordinate statement (OpenID Federation 1.0 §3). */
export interface EntityStatement extends JWTPayload {
  iss: string;
  sub: string;
  iat: number;
  exp: number;
  jwks: Jwks;
  metadata?: Metadata;
  metadata_policy?: MetadataPolicy;
  authority_hints?: string[];
  trust_marks?: { trust_mark_type: string; trust_mark: string }[];
  trust_mark_issuers?: Record<string, string[]>;
  source_endpoint?: string;
}

/** The federation_entity metadata parameters an authority publishes (§5.1.1). */
export interface FederationEntityMetadata {
  federation_fetch_endpoint?: string;
  federation_list_endpoint?: string;
  federation_resolve_endpoint?: string;
  federation_trust_mark_status_endpoint?: string;
  federation_trust_mark_list_endpoint?: string;
  federation_trust_mark_endpoint?: string;
  organization_name?: string;
}

export function federationEntity(st: { metadata?: Metadata }): FederationEntityMetadata {
  return (st.metadata?.federation_entity ?? {}) as FederationEntityMetadata;
}

export function wellKnownUrl(entityId: string): string {
  return `${entityId.replace(/\/$/, '')}/.well-known/openid-federation`;
}
