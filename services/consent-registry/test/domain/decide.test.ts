import { decide, decideMany, permitted } from '../../src/domain/decide.ts';
import { emergencyFollowUp } from '../../src/domain/follow-up.ts';
import type { Block, Decision, DecisionPolicy, DecisionRequest, Revoke, RuleId } from '../../src/domain/model.ts';
import {
  DAY_MS,
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
  consent,
  emergency,
  emergencyRequest,
  general,
  guardianBlock,
  inner,
  optOut,
  outer,
  ownView,
  patientAccessBlock,
  seal,
  treatment,
} from './fixtures.ts';

function run(request: DecisionRequest, blocks: Block[], revokes: Revoke[] = [], policy: DecisionPolicy = POLICY): Decision {
  return decide(request, blocks, revokes, policy, NOW);
}

const rules = (decision: Decision): RuleId[] => decision.trace.map((entry) => entry.rule);

/** A provider's other care unit asking for the data of unit A1. */
const colleague = (fields: Partial<DecisionRequest> = {}) =>
  treatment({ requester: { organisation: PROVIDER_A, careUnit: UNIT_A2, professional: DOCTOR_A2 }, ...fields });
/** The unit holding the data asking for it. */
const holder = () => treatment({ requester: { organisation: PROVIDER_A, careUnit: UNIT_A1 } });

describe('NSF-R1 only active blocks and revokes of this patient, in force now, count', () => {
  test.each([
    ['cancelled', outer({ status: 'cancelled' })],
    ['entered in error', outer({ status: 'entered-in-error' })],
    ['not yet in force', outer({ period: { start: NOW + 1 } })],
    ['ended exactly now (the end is exclusive)', outer({ period: { start: NOW - DAY_MS, end: NOW } })],
    ["another patient's", outer({ patient: OTHER_PATIENT })],
  ])('a %s block does not deny', (_, b) => {
    expect(run(treatment(), [b])).toEqual({ effect: 'permit', trace: [{ rule: 'NSF-R15' }], obligations: [] });
  });

  test('a block in force since exactly now denies (the start is inclusive)', () => {
    expect(run(treatment(), [outer({ period: { start: NOW } })]).effect).toBe('deny');
  });

  test.each([
    ['cancelled', consent({ status: 'cancelled' })],
    ['expired', consent({ period: { start: NOW - 2 * DAY_MS, end: NOW } })],
    ['future', consent({ period: { start: NOW + HOUR_MS, end: NOW + DAY_MS } })],
    ["another patient's", consent({ patient: OTHER_PATIENT })],
  ])('a %s revoke lifts nothing', (_, r) => {
    expect(run(treatment(), [outer()], [r]).effect).toBe('deny');
  });
});

describe('NSF-R2 the information owner filters: a block counts only for data it covers', () => {
  test("a block on another provider's data leaves this record alone", () => {
    expect(run(treatment(), [outer({ owner: PROVIDER_C })]).effect).toBe('permit');
  });

  test('a block narrowed to one care unit covers that unit only', () => {
    const b = outer({ scope: { level: 'outer', careUnits: [UNIT_A2] } });
    expect(run(treatment(), [b]).effect).toBe('permit');
    expect(run(treatment({ record: { ...treatment().record, careUnit: UNIT_A2 } }), [b]).effect).toBe('deny');
  });

  test('a category block covers that category only; "all" covers every one', () => {
    expect(run(treatment(), [outer({ category: 'laboratory-results' })]).effect).toBe('permit');
    expect(run(treatment(), [outer({ category: 'patient-summary' })]).effect).toBe('deny');
    expect(run(treatment(), [outer({ category: 'all' })]).effect).toBe('deny');
  });
});

