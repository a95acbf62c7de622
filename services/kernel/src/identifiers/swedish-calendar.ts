/**
 * Dates as Swedish identity numbers see them. "Today" is the calendar date in Sweden, not in
 * UTC: a child born just after midnight Swedish time must not be "born in the future" for the
 * hour or two that UTC is still on the day before.
 */
const swedishDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * The last answer and the UTC minute it holds for. Sweden's offset from UTC is a whole number of
 * hours (CET, CEST; so since 1900) and changes on a whole hour, so the Swedish date can only change at the start
 * of a UTC minute: an answer holds, exactly, for the rest of its minute, across midnight and the
 * summer-time changes alike. Formatting through Intl for every identifier checked cost ~3 % of a
 * `$decide` call; this way it runs at most once a minute for a clock that moves forward.
 */
let cached: { readonly minute: number; readonly date: string } | undefined;

/** Today's date in Sweden as `YYYY-MM-DD`. */
export function todayInSweden(now: Date = new Date()): string {
  const minute = Math.floor(now.getTime() / 60_000);
  if (cached?.minute === minute) return cached.date;
  const parts = Object.fromEntries(swedishDate.formatToParts(now).map((p) => [p.type, p.value]));
  const date = `${parts['year']}-${parts['month']}-${parts['day']}`;
  cached = { minute, date };
  return date;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
