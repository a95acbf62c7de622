import { readSettings, setting, settingsMarkdown, ConfigError } from '../src/config/settings.ts';
import { availableParallelism } from 'node:os';
import { defaultPoolSize, readServiceSettings } from '../src/config/service-settings.ts';

describe('settings', () => {
  test('defaults apply and environment values are typed', () => {
    const s = readServiceSettings({ port: 8081, service: 'service-catalogue' }, { DB_POOL_SIZE: '20', BASE_URL: 'https://ntk.example.se/' });
    expect(s).toMatchObject({ port: 8081, host: '127.0.0.1', poolSize: 20, schema: 'service_catalogue', baseUrl: 'https://ntk.example.se', logLevel: 'info' });
  });
  test('the pool is twice the cores, at least 4 and at most 10, unless DB_POOL_SIZE says otherwise', () => {
    expect([1, 2, 3, 4, 5, 6, 64].map((cores) => defaultPoolSize(cores))).toEqual([4, 4, 6, 8, 10, 10, 10]);
    expect(readServiceSettings({ port: 1, service: 'x' }, {}).poolSize).toBe(defaultPoolSize(availableParallelism()));
    const doc = settingsMarkdown({ pool: setting<number>({ env: 'P', type: 'integer', default: 4, defaultDoc: 'twice the cores', doc: 'd' }) });
    expect(doc).toContain('| `P` | integer | twice the cores | d |');
  });

  test('every bad value is named at once', () => {
    expect(() => readServiceSettings({ port: 1, service: 'x' }, { PORT: '80a', LOG_LEVEL: 'loud', BASE_URL: 'not a url', DB_POOL_SIZE: '0' })).toThrow(
      ConfigError,
    );
    try {
      readServiceSettings({ port: 1, service: 'x' }, { PORT: '80a', LOG_LEVEL: 'loud', BASE_URL: 'not a url', DB_POOL_SIZE: '0' });
    } catch (err) {
      const msg = (err as Error).message;
      for (const v of ['PORT="80a"', 'LOG_LEVEL="loud"', 'BASE_URL="not a url"', 'DB_POOL_SIZE="0"']) expect(msg).toContain(v);
    }
  });
  test('booleans and the docs table', () => {
    const table = { on: setting<boolean>({ env: 'X_ON', type: 'boolean', default: false, doc: 'Turns it on.' }) };
    expect(readSettings(table, { X_ON: 'yes' }).on).toBe(true);
    expect(() => readSettings(table, { X_ON: 'maybe' })).toThrow(/X_ON/);
    expect(settingsMarkdown(table)).toContain('| `X_ON` | boolean | `false` | Turns it on. |');
  });
});
