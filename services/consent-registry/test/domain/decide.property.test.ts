import fc from 'fast-check';
import { countryAllows } from '../../src/domain/country-policy.ts';
import { decide, decideMany } from '../../src/domain/decide.ts';
import { blocksForProvider, revokesForProvider } from '../../src/domain/distribution.ts';
import type { Block, DecisionPolicy, DecisionRequest, Instant, PersonRef, Revoke, RuleId } from '../../src/domain/model.ts';
import { PROVIDERS, blocksArb, nowArb, oneBlockArb, policyArb, requestArb, revokesArb, scenarioArb, type Scenario } from './arbitraries.ts';

const RUNS = { numRuns: 400 };

const run = (s: Scenario) => decide(s.request, s.blocks, s.revokes, s.policy, s.now);

/*
 * The oracle: the rules table of implementation-guides/consent-registry/rules.md read row by row,
 * over the whole list, with no index and no shortcuts. decide must agree with it.
 */
const same = (a: PersonRef, b: PersonRef) => a.system === b.system && a.value === b.value;
const live = (x: { status: string; period: { start: number; end?: number } }, now: Instant) =>
  x.status === 'active' && x.period.start <= now && (x.period.end === undefined || now < x.period.end);

function oracleBinds(block: Block, { request, now }: Scenario): boolean {
  const { record, requester, purpose } = request;
  if (!live(block, now) || !same(block.patient, request.patient)) return false; // R1
  if (block.owner !== 'all-providers' && block.owner !== record.owner) return false; // R2
  if (block.scope.careUnits?.length && !block.scope.careUnits.includes(record.careUnit)) return false; // R2
  if (block.category !== 'all' && block.category !== record.category) return false; // R2
  const w = block.dataPeriod;
  const d = record.dataPeriod;
  if (w && d && ((d.from ?? -Infinity) > (w.to ?? Infinity) || (d.to ?? Infinity) < (w.from ?? -Infinity))) return false; // R3
  const otherOrg = requester.organisation !== record.owner;
  if (purpose.type === 'patient-access') {
    if (block.kind !== 'seal' && block.kind !== 'patient-access' && block.kind !== 'guardian-access') return false;
    const audience = block.audience ?? { accessors: block.kind === 'guardian-access' ? ['guardian'] : ['patient', 'guardian', 'representative'] };
    return audience.accessors.includes(purpose.accessor) && (!audience.persons?.length || audience.persons.some((p) => same(p, purpose.person)));
  }
  if (block.kind === 'opt-out' || block.kind === 'all-providers') return otherOrg; // R4, R7
  if (block.kind === 'care-provider') return block.scope.level === 'outer' ? otherOrg : otherOrg || requester.careUnit !== record.careUnit; // R5, R6
  return false;
}

function oracleLifts(revoke: Revoke, block: Block, { request, policy, now }: Scenario): boolean {
  if (!live(revoke, now) || !same(revoke.patient, request.patient)) return false;
  if (block.kind === 'seal' || block.kind === 'patient-access' || block.kind === 'guardian-access') return false;
  const g = revoke.grantee;
  const r = request.requester;
  if (g.organisation !== r.organisation || (g.careUnit && g.careUnit !== r.careUnit) || (g.professional && g.professional !== r.professional)) return false;
  if (revoke.kind === 'consent') return revoke.blockIds?.length ? revoke.blockIds.includes(block.id) : block.kind !== 'opt-out'; // R12
  return request.purpose.type === 'emergency' && (block.kind !== 'opt-out' || policy.emergencyLiftsOptOut); // R13
}

const binding = (s: Scenario) => s.blocks.filter((b) => oracleBinds(b, s));
const unlifted = (s: Scenario) => binding(s).filter((b) => !s.revokes.some((r) => oracleLifts(r, b, s)));
const countryRefuses = (s: Scenario) => s.request.country !== undefined && !countryAllows(s.policy.countries, s.request.country, s.request.record.category);

const DENY_RULES: ReadonlySet<RuleId> = new Set(['NSF-R4', 'NSF-R5', 'NSF-R6', 'NSF-R7', 'NSF-R8', 'NSF-R9', 'NSF-R10', 'NSF-R11']);

