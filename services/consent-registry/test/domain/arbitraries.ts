import fc from 'fast-check';
import {
  ACCESSOR_KINDS,
  INFORMATION_TYPES,
  type Audience,
  type Block,
  type BlockCategory,
  type DataWindow,
  type DecisionPolicy,
  type DecisionRequest,
  type Instant,
  type PersonRef,
  type Purpose,
  type Revoke,
} from '../../src/domain/model.ts';
import {
  DOCTOR_A1,
  DOCTOR_A2,
  DOCTOR_B1,
  DOCTOR_B2,
  DOCTOR_C1,
  GUARDIAN,
  HOUR_MS,
  NOW,
  OTHER_GUARDIAN,
  OTHER_PATIENT,
  PATIENT,
  POLICY,
  PROVIDER_A,
  PROVIDER_B,
  PROVIDER_C,
  UNIT_A1,
  UNIT_A2,
  UNIT_B1,
  UNIT_B2,
  UNIT_C1,
} from './fixtures.ts';

/**
 * A small world, so that random blocks, revokes and requests meet often: two patients, three
 * providers with their units and staff, times within two days of NOW.
 */
export const PROVIDERS = [PROVIDER_A, PROVIDER_B, PROVIDER_C] as const;
const UNITS: Record<string, readonly string[]> = { [PROVIDER_A]: [UNIT_A1, UNIT_A2], [PROVIDER_B]: [UNIT_B1, UNIT_B2], [PROVIDER_C]: [UNIT_C1] };
const STAFF: Record<string, readonly string[]> = { [PROVIDER_A]: [DOCTOR_A1, DOCTOR_A2], [PROVIDER_B]: [DOCTOR_B1, DOCTOR_B2], [PROVIDER_C]: [DOCTOR_C1] };
const unitsOf = (provider: string): readonly string[] => UNITS[provider] ?? [];
const staffOf = (provider: string): readonly string[] => STAFF[provider] ?? [];

const patientArb = fc.oneof({ arbitrary: fc.constant<PersonRef>(PATIENT), weight: 7 }, { arbitrary: fc.constant<PersonRef>(OTHER_PATIENT), weight: 1 });
/** Requests and revokes lean towards provider B, so that grantees and requesters meet. */
const peerArb = fc.constantFrom(PROVIDER_B, PROVIDER_B, PROVIDER_A, PROVIDER_C);
const providerArb = fc.constantFrom(...PROVIDERS);
const hourArb = fc.integer({ min: -48, max: 48 }).map((h) => NOW + h * HOUR_MS);
const statusArb = fc.constantFrom('active', 'active', 'active', 'active', 'active', 'active', 'cancelled', 'entered-in-error') as fc.Arbitrary<Block['status']>;
/** Weighted towards what requests ask for, so that blocks and records meet often. */
const categoryArb = fc.constantFrom<BlockCategory>(...INFORMATION_TYPES, 'all', 'all', 'all', 'patient-summary', 'patient-summary');
const recordCategoryArb = fc.constantFrom(...INFORMATION_TYPES, 'patient-summary', 'patient-summary', 'patient-summary');
export const nowArb = fc.integer({ min: -6, max: 6 }).map((h) => NOW + h * HOUR_MS);

const windowArb: fc.Arbitrary<DataWindow> = fc.tuple(fc.option(hourArb, { nil: undefined }), fc.option(hourArb, { nil: undefined })).map(([a, b]) => {
  if (a !== undefined && b !== undefined) return { from: Math.min(a, b), to: Math.max(a, b) };
  if (a === undefined && b === undefined) return {};
  return a === undefined ? { to: b } : { from: a };
});
const blockWindowArb = fc.option(
  windowArb.filter((w) => w.from !== undefined || w.to !== undefined),
  { nil: undefined },
);

/** Mostly in force around NOW, sometimes starting later or already over, so NSF-R1 has both sides to test. */
const periodArb = fc
  .tuple(
    fc.integer({ min: -48, max: 8 }).map((h) => NOW + h * HOUR_MS),
    fc.option(fc.integer({ min: 1, max: 72 }), { nil: undefined }),
  )
  .map(([start, hours]) => (hours === undefined ? { start } : { start, end: start + hours * HOUR_MS }));

const audienceArb = (guardiansOnly: boolean): fc.Arbitrary<Audience | undefined> =>
  fc.option(
    fc
      .record({
        accessors: guardiansOnly ? fc.constant(['guardian' as const]) : fc.subarray([...ACCESSOR_KINDS], { minLength: 1 }),
        persons: fc.option(fc.subarray([GUARDIAN, OTHER_GUARDIAN, PATIENT], { minLength: 1 }), { nil: undefined }),
      })
      .map(({ accessors, persons }) => (persons === undefined ? { accessors } : { accessors, persons })),
    { nil: undefined },
  );