describe('NSF-R3 information time window', () => {
  const window = { from: NOW - 60 * DAY_MS, to: NOW - 20 * DAY_MS };
  const dated = (from: number, to: number) => treatment({ record: { ...treatment().record, dataPeriod: { from, to } } });

  test('data dated inside the window is blocked', () => {
    expect(run(dated(NOW - 30 * DAY_MS, NOW - 30 * DAY_MS), [outer({ dataPeriod: window })]).effect).toBe('deny');
  });

  test('data overlapping either end of the window is blocked', () => {
    expect(run(dated(NOW - 90 * DAY_MS, NOW - 50 * DAY_MS), [outer({ dataPeriod: window })]).effect).toBe('deny');
    expect(run(dated(NOW - 25 * DAY_MS, NOW - 1 * DAY_MS), [outer({ dataPeriod: window })]).effect).toBe('deny');
  });

  test('both bounds are inclusive', () => {
    expect(run(dated(window.to, window.to), [outer({ dataPeriod: window })]).effect).toBe('deny');
    expect(run(dated(window.from, window.from), [outer({ dataPeriod: window })]).effect).toBe('deny');
  });

  test('data wholly outside the window is not', () => {
    expect(run(dated(NOW - 10 * DAY_MS, NOW - 10 * DAY_MS), [outer({ dataPeriod: window })]).effect).toBe('permit');
    expect(run(dated(NOW - 90 * DAY_MS, window.from - 1), [outer({ dataPeriod: window })]).effect).toBe('permit');
  });

  test('an open-ended window covers everything on its open side', () => {
    expect(run(dated(NOW - 1000 * DAY_MS, NOW - 1000 * DAY_MS), [outer({ dataPeriod: { to: NOW - 20 * DAY_MS } })]).effect).toBe('deny');
    expect(run(dated(NOW, NOW), [outer({ dataPeriod: { from: NOW - 20 * DAY_MS } })]).effect).toBe('deny');
  });

  test('data of unknown date is withheld by any window (fail closed)', () => {
    const undated = treatment({ record: { owner: PROVIDER_A, careUnit: UNIT_A1, category: 'patient-summary' } });
    expect(run(undated, [outer({ dataPeriod: window })]).effect).toBe('deny');
  });
});

describe('NSF-R4 opt-out denies every other care provider, at home and abroad', () => {
  test('another provider is denied, and the trace names the opt-out', () => {
    const o = optOut();
    expect(run(treatment(), [o])).toEqual({
      effect: 'deny',
      trace: [{ rule: 'NSF-R4', blockId: o.id }, { rule: 'NSF-R14' }],
      obligations: [],
    });
  });

  test('a provider the patient has never met is denied', () => {
    const request = treatment({ requester: { organisation: PROVIDER_C, careUnit: UNIT_C1, professional: DOCTOR_C1 } });
    expect(run(request, [optOut()]).effect).toBe('deny');
  });

  test("the owner's own units are not: opting out of sharing is not a block inside the provider", () => {
    expect(run(colleague(), [optOut()]).effect).toBe('permit');
  });

  test('a cross-border request is denied even for a category its country may receive', () => {
    expect(run(treatment({ country: 'FI' }), [optOut()]).effect).toBe('deny');
  });

  test("the patient's own view is not affected", () => {
    expect(run(ownView(), [optOut()]).effect).toBe('permit');
  });
});

describe('NSF-R5 an outer block denies other care providers', () => {
  test('another provider is denied', () => {
    const b = outer();
    expect(run(treatment(), [b]).trace).toEqual([{ rule: 'NSF-R5', blockId: b.id }, { rule: 'NSF-R14' }]);
  });

  test("another unit of the owner is not (that is an inner block's job)", () => {
    expect(run(colleague(), [outer()]).effect).toBe('permit');
  });

  test('emergency purpose alone does not lift it: break-glass is an act of its own (NSF-R13)', () => {
    expect(run(emergencyRequest(), [outer()]).effect).toBe('deny');
  });
});

describe('NSF-R6 an inner block denies every care unit but the one holding the data', () => {
  test("the owner's other unit is denied", () => {
    const b = inner();
    expect(rules(run(colleague(), [b]))).toEqual(['NSF-R6', 'NSF-R14']);
  });

  test('other providers are denied as well', () => {
    expect(rules(run(treatment(), [inner()]))).toEqual(['NSF-R6', 'NSF-R14']);
  });

  test('the unit holding the data is not', () => {
    expect(run(holder(), [inner()]).effect).toBe('permit');
  });

  test('a requester of the owner naming no unit is denied: it cannot show it holds the data', () => {
    expect(run(treatment({ requester: { organisation: PROVIDER_A } }), [inner()]).effect).toBe('deny');
  });

  test("another unit's data is not covered", () => {
    const request = colleague({ record: { ...treatment().record, careUnit: UNIT_A2 } });
    expect(run(request, [inner()]).effect).toBe('permit');
  });
});

