import type { Identifier } from '@medplum/fhirtypes';
import type { Caller } from '../http/context.ts';
import { isHsaId } from '../identifiers/hsa-id.ts';
import { HSA_ID_SYSTEM, PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM } from '../identifiers/systems.ts';
import { PURPOSE_SYSTEM_OID, PURPOSES } from './constants.ts';
import { OAuthError } from './oauth-error.ts';

/**
 * The authorisation basis a caller presents in its client assertion, modelled on UDAP's
 * `hl7-b2b` extension (organization_id, subject_id/name/role, purpose_of_use as `system#code`)
 * plus `se-ndi-b2b` for what the Swedish flow adds (care unit, patient).
 */
export interface Hl7B2b {
  version: '1';
  organization_id: string;
  organization_name?: string;
  subject_id?: string;
  subject_name?: string;
  subject_role?: string;
  purpose_of_use: string[];
}

export interface SeNdiB2b {
  version: '1';
  care_unit_id?: string;
  care_unit_name?: string;
  /** `urn:oid:1.2.752.129.2.1.3.1#191212121212` (personnummer) or samordningsnummer. */
  patient_id?: string;
}

export type AuthorisationBasis = Pick<Caller, 'organisation' | 'careUnit' | 'person' | 'purposeOfUse' | 'patient'>;

/** What the caller's code passes to build an assertion: plain values, not URIs. */
export interface BasisInput {
  readonly organisation: { readonly hsaId: string; readonly name?: string };
  readonly careUnit?: { readonly hsaId: string; readonly name?: string };
  readonly person?: { readonly hsaId?: string; readonly name?: string; readonly role?: string };
  readonly purposeOfUse: string;
  readonly patient?: Identifier;
}

const hsaUri = (hsa: string) => `${HSA_ID_SYSTEM}#${hsa}`;

export function basisExtensions(b: BasisInput): { 'hl7-b2b': Hl7B2b; 'se-ndi-b2b'?: SeNdiB2b } {
  const hl7: Hl7B2b = {
    version: '1',
    organization_id: hsaUri(b.organisation.hsaId),
    ...(b.organisation.name ? { organization_name: b.organisation.name } : {}),
    ...(b.person?.hsaId ? { subject_id: hsaUri(b.person.hsaId) } : {}),
    ...(b.person?.name ? { subject_name: b.person.name } : {}),
    ...(b.person?.role ? { subject_role: b.person.role } : {}),
    purpose_of_use: [`${PURPOSE_SYSTEM_OID}#${b.purposeOfUse}`],
  };
  const se: SeNdiB2b | undefined =
    b.careUnit || b.patient
      ? {
          version: '1',
          ...(b.careUnit ? { care_unit_id: hsaUri(b.careUnit.hsaId), ...(b.careUnit.name ? { care_unit_name: b.careUnit.name } : {}) } : {}),
          ...(b.patient ? { patient_id: `${b.patient.system}#${b.patient.value}` } : {}),
        }
      : undefined;
  return { 'hl7-b2b': hl7, ...(se ? { 'se-ndi-b2b': se } : {}) };
}

/** Parses and checks the basis in an assertion's `extensions`; absent means a system acting for itself. */
export function parseBasis(extensions: unknown): AuthorisationBasis {
  if (extensions === undefined) return {};
  if (!isObject(extensions)) throw new OAuthError('invalid_request', 'extensions must be a JSON object');
  const hl7 = extensions['hl7-b2b'];
  const se = extensions['se-ndi-b2b'];
  if (hl7 === undefined && se === undefined) return {};
  if (!isObject(hl7)) throw new OAuthError('invalid_request', 'extensions.hl7-b2b is required when an authorisation basis is given');
  if (hl7.version !== '1') throw new OAuthError('invalid_request', 'extensions.hl7-b2b.version must be "1"');
  const orgHsa = hsaOf(hl7.organization_id, 'hl7-b2b.organization_id');
  const pous = hl7.purpose_of_use;
  if (!Array.isArray(pous) || pous.length !== 1 || typeof pous[0] !== 'string')
    throw new OAuthError('invalid_request', 'hl7-b2b.purpose_of_use must hold exactly one purpose');
  const [system, code] = pous[0].split('#');
  if (system !== PURPOSE_SYSTEM_OID || !code || !PURPOSES.includes(code))
    throw new OAuthError('invalid_request', `hl7-b2b.purpose_of_use ${pous[0]} is not one of ${PURPOSES.map((p) => `${PURPOSE_SYSTEM_OID}#${p}`).join(', ')}`);
  const basis: { -readonly [K in keyof AuthorisationBasis]: AuthorisationBasis[K] } = {
    organisation: { hsaId: orgHsa, ...(str(hl7.organization_name) ? { name: str(hl7.organization_name) } : {}) },
    purposeOfUse: code,
  };
  if (hl7.subject_id !== undefined || hl7.subject_name !== undefined || hl7.subject_role !== undefined)
    basis.person = {
      ...(hl7.subject_id !== undefined ? { hsaId: hsaOf(hl7.subject_id, 'hl7-b2b.subject_id') } : {}),
      ...(str(hl7.subject_name) ? { name: str(hl7.subject_name) } : {}),
      ...(str(hl7.subject_role) ? { role: str(hl7.subject_role) } : {}),
    };
  if (se !== undefined) {
    if (!isObject(se) || se.version !== '1') throw new OAuthError('invalid_request', 'extensions.se-ndi-b2b must be an object with version "1"');
    if (se.care_unit_id !== undefined)
      basis.careUnit = { hsaId: hsaOf(se.care_unit_id, 'se-ndi-b2b.care_unit_id'), ...(str(se.care_unit_name) ? { name: str(se.care_unit_name) } : {}) };
    if (se.patient_id !== undefined) {
      const [ps, pv] = typeof se.patient_id === 'string' ? se.patient_id.split('#') : [];
      if ((ps !== PERSONNUMMER_SYSTEM && ps !== SAMORDNINGSNUMMER_SYSTEM) || !pv || !/^\d{12}$/.test(pv))
        throw new OAuthError('invalid_request', `se-ndi-b2b.patient_id must be ${PERSONNUMMER_SYSTEM}#<12 digits> or ${SAMORDNINGSNUMMER_SYSTEM}#<12 digits>`);
      basis.patient = { system: ps, value: pv };
    }
  }
  return basis;
}

function hsaOf(value: unknown, where: string): string {
  const [system, hsa] = typeof value === 'string' ? value.split('#') : [];
  if (system !== HSA_ID_SYSTEM || !isHsaId(hsa))
    throw new OAuthError('invalid_request', `${where} must be ${HSA_ID_SYSTEM}#<HSA-id>, got ${JSON.stringify(value)}`);
  return hsa!;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
