import { todayInSweden } from '../src/identifiers/swedish-calendar.ts';

// "Today in Sweden" is cached for the rest of its UTC minute; it must still change exactly at
// Swedish midnight, in winter (CET), in summer (CEST) and on the nights the clocks change.
const reference = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' });
const at = (iso: string) => new Date(iso);

test.each([
  ['winter (CET)', '2026-01-14T22:59:59.999Z', '2026-01-14', '2026-01-14T23:00:00.000Z', '2026-01-15'],
  ['summer (CEST)', '2025-06-15T21:59:59.999Z', '2025-06-15', '2025-06-15T22:00:00.000Z', '2025-06-16'],
  ['the night the clocks go forward', '2026-03-28T22:59:59.999Z', '2026-03-28', '2026-03-28T23:00:00.000Z', '2026-03-29'],
  ['the first midnight in summer time', '2026-03-29T21:59:59.999Z', '2026-03-29', '2026-03-29T22:00:00.000Z', '2026-03-30'],
  ['the night the clocks go back', '2026-10-24T21:59:59.999Z', '2026-10-24', '2026-10-24T22:00:00.000Z', '2026-10-25'],
  ['the first midnight in winter time', '2026-10-25T22:59:59.999Z', '2026-10-25', '2026-10-25T23:00:00.000Z', '2026-10-26'],
])('the day changes exactly at Swedish midnight: %s', (_name, before, dayBefore, after, dayAfter) => {
  // Asked within the minute first, so the answer is cached when midnight comes.
  expect(todayInSweden(new Date(at(before).getTime() - 30_000))).toBe(dayBefore);
  expect(todayInSweden(at(before))).toBe(dayBefore);
  expect(todayInSweden(at(after))).toBe(dayAfter);
  // A clock set back is answered for its own time, not from the cache.
  expect(todayInSweden(at(before))).toBe(dayBefore);
});

test('agrees with Intl at every step through the days the clocks change', () => {
  const mismatches: string[] = [];
  for (const [from, hours] of [
    ['2026-03-28T20:00:00.000Z', 30],
    ['2026-10-24T20:00:00.000Z', 30],
  ] as const) {
    const start = at(from).getTime();
    for (let t = start; t < start + hours * 3_600_000; t += 997) {
      const d = new Date(t);
      if (todayInSweden(d) !== reference.format(d)) mismatches.push(d.toISOString());
    }
  }
  expect(mismatches).toEqual([]);
});
