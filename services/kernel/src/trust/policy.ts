import { FhirError } from '../errors/index.ts';
import type { Caller } from '../http/context.ts';
import { TRUST_MARK } from './constants.ts';
import { isRead, type RouteTarget } from './route-target.ts';

export type BasisPart = 'organisation' | 'careUnit' | 'person' | 'role' | 'purposeOfUse' | 'patient';

/** What one route needs. `public` routes need no token; every other route needs a valid one. */
export interface RoutePolicy {
  readonly public?: boolean;
  /** The caller must hold at least one of these trust mark types. */
  readonly anyTrustMark?: readonly string[];
  /** The caller must hold every one of these. */
  readonly allTrustMarks?: readonly string[];
  /** Parts of the authorisation basis the assertion must have carried. */
  readonly basis?: readonly BasisPart[];
  /** Purposes of use (HL7 v3 ActReason codes, e.g. TREAT) this route serves. */
  readonly purposeOfUse?: readonly string[];
}

type PerInteraction = Partial<Record<RouteTarget['interaction'] | 'read-any' | 'write-any', RoutePolicy>>;

/**
 * A service's access policy. The most specific entry wins: resources[type][interaction], then
 * resources[type]['read-any' | 'write-any'], then operations, then read/write, then default.
 */
export interface AccessPolicy {
  readonly default: RoutePolicy;
  readonly read?: RoutePolicy;
  readonly write?: RoutePolicy;
  readonly resources?: Readonly<Record<string, PerInteraction>>;
  /** Keyed `$name` (any level) or `Type/$name`. */
  readonly operations?: Readonly<Record<string, RoutePolicy>>;
}

/**
 * The audit trail is personal data about callers and patients: national services read it; the
 * access service may search it too, but only for the patient it acts for (the AuditEvent type
 * narrows such a search to that patient, see audit/audit-type.ts), never read by id.
 */
const AUDIT_POLICY: RoutePolicy = { anyTrustMark: [TRUST_MARK.nationalService] };
const AUDIT_SEARCH_POLICY: RoutePolicy = { anyTrustMark: [TRUST_MARK.nationalService, TRUST_MARK.accessService] };

export function policyFor(policy: AccessPolicy, t: RouteTarget): RoutePolicy {
  if (t.interaction === 'capabilities') return { public: true };
  // A Bundle is let through to its entries, each of which meets its own route's policy.
  if (t.interaction === 'batch') return policy.default.public ? { public: true } : {};
  const per = t.resourceType ? policy.resources?.[t.resourceType] : undefined;
  const exact = per?.[t.interaction];
  if (exact) return exact;
  if (t.interaction === 'operation') {
    const op = (t.resourceType && policy.operations?.[`${t.resourceType}/$${t.operation}`]) || policy.operations?.[`$${t.operation}`];
    if (op) return op;
  }
  const read = isRead(t);
  const perKind = per?.[read ? 'read-any' : 'write-any'];
  if (perKind) return perKind;
  if (t.resourceType === 'AuditEvent') return t.interaction === 'search-type' ? AUDIT_SEARCH_POLICY : AUDIT_POLICY;
  return (read ? policy.read : t.interaction === 'operation' ? undefined : policy.write) ?? policy.default;
}

/** Throws the refusal a caller gets when it does not meet `p`: 401 without a token, 403 otherwise. */
export function enforce(p: RoutePolicy, caller: Caller, what: string): void {
  if (p.public) return;
  if (!caller.authenticated)
    throw new FhirError('MESH-AUTH-001', `${what} needs an access token from this service's /auth/token (SMART Backend Services, private_key_jwt)`, {
      'www-authenticate': 'Bearer',
    });
  if (p.anyTrustMark?.length && !p.anyTrustMark.some((m) => caller.trustMarks.includes(m)))
    throw new FhirError(
      'MESH-AUTH-003',
      `${what} needs one of the trust marks ${p.anyTrustMark.join(', ')}; the caller holds ${caller.trustMarks.join(', ') || 'none'}`,
    );
  const missingMarks = (p.allTrustMarks ?? []).filter((m) => !caller.trustMarks.includes(m));
  if (missingMarks.length) throw new FhirError('MESH-AUTH-003', `${what} needs the trust marks ${missingMarks.join(', ')}, which the caller lacks`);
  const missing = (p.basis ?? []).filter((b) => !hasPart(caller, b));
  if (missing.length) throw new FhirError('MESH-AUTH-004', `${what} needs an authorisation basis with ${missing.join(', ')}; the assertion carried none`);
  if (p.purposeOfUse?.length && !p.purposeOfUse.includes(caller.purposeOfUse ?? ''))
    throw new FhirError('MESH-AUTH-004', `${what} serves the purposes ${p.purposeOfUse.join(', ')}, not ${caller.purposeOfUse ?? 'none given'}`);
}

function hasPart(c: Caller, part: BasisPart): boolean {
  switch (part) {
    case 'organisation':
      return !!c.organisation;
    case 'careUnit':
      return !!c.careUnit;
    case 'person':
      return !!c.person;
    case 'role':
      return !!c.person?.role;
    case 'purposeOfUse':
      return !!c.purposeOfUse;
    case 'patient':
      return !!c.patient;
  }
}