describe('NSF-R7 a general block (NSR) denies every other care provider, present and future', () => {
  test('denies that category at any provider, including one the patient meets later', () => {
    const b = general();
    const atC = treatment({ record: { owner: PROVIDER_C, careUnit: UNIT_C1, category: 'patient-summary' } });
    expect(run(treatment(), [b]).trace).toEqual([{ rule: 'NSF-R7', blockId: b.id }, { rule: 'NSF-R14' }]);
    expect(run(atC, [b]).effect).toBe('deny');
  });

  test('leaves other categories alone', () => {
    expect(run(treatment({ record: { ...treatment().record, category: 'laboratory-results' } }), [general()]).effect).toBe('permit');
  });

  test('a general block of all data covers every category', () => {
    expect(run(treatment({ record: { ...treatment().record, category: 'medical-imaging' } }), [general({ category: 'all' })]).effect).toBe('deny');
  });

  test('the owner itself is not denied', () => {
    expect(run(colleague(), [general()]).effect).toBe('permit');
  });
});

describe("NSF-R8 a seal hides the data from the patient's own view", () => {
  test.each(['patient', 'guardian', 'representative'] as const)('the %s view is denied', (accessor) => {
    const s = seal();
    const who = accessor === 'patient' ? PATIENT : GUARDIAN;
    expect(run(ownView(accessor, who), [s]).trace).toEqual([{ rule: 'NSF-R8', blockId: s.id }, { rule: 'NSF-R14' }]);
  });

  test('care professionals are not affected', () => {
    expect(run(treatment(), [seal()]).effect).toBe('permit');
  });

  test('an audience of the patient alone lets a representative through', () => {
    const s = seal({ audience: { accessors: ['patient'] } });
    expect(run(ownView('representative', GUARDIAN), [s]).effect).toBe('permit');
    expect(run(ownView('patient'), [s]).effect).toBe('deny');
  });

  test('no revoke lifts it, not even one granted to the access service', () => {
    const r = consent({ grantee: { organisation: ownView().requester.organisation } });
    expect(run(ownView(), [seal()], [r]).effect).toBe('deny');
  });
});

describe("NSF-R9 a clinician's block of the patient's own access", () => {
  test('denies the patient and those acting for them', () => {
    const b = patientAccessBlock();
    expect(rules(run(ownView('patient'), [b]))).toEqual(['NSF-R9', 'NSF-R14']);
    expect(run(ownView('representative', GUARDIAN), [b]).effect).toBe('deny');
  });

  test('does not restrict care', () => {
    expect(run(treatment(), [patientAccessBlock()]).effect).toBe('permit');
  });

  test('is narrowed by category like any block', () => {
    const b = patientAccessBlock({ category: 'laboratory-results' });
    expect(run(ownView(), [b]).effect).toBe('permit');
  });
});

describe("NSF-R10 a block of guardians' access", () => {
  test('denies guardians', () => {
    const b = guardianBlock();
    expect(rules(run(ownView('guardian', GUARDIAN), [b]))).toEqual(['NSF-R10', 'NSF-R14']);
  });

  test('does not deny the child itself, nor a representative who is not a guardian', () => {
    expect(run(ownView('patient'), [guardianBlock()]).effect).toBe('permit');
    expect(run(ownView('representative', OTHER_GUARDIAN), [guardianBlock()]).effect).toBe('permit');
  });

  test('naming one guardian leaves the other guardian through', () => {
    const b = guardianBlock({ audience: { accessors: ['guardian'], persons: [GUARDIAN] } });
    expect(run(ownView('guardian', GUARDIAN), [b]).effect).toBe('deny');
    expect(run(ownView('guardian', OTHER_GUARDIAN), [b]).effect).toBe('permit');
  });
});