describe('decide, over random block sets and requests', () => {
  test('no blocked record is ever permitted: a binding block nobody lifted, or the country policy, means deny', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        if (unlifted(s).length > 0 || countryRefuses(s)) expect(run(s).effect).toBe('deny');
      }),
      RUNS,
    );
  });

  test('and nothing else is denied: decide agrees with the rules table read row by row', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        expect(run(s).effect).toBe(unlifted(s).length > 0 || countryRefuses(s) ? 'deny' : 'permit');
      }),
      RUNS,
    );
  });

  test("every deny's trace names a deny rule, each named block applies and is unlifted, and every such block is named", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const decision = run(s);
        if (decision.effect !== 'deny') return;
        expect(decision.trace.at(-1)).toEqual({ rule: 'NSF-R14' });
        const denials = decision.trace.filter((e) => DENY_RULES.has(e.rule));
        expect(denials.length).toBeGreaterThan(0);
        const left = unlifted(s).map((b) => b.id);
        for (const entry of denials) {
          if (entry.rule === 'NSF-R11') expect(countryRefuses(s)).toBe(true);
          else expect(left).toContain(entry.blockId);
        }
        expect(denials.flatMap((e) => (e.blockId === undefined ? [] : [e.blockId])).sort()).toEqual([...left].sort());
      }),
      RUNS,
    );
  });

  test('every lift is traced to a revoke that is in force for this requester, and every binding block of a permit is lifted', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const decision = run(s);
        const lifts = decision.trace.filter((e) => e.rule === 'NSF-R12' || e.rule === 'NSF-R13');
        for (const entry of lifts) {
          const revoke = s.revokes.find((r) => r.id === entry.revokeId);
          const block = s.blocks.find((b) => b.id === entry.blockId);
          expect(revoke && block && oracleLifts(revoke, block, s)).toBe(true);
          expect(revoke?.kind).toBe(entry.rule === 'NSF-R12' ? 'consent' : 'emergency');
          // Where the patient has consented, nobody needs to break the glass.
          const consented = s.revokes.some((r) => r.kind === 'consent' && block !== undefined && oracleLifts(r, block, s));
          if (consented) expect(entry.rule).toBe('NSF-R12');
        }
        if (decision.effect === 'permit') {
          expect(decision.trace.at(-1)).toEqual({ rule: 'NSF-R15' });
          expect(lifts.map((e) => e.blockId).sort()).toEqual(
            binding(s)
              .map((b) => b.id)
              .sort(),
          );
        }
      }),
      RUNS,
    );
  });

  test('break-glass obligations come exactly with a permit that used an emergency revoke', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const decision = run(s);
        const usedEmergency = decision.trace.some((e) => e.rule === 'NSF-R13');
        expect(decision.obligations.length > 0).toBe(decision.effect === 'permit' && usedEmergency);
      }),
      RUNS,
    );
  });

  test('monotonic: adding a block never turns a deny into a permit', () => {
    fc.assert(
      fc.property(scenarioArb, oneBlockArb, (s, extra) => {
        if (run(s).effect === 'deny') expect(run({ ...s, blocks: [...s.blocks, extra] }).effect).toBe('deny');
      }),
      RUNS,
    );
  });

  test('monotonic: cancelling a block or a revoke only ever opens, respectively closes', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), (s, pick) => {
        const before = run(s).effect;
        if (s.blocks.length > 0 && before === 'permit') {
          const i = pick % s.blocks.length;
          const blocks = s.blocks.map((b, j) => (j === i ? { ...b, status: 'cancelled' as const } : b));
          expect(run({ ...s, blocks }).effect).toBe('permit');
        }
        if (s.revokes.length > 0 && before === 'deny') {
          const i = pick % s.revokes.length;
          const revokes = s.revokes.map((r, j) => (j === i ? { ...r, status: 'cancelled' as const } : r));
          expect(run({ ...s, revokes }).effect).toBe('deny');
        }
      }),
      RUNS,
    );
  });

  test("care blocks never touch the patient's own view, and view blocks never touch care", () => {
    const VIEW = new Set(['seal', 'patient-access', 'guardian-access']);
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const ownView = s.request.purpose.type === 'patient-access';
        const irrelevant = s.blocks.filter((b) => VIEW.has(b.kind) !== ownView);
        const relevantOnly = { ...s, blocks: s.blocks.filter((b) => !irrelevant.includes(b)) };
        expect(run(s)).toEqual(run(relevantOnly));
      }),
      RUNS,
    );
  });

  test('decideMany answers each request exactly as decide does', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { maxLength: 12 }), blocksArb(), revokesArb(), policyArb, nowArb, (requests, blocks, revokes, policy, now) => {
        expect(decideMany(requests, blocks, revokes, policy, now)).toEqual(requests.map((r) => decide(r, blocks, revokes, policy, now)));
      }),
      RUNS,
    );
  });

  test("NSF-R16 a provider's local copy decides its own records exactly as the national service does", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const owner = s.request.record.owner;
        const local = { ...s, blocks: blocksForProvider(s.blocks, owner), revokes: revokesForProvider(s.revokes, s.blocks, owner) };
        expect(run(local)).toEqual(run(s));
      }),
      RUNS,
    );
  });

  test("NSF-R16 the local copy holds no other provider's blocks", () => {
    fc.assert(
      fc.property(blocksArb(), fc.constantFrom(...PROVIDERS), (blocks, provider) => {
        for (const b of blocksForProvider(blocks, provider)) expect([provider, 'all-providers']).toContain(b.owner);
        expect(blocksForProvider(blocks, provider).length).toBe(blocks.filter((b) => b.owner === provider || b.owner === 'all-providers').length);
      }),
    );
  });
});
