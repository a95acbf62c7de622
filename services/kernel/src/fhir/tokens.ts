/**
 * How token values are kept in a `text[]` column so that every FHIR token form is one array
 * overlap (`&&`) on a GIN index:
 *   coding (S, C) stores `S|C`, `S|` and `*|C`; a code with no system stores `|C` and `*|C`.
 *   search `S|C` → `S|C`, `C` → `*|C`, `S|` → `S|`, `|C` → `|C`.
 * `*` is never a system (systems are URIs), so the keys cannot collide.
 * An `exact` parameter stores only `S|C` (or `|C`) and is searched only in those forms: for
 * identifiers written far more often than searched (the audit trail's patient and agents), where
 * the two extra keys of every value were a third of the cost of writing a row.
 */
export function tokenKeys(system: string | undefined, code: string | undefined, exact = false): string[] {
  if (exact) return code ? [`${system ?? ''}|${code}`] : [];
  if (system && code) return [`${system}|${code}`, `${system}|`, `*|${code}`];
  if (system) return [`${system}|`];
  if (code) return [`|${code}`, `*|${code}`];
  return [];
}

/** The stored key that a search token value matches, after splitting on an unescaped `|`. */
export function tokenSearchKey(value: string): string {
  const bar = unescapedIndex(value, '|');
  if (bar < 0) return `*|${unescape(value)}`;
  const system = unescape(value.slice(0, bar));
  const code = unescape(value.slice(bar + 1));
  if (!system) return `|${code}`;
  return code ? `${system}|${code}` : `${system}|`;
}

export function unescapedIndex(value: string, char: string): number {
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === char) return i;
  }
  return -1;
}

/** Splits a search value on unescaped commas (FHIR's OR). */
export function splitOr(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === ',') {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

export function unescape(value: string): string {
  return value.replace(/\\([\\,|$])/g, '$1');
}

/** Case- and accent-insensitive form of a string, as FHIR string search compares them. */
export function normaliseString(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}