describe('NSF-R11 a cross-border request gets only the categories its country may receive', () => {
  test('a category the country may receive is permitted', () => {
    expect(run(treatment({ country: 'FI' }), [])).toEqual({ effect: 'permit', trace: [{ rule: 'NSF-R15' }], obligations: [] });
  });

  test('a category it may not receive is denied', () => {
    expect(run(treatment({ country: 'DK' }), [])).toEqual({ effect: 'deny', trace: [{ rule: 'NSF-R11' }, { rule: 'NSF-R14' }], obligations: [] });
  });

  test('a country the policy does not name receives nothing', () => {
    expect(run(treatment({ country: 'NO' }), []).effect).toBe('deny');
  });

  test("the patient's blocks still apply abroad", () => {
    expect(run(treatment({ country: 'FI' }), [general()]).effect).toBe('deny');
  });

  test('no revoke lifts the policy', () => {
    const request = emergencyRequest({ country: 'DK' });
    const r = emergency();
    expect(run(request, [], [r, consent()]).effect).toBe('deny');
  });

  test('a national request is not subject to it', () => {
    expect(run(treatment({ record: { ...treatment().record, category: 'medical-imaging' } }), []).effect).toBe('permit');
  });
});

describe('NSF-R12 a consent revoke lifts, for its grantee and window, the care blocks it covers', () => {
  test('a consent for the organisation lifts an outer block for all its units and staff, traced to the revoke', () => {
    const b = outer();
    const r = consent();
    expect(run(treatment(), [b], [r])).toEqual({
      effect: 'permit',
      trace: [{ rule: 'NSF-R12', blockId: b.id, revokeId: r.id }, { rule: 'NSF-R15' }],
      obligations: [],
    });
    const otherUnit = treatment({ requester: { organisation: PROVIDER_B, careUnit: UNIT_B2, professional: DOCTOR_B2 } });
    expect(run(otherUnit, [b], [r]).effect).toBe('permit');
  });

  test('a consent for one unit or one professional lifts for them only', () => {
    const forUnit = consent({ grantee: { organisation: PROVIDER_B, careUnit: UNIT_B2 } });
    const forDoctor = consent({ grantee: { organisation: PROVIDER_B, professional: DOCTOR_B2 } });
    expect(run(treatment(), [outer()], [forUnit]).effect).toBe('deny');
    expect(run(treatment(), [outer()], [forDoctor]).effect).toBe('deny');
    const b2 = treatment({ requester: { organisation: PROVIDER_B, careUnit: UNIT_B2, professional: DOCTOR_B2 } });
    expect(run(b2, [outer()], [forUnit]).effect).toBe('permit');
    expect(run(b2, [outer()], [forDoctor]).effect).toBe('permit');
  });

  test('a consent for another organisation lifts nothing', () => {
    expect(run(treatment(), [outer()], [consent({ grantee: { organisation: PROVIDER_C } })]).effect).toBe('deny');
  });

  test('a consent naming blocks lifts those and no others', () => {
    const first = outer({ category: 'patient-summary' });
    const second = general();
    const decision = run(treatment(), [first, second], [consent({ blockIds: [first.id] })]);
    expect(decision.effect).toBe('deny');
    expect(decision.trace).toContainEqual({ rule: 'NSF-R7', blockId: second.id });
  });

  test('lifts inner and general blocks too', () => {
    expect(run(treatment(), [inner(), general()], [consent()]).effect).toBe('permit');
  });

  test('a general consent does not reverse an opt-out; one naming it does', () => {
    const o = optOut();
    expect(run(treatment(), [o], [consent()]).effect).toBe('deny');
    expect(run(treatment(), [o], [consent({ blockIds: [o.id] })]).effect).toBe('permit');
  });
});

