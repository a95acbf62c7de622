/**
 * One typed table of settings per service: name, type, default and what it does. It is read
 * and validated once at start (a bad value stops the process with a message naming the
 * variable), and the same table produces the configuration section of the docs.
 */
export type SettingType = 'string' | 'integer' | 'boolean' | 'url' | 'enum';

export interface SettingSpec<T> {
  readonly env: string;
  readonly type: SettingType;
  readonly default?: T;
  /** How the docs state a default that depends on the machine (the value itself is computed at start). */
  readonly defaultDoc?: string;
  readonly doc: string;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

export type SettingsTable = Record<string, SettingSpec<unknown>>;

type ValueOf<S> = S extends SettingSpec<infer T> ? T : never;
export type Settings<T extends SettingsTable> = { readonly [K in keyof T]: ValueOf<T[K]> };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function setting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return spec;
}

export function readSettings<T extends SettingsTable>(table: T, env: NodeJS.ProcessEnv = process.env): Settings<T> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(table)) {
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      out[key] = spec.default;
      continue;
    }
    try {
      out[key] = parseValue(spec, raw);
    } catch (err) {
      problems.push(`${spec.env}=${JSON.stringify(raw)}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return out as Settings<T>;
}

function parseValue(spec: SettingSpec<unknown>, raw: string): unknown {
  switch (spec.type) {
    case 'string':
      return raw;
    case 'integer': {
      if (!/^-?\d+$/.test(raw)) throw new Error('expected a whole number');
      const n = Number(raw);
      if (spec.min !== undefined && n < spec.min) throw new Error(`must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw new Error(`must be at most ${spec.max}`);
      return n;
    }
    case 'boolean':
      if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
      if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
      throw new Error('expected true or false');
    case 'url':
      try {
        return new URL(raw).toString().replace(/\/$/, '');
      } catch {
        throw new Error('expected an absolute URL');
      }
    case 'enum':
      if (!spec.values?.includes(raw)) throw new Error(`expected one of ${spec.values?.join(', ')}`);
      return raw;
  }
}

/** Markdown table of a settings table, for the README and the implementation guides. */
export function settingsMarkdown(table: SettingsTable): string {
  const rows = Object.values(table).map(
    (s) =>
      `| \`${s.env}\` | ${s.type === 'enum' ? s.values?.join(' \\| ') : s.type} | ${s.defaultDoc ?? (s.default === undefined ? '—' : `\`${String(s.default)}\``)} | ${s.doc} |`,
  );
  return ['| variable | type | default | what it does |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
