import type { Consent, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM } from '@ndi-mesh/kernel';
import type { PersonRef } from '../../src/domain/index.ts';
import { ACTOR_ROLE_SYSTEM, CONSENT_KIND_SYSTEM, CONSENT_SCOPE_SYSTEM, RULES_POLICY } from '../../src/fhir/codes.ts';

export interface BlockSpec {
  readonly kind: 'opt-out' | 'care-provider' | 'all-providers' | 'seal' | 'patient-access' | 'guardian-access';
  readonly patient: PersonRef;
  readonly owner?: string;
  readonly units?: readonly string[];
  readonly category?: string;
  readonly period?: { start?: string; end?: string };
  readonly dataPeriod?: { start?: string; end?: string };
  readonly level?: 'inner' | 'outer';
  readonly reason?: string;
}

/** A block Consent as a client writes it (no performer: the service takes the registrant from the token). */
export function blockConsent(spec: BlockSpec): Consent {
  const role = (code: string) => ({ coding: [{ system: ACTOR_ROLE_SYSTEM, code }] });
  const actors = [
    ...(spec.owner ? [{ role: role('owner'), reference: { type: 'Organization' as const, identifier: { system: HSA_ID_SYSTEM, value: spec.owner } } }] : []),
    ...(spec.units ?? []).map((u) => ({
      role: role('care-unit'),
      reference: { type: 'Organization' as const, identifier: { system: HSA_ID_SYSTEM, value: u } },
    })),
  ];
  return {
    resourceType: 'Consent',
    ...(spec.level === 'inner' || spec.reason
      ? {
          extension: [
            ...(spec.level === 'inner' ? [{ url: 'https://ndi-mesh.se/fhir/StructureDefinition/block-level', valueCode: 'inner' }] : []),
            ...(spec.reason ? [{ url: 'https://ndi-mesh.se/fhir/StructureDefinition/consent-reason', valueString: spec.reason }] : []),
          ],
        }
      : {}),
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: CONSENT_KIND_SYSTEM, code: spec.kind }] }],
    patient: { identifier: { ...spec.patient } },
    policy: [{ uri: RULES_POLICY }],
    provision: {
      type: 'deny',
      ...(spec.period ? { period: spec.period } : {}),
      ...(spec.dataPeriod ? { dataPeriod: spec.dataPeriod } : {}),
      ...(spec.category ? { class: [{ system: 'https://ndi-mesh.se/fhir/CodeSystem/information-type', code: spec.category }] } : {}),
      ...(actors.length ? { actor: actors } : {}),
    },
  };
}

export interface RecordSpec {
  readonly owner: string;
  readonly careUnit?: string;
  readonly category: string;
  readonly date?: string;
}

/** C3 `$decide` input. */
export function decideRequest(o: {
  patient: PersonRef;
  organisation?: string;
  careUnit?: string;
  professional?: string;
  purpose: 'treatment' | 'emergency' | 'patient-access';
  accessor?: string;
  country?: string;
  records: readonly RecordSpec[];
}): Parameters {
  const hsa = (value: string) => ({ system: HSA_ID_SYSTEM, value });
  const requester: ParametersParameter[] = [
    ...(o.organisation ? [{ name: 'organization', valueIdentifier: hsa(o.organisation) }] : []),
    ...(o.careUnit ? [{ name: 'careUnit', valueIdentifier: hsa(o.careUnit) }] : []),
    ...(o.professional ? [{ name: 'professional', valueIdentifier: hsa(o.professional) }] : []),
  ];
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { ...o.patient } },
      ...(requester.length ? [{ name: 'requester', part: requester }] : []),
      { name: 'purpose', valueCode: o.purpose },
      ...(o.accessor ? [{ name: 'accessor', valueCode: o.accessor }] : []),
      ...(o.country ? [{ name: 'country', valueCode: o.country }] : []),
      ...o.records.map((r) => ({
        name: 'record',
        part: [
          { name: 'owner', valueIdentifier: hsa(r.owner) },
          ...(r.careUnit ? [{ name: 'careUnit', valueIdentifier: hsa(r.careUnit) }] : []),
          { name: 'category', valueCode: r.category },
          ...(r.date ? [{ name: 'date', valueDate: r.date }] : []),
        ],
      })),
    ],
  };
}

/** The decisions of a `$decide` answer: result and trace lines per record. */
export function decisions(answer: Parameters): { result: string; trace: string[] }[] {
  return (answer.parameter ?? []).map((p) => ({
    result: p.part?.find((x) => x.name === 'result')?.valueCode ?? '',
    trace: (p.part ?? []).filter((x) => x.name === 'trace').map((x) => x.valueString ?? ''),
  }));
}

export interface RevokeSpec {
  readonly patient: PersonRef;
  readonly grantee: { readonly organisation: string; readonly careUnit?: string; readonly professional?: string };
  readonly blockIds?: readonly string[];
  readonly period: { start?: string; end: string };
  readonly reason?: string;
}

/** A consent revoke Consent (profile consent-revoke) as a client writes it (no performer: the service takes it from the token). */
export function revokeConsent(spec: RevokeSpec): Consent {
  const role = (code: string) => ({ coding: [{ system: ACTOR_ROLE_SYSTEM, code }] });
  const hsa = (value: string) => ({ system: HSA_ID_SYSTEM, value });
  const g = spec.grantee;
  return {
    resourceType: 'Consent',
    ...(spec.reason !== undefined ? { extension: [{ url: 'https://ndi-mesh.se/fhir/StructureDefinition/consent-reason', valueString: spec.reason }] } : {}),
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: CONSENT_KIND_SYSTEM, code: 'consent-revoke' }] }],
    patient: { identifier: { ...spec.patient } },
    policy: [{ uri: RULES_POLICY }],
    provision: {
      type: 'permit',
      period: spec.period,
      actor: [
        { role: role('grantee'), reference: { type: 'Organization', identifier: hsa(g.organisation) } },
        ...(g.careUnit ? [{ role: role('grantee-care-unit'), reference: { type: 'Organization' as const, identifier: hsa(g.careUnit) } }] : []),
        ...(g.professional ? [{ role: role('grantee-professional'), reference: { type: 'Practitioner' as const, identifier: hsa(g.professional) } }] : []),
      ],
      ...(spec.blockIds?.length ? { data: spec.blockIds.map((id) => ({ meaning: 'instance' as const, reference: { reference: `Consent/${id}` } })) } : {}),
    },
  };
}

/** `$break-glass` input. */
export function breakGlassRequest(o: { patient: PersonRef; reason?: string; end?: string }): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueIdentifier: { ...o.patient } },
      ...(o.reason !== undefined ? [{ name: 'reason', valueString: o.reason }] : []),
      ...(o.end !== undefined ? [{ name: 'end', valueDateTime: o.end }] : []),
    ],
  };
}