describe('NSF-R13 an emergency revoke (break-glass)', () => {
  test('lifts outer, inner and general blocks under emergency purpose, with obligations', () => {
    const blocks = [outer(), inner(), general()];
    const r = emergency();
    const decision = run(emergencyRequest(), blocks, [r]);
    expect(decision.effect).toBe('permit');
    expect(decision.trace).toEqual([...blocks.map((b) => ({ rule: 'NSF-R13', blockId: b.id, revokeId: r.id })), { rule: 'NSF-R15' }]);
    expect(decision.obligations).toEqual(['audit-emergency-access', 'notify-patient', 'owner-follow-up']);
  });

  test('does nothing under treatment purpose', () => {
    expect(run(treatment(), [outer()], [emergency()]).effect).toBe('deny');
  });

  test('is personal: another professional of the same unit is not let through', () => {
    const colleagueOfB1 = emergencyRequest({ requester: { organisation: PROVIDER_B, careUnit: UNIT_B1, professional: DOCTOR_B2 } });
    expect(run(colleagueOfB1, [outer()], [emergency()]).effect).toBe('deny');
  });

  test('does not lift an opt-out unless national policy says so (EHDS art. 10(2))', () => {
    expect(run(emergencyRequest(), [optOut()], [emergency()]).effect).toBe('deny');
    const allowing = { ...POLICY, emergencyLiftsOptOut: true };
    const decision = run(emergencyRequest(), [optOut()], [emergency()], allowing);
    expect(decision.effect).toBe('permit');
    expect(rules(decision)).toEqual(['NSF-R13', 'NSF-R15']);
  });

  test('has no obligations when nothing blocked was released', () => {
    expect(run(emergencyRequest(), [], [emergency()])).toEqual({ effect: 'permit', trace: [{ rule: 'NSF-R15' }], obligations: [] });
  });

  test('a consent covering the block is preferred, so nobody breaks the glass', () => {
    const r = consent();
    const decision = run(emergencyRequest(), [outer()], [emergency(), r]);
    expect(decision.trace[0]).toMatchObject({ rule: 'NSF-R12', revokeId: r.id });
    expect(decision.obligations).toEqual([]);
  });

  test("puts the release on the owner's follow-up list", () => {
    const b = outer();
    const r = emergency();
    const request = emergencyRequest();
    const item = emergencyFollowUp(request, run(request, [b], [r]), NOW);
    expect(item).toEqual({
      at: NOW,
      patient: PATIENT,
      owner: PROVIDER_A,
      careUnit: UNIT_A1,
      requester: request.requester,
      revokeIds: [r.id],
      blockIds: [b.id],
    });
    expect(emergencyFollowUp(treatment(), run(treatment(), [b], [consent()]), NOW)).toBeUndefined();
  });
});

describe('NSF-R14 deny overrides', () => {
  test('one block lifted and one not: denied, and the trace names the one left', () => {
    const lifted = outer();
    const left = general();
    const r = consent({ blockIds: [lifted.id] });
    const decision = run(treatment(), [lifted, left], [r]);
    expect(decision.effect).toBe('deny');
    expect(decision.trace).toEqual([{ rule: 'NSF-R12', blockId: lifted.id, revokeId: r.id }, { rule: 'NSF-R7', blockId: left.id }, { rule: 'NSF-R14' }]);
    expect(decision.obligations).toEqual([]);
  });

  test('every applicable block is named, not just the first', () => {
    const blocks = [outer(), outer({ category: 'patient-summary' }), general()];
    expect(
      run(treatment(), blocks)
        .trace.filter((e) => e.blockId !== undefined)
        .map((e) => e.blockId),
    ).toEqual(blocks.map((b) => b.id));
  });
});

describe('NSF-R15 otherwise permit', () => {
  test('no blocks: permitted', () => {
    expect(run(treatment(), [])).toEqual({ effect: 'permit', trace: [{ rule: 'NSF-R15' }], obligations: [] });
  });
});

describe('batch and what the requester sees', () => {
  test('decideMany answers each request as decide would, across patients', () => {
    const blocks = [outer(), general(), seal(), optOut({ patient: OTHER_PATIENT })];
    const revokes = [consent({ grantee: { organisation: PROVIDER_C } })];
    const requests = [
      treatment(),
      colleague(),
      ownView(),
      treatment({ patient: OTHER_PATIENT }),
      treatment({ requester: { organisation: PROVIDER_C }, record: { ...treatment().record, category: 'laboratory-results' } }),
    ];
    const batch = decideMany(requests, blocks, revokes, POLICY, NOW);
    expect(batch).toEqual(requests.map((r) => decide(r, blocks, revokes, POLICY, NOW)));
    expect(batch.map((d) => d.effect)).toEqual(['deny', 'permit', 'deny', 'deny', 'permit']);
  });

  test('a blocked record is simply absent from what the requester gets', () => {
    const records = ['summary', 'lab'];
    const requests = [treatment(), treatment({ record: { ...treatment().record, category: 'laboratory-results' } })];
    const decisions = decideMany(requests, [general()], [], POLICY, NOW);
    expect(permitted(records, decisions)).toEqual(['lab']);
  });

  test('refuses a mismatched list rather than guess', () => {
    expect(() => permitted(['a'], [])).toThrow(RangeError);
  });
});