type Draft = Omit<Block, 'id'>;
const common = { patient: patientArb, period: periodArb, status: statusArb };
const byPatient = { type: 'patient', patient: PATIENT } as const;

const careProviderBlock: fc.Arbitrary<Draft> = providerArb.chain((owner) =>
  fc.record({
    ...common,
    kind: fc.constant('care-provider' as const),
    owner: fc.constant(owner),
    scope: fc.oneof(
      fc.subarray([...unitsOf(owner)], { minLength: 1 }).map((careUnits) => ({ level: 'inner' as const, careUnits })),
      fc
        .option(fc.subarray([...unitsOf(owner)], { minLength: 1 }), { nil: undefined })
        .map((careUnits) => (careUnits === undefined ? { level: 'outer' as const } : { level: 'outer' as const, careUnits })),
    ),
    category: categoryArb,
    dataPeriod: blockWindowArb,
    createdBy: fc.constant(byPatient),
  }),
);

const generalBlock: fc.Arbitrary<Draft> = fc
  .record({
    ...common,
    kind: fc.constantFrom('all-providers' as const, 'opt-out' as const),
    owner: fc.constant('all-providers'),
    scope: fc.constant({ level: 'outer' as const }),
    category: categoryArb,
    dataPeriod: blockWindowArb,
    createdBy: fc.constant(byPatient),
  })
  .map((b) => (b.kind === 'opt-out' ? { ...b, category: 'all' as const, dataPeriod: undefined } : b));

const viewBlock: fc.Arbitrary<Draft> = fc
  .tuple(fc.constantFrom('seal' as const, 'patient-access' as const, 'guardian-access' as const), fc.constantFrom<string>(...PROVIDERS, 'all-providers'))
  .chain(([kind, owner]) => {
    const provider = kind === 'seal' ? owner : owner === 'all-providers' ? PROVIDER_A : owner;
    return fc.record({
      ...common,
      kind: fc.constant(kind),
      owner: fc.constant(provider),
      scope:
        provider === 'all-providers'
          ? fc.constant({ level: 'outer' as const })
          : fc
              .option(fc.subarray([...unitsOf(provider)], { minLength: 1 }), { nil: undefined })
              .map((careUnits) => (careUnits === undefined ? { level: 'outer' as const } : { level: 'outer' as const, careUnits })),
      category: categoryArb,
      dataPeriod: blockWindowArb,
      audience: audienceArb(kind === 'guardian-access'),
      reason: fc.constant('secrecy'),
      createdBy: fc.constant(byPatient),
    });
  });

const blockDraftArb = fc.oneof(careProviderBlock, generalBlock, viewBlock);
const withIds =
  <T extends object>(prefix: string) =>
  (drafts: T[]) =>
    drafts.map((d, i) => withoutUndefined({ ...d, id: `${prefix}${i}` }));

/** Blocks of every kind, shaped as validateBlock accepts them (plus cancelled ones), with ids b0, b1, … */
export const blocksArb = (max = 8): fc.Arbitrary<Block[]> => fc.array(blockDraftArb, { maxLength: max, size: 'medium' }).map(withIds('b'));

export const oneBlockArb: fc.Arbitrary<Block> = blockDraftArb.map((d) => withoutUndefined({ ...d, id: 'extra' }));

/** A random block moved onto the request's patient and record and put in force, so it is sure to be weighed. */
function aimBlock(draft: Draft, request: DecisionRequest, now: Instant): Draft {
  const { record } = request;
  const owner = draft.owner === 'all-providers' ? draft.owner : record.owner;
  const units = owner !== 'all-providers' && (draft.scope.level === 'inner' || draft.scope.careUnits !== undefined) ? [record.careUnit] : undefined;
  return {
    ...draft,
    patient: request.patient,
    owner,
    scope: units === undefined ? { level: draft.scope.level } : { level: draft.scope.level, careUnits: units },
    category: draft.category === 'all' ? 'all' : record.category,
    status: 'active',
    period: { start: now - HOUR_MS },
  };
}

const granteeArb = peerArb.chain((organisation) =>
  fc.record({
    organisation: fc.constant(organisation),
    careUnit: fc.option(fc.constantFrom(...unitsOf(organisation)), { nil: undefined }),
    professional: fc.option(fc.constantFrom(...staffOf(organisation)), { nil: undefined }),
  }),
);

