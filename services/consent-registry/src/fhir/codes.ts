/** Canonical URLs of the consent registry's profiles, extensions and code systems (fhir-profiles/input/fsh/consent-*.fsh). */
const BASE = 'https://ndi-mesh.se/fhir';

export const CONSENT_KIND_SYSTEM = `${BASE}/CodeSystem/consent-kind`;
export const ACTOR_ROLE_SYSTEM = `${BASE}/CodeSystem/block-actor-role`;
export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const RULES_POLICY = `${BASE}/consent-registry/rules`;

export const PROFILE = {
  block: `${BASE}/StructureDefinition/consent-block`,
  'opt-out': `${BASE}/StructureDefinition/consent-opt-out`,
  'care-provider': `${BASE}/StructureDefinition/consent-care-provider-block`,
  'all-providers': `${BASE}/StructureDefinition/consent-general-block`,
  seal: `${BASE}/StructureDefinition/consent-seal`,
  'patient-access': `${BASE}/StructureDefinition/consent-patient-access-block`,
  'guardian-access': `${BASE}/StructureDefinition/consent-guardian-access-block`,
  revoke: `${BASE}/StructureDefinition/consent-revoke`,
} as const;

/** The consent-kind codes of the two kinds of temporary revoke, and the domain's kind each maps to. */
export const REVOKE_KIND_CODE = { consent: 'consent-revoke', emergency: 'emergency-revoke' } as const;

export const EXTENSION = {
  level: `${BASE}/StructureDefinition/block-level`,
  audience: `${BASE}/StructureDefinition/block-audience`,
  reason: `${BASE}/StructureDefinition/consent-reason`,
  cancellation: `${BASE}/StructureDefinition/block-cancellation`,
} as const;

/** An operator is named by its federation entity id, not by an HSA-id. */
export const ENTITY_ID_SYSTEM = 'urn:ietf:rfc:3986';
