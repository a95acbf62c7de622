import { errorCatalogue } from '../../services/kernel/src/errors/catalogue.ts';
import { settingsMarkdown } from '../../services/kernel/src/config/settings.ts';
import { serviceSettingsTable } from '../../services/kernel/src/config/service-settings.ts';
import { trustSettingsTable } from '../../services/kernel/src/trust/trust-settings.ts';

/**
 * Generated regions of the docs: text between `<!-- BEGIN name -->` and `<!-- END name -->`
 * comes from the code, so the tables in the guides cannot drift from what the services do.
 */
export const generators: Record<string, () => string> = {
  settings: () => settingsMarkdown(serviceSettingsTable({ port: 0, service: '<service>' })).replace('`0`', 'per service'),
  'trust-settings': () => settingsMarkdown(trustSettingsTable),
  errors: () =>
    [
      '| code | HTTP | issue type | meaning |',
      '| --- | --- | --- | --- |',
      ...Object.entries(errorCatalogue).map(([code, d]) => `| \`${code}\` | ${d.status} | ${d.type} | ${d.title.replace(/\|/g, '\\|')} |`),
    ].join('\n'),
};

export function fillRegions(text: string): string {
  return text.replace(/(<!-- BEGIN (\w[\w-]*) -->)[\s\S]*?(<!-- END \2 -->)/g, (whole, begin: string, name: string, end: string) => {
    const gen = generators[name];
    return gen ? `${begin}\n${gen()}\n${end}` : whole;
  });
}

export const DOCUMENTS = ['README.md', 'implementation-guides/conventions.md'];