type RevokeDraft = Omit<Revoke, 'id'>;
/** Revoke drafts naming block ids b0…b7 (some of which may not exist). */
const revokeDraftArb: fc.Arbitrary<RevokeDraft> = fc
  .record({
    patient: patientArb,
    kind: fc.constantFrom('consent' as const, 'emergency' as const),
    grantee: granteeArb,
    blockIds: fc.option(fc.subarray(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']), { nil: undefined }),
    period: fc
      .tuple(fc.integer({ min: -10, max: 4 }), fc.integer({ min: 1, max: 24 }))
      .map(([h, hours]) => ({ start: NOW + h * HOUR_MS, end: NOW + (h + hours) * HOUR_MS })),
    reason: fc.constant('because'),
    status: statusArb,
    recordedBy: fc.constant(byPatient),
  })
  .map((d) => (d.kind === 'emergency' ? { ...d, blockIds: undefined } : d));

/** A revoke granted to this very requester (or to its whole organisation), in force now. */
const aimedRevokeArb = (request: DecisionRequest, now: Instant): fc.Arbitrary<RevokeDraft> =>
  fc.tuple(revokeDraftArb, fc.boolean(), fc.boolean()).map(([draft, narrowUnit, narrowPerson]) => {
    const { organisation, careUnit, professional } = request.requester;
    const grantee = {
      organisation,
      ...(narrowUnit && careUnit !== undefined ? { careUnit } : {}),
      ...((narrowPerson || draft.kind === 'emergency') && professional !== undefined ? { professional } : {}),
    };
    return { ...draft, patient: request.patient, grantee, status: 'active', period: { start: now - HOUR_MS, end: now + HOUR_MS } };
  });

export const revokesArb = (max = 4): fc.Arbitrary<Revoke[]> => fc.array(revokeDraftArb, { maxLength: max, size: 'medium' }).map(withIds('r'));

const purposeArb: fc.Arbitrary<Purpose> = fc.oneof(
  fc.constant({ type: 'treatment' as const }),
  fc.constant({ type: 'emergency' as const }),
  fc.record({
    type: fc.constant('patient-access' as const),
    accessor: fc.constantFrom(...ACCESSOR_KINDS),
    person: fc.constantFrom(PATIENT, GUARDIAN, OTHER_GUARDIAN),
  }),
);

export const requestArb: fc.Arbitrary<DecisionRequest> = fc
  .tuple(peerArb, fc.constantFrom(PROVIDER_A, PROVIDER_A, PROVIDER_B, PROVIDER_C))
  .chain(([requesterOrg, owner]) =>
    fc.record({
      patient: patientArb,
      requester: fc.record({
        organisation: fc.constant(requesterOrg),
        careUnit: fc.option(fc.constantFrom(...unitsOf(requesterOrg)), { nil: undefined }),
        professional: fc.option(fc.constantFrom(...staffOf(requesterOrg)), { nil: undefined }),
      }),
      purpose: purposeArb,
      record: fc.record({
        owner: fc.constant(owner),
        careUnit: fc.constantFrom(...unitsOf(owner)),
        category: recordCategoryArb,
        dataPeriod: fc.option(windowArb, { nil: undefined }),
      }),
      country: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.constantFrom('FI', 'DK', 'NO'), weight: 1 }),
    }),
  )
  .map(withoutUndefined);

export const policyArb: fc.Arbitrary<DecisionPolicy> = fc.boolean().map((emergencyLiftsOptOut) => ({ ...POLICY, emergencyLiftsOptOut }));

/** Optional fields are absent rather than undefined, as they come off the wire. */
function withoutUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[key] = v !== null && typeof v === 'object' && !Array.isArray(v) ? withoutUndefined(v) : v;
  }
  return out as T;
}

export interface Scenario {
  readonly request: DecisionRequest;
  readonly blocks: Block[];
  readonly revokes: Revoke[];
  readonly policy: DecisionPolicy;
  readonly now: Instant;
}

/** One request with blocks and revokes, about half of them aimed at it, the rest anywhere in the small world. */
export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({ request: requestArb, policy: policyArb, now: nowArb }).chain(({ request, policy, now }) =>
  fc.record({
    request: fc.constant(request),
    policy: fc.constant(policy),
    now: fc.constant(now),
    blocks: fc
      .array(
        fc.oneof(
          blockDraftArb,
          blockDraftArb.map((d) => aimBlock(d, request, now)),
        ),
        { maxLength: 8 },
      )
      .map(withIds('b')),
    revokes: fc.array(fc.oneof(revokeDraftArb, aimedRevokeArb(request, now)), { maxLength: 4 }).map(withIds('r')),
  }),
);
