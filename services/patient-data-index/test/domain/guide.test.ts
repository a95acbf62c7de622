import { readFile } from 'node:fs/promises';
import { END_REASONS } from '../../src/domain/end-reason.ts';
import { PDI_RULES } from '../../src/domain/index-rules.ts';
import { EVENT_PARAMETERS, parseSharingEvent } from '../../src/domain/sharing-event.ts';

// The implementation guide is what integrators read: its examples must be events the index
// accepts, and its tables must name exactly the rules, parameters and codes the code has.
const guide = await readFile(new URL('../../../../implementation-guides/patient-data-index/rules.md', import.meta.url), 'utf8');
const examples = [...guide.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);

test('the guide has both examples and the index accepts each', () => {
  expect(examples).toHaveLength(2);
  const caller = 'SE0099057234-O6ZHJ83T';
  const [started, ended] = examples.map((e) => parseSharingEvent(e, { now: new Date('2026-03-01T00:00:00Z'), callerOrganisation: caller }));
  expect(started).toMatchObject({ eventType: 'started', occurredAt: '2026-02-01T08:00:00.000Z', localPatient: { value: 'MRN-000123' } });
  expect(ended).toMatchObject({ eventType: 'ended', endReason: 'patient-objected', system: 'https://ehr.example.se/federation/entity' });
});

test('the rules table lists every rule, in order', () => {
  const listed = [...guide.matchAll(/^\| \*\*(PDI-R\d+)\*\* \|/gm)].map((m) => m[1]);
  expect(listed).toEqual(Object.keys(PDI_RULES));
});

test('the parameter table lists every parameter, and the code table every end reason', () => {
  for (const name of Object.keys(EVENT_PARAMETERS)) expect(guide).toContain(`| \`${name}\` |`);
  for (const [code, meaning] of Object.entries(END_REASONS)) expect(guide).toContain(`| \`${code}\` | ${meaning} |`);
});
