import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Bundle, Communication, Consent, OperationOutcome, Parameters, Subscription, Task } from '@medplum/fhirtypes';
import { PURPOSE } from '@ndi-mesh/kernel';
import { startTestService, type TestService } from '@ndi-mesh/kernel/testing';
import { createConsentRegistry } from '../src/definition.ts';
import { decisions } from './support/consents.ts';
import { identities } from './support/identities.ts';
import { startCallers, startTestFederation, type Callers, type TestFederation } from './support/mesh.ts';

// The examples in implementation-guides/consent-registry/ are what vendors copy: they must work as they stand.
const guide = resolve(import.meta.dirname, '../../../implementation-guides/consent-registry');
const example = async <T>(name: string): Promise<T> => JSON.parse(await readFile(resolve(guide, 'examples', name), 'utf8')) as T;
const code = (body: unknown): string | undefined => (body as OperationOutcome).issue?.[0]?.details?.coding?.[0]?.code;

// The people and organisations the examples name.
const ids = {
  ...identities(8083_03),
  patient: { system: 'urn:oid:1.2.752.129.2.1.3.1', value: '199304242382' },
  providerA: 'SE0099008476-OPN78JYE',
  unitA1: 'SE0099008476-U3R6E4FZ',
  doctorA: 'SE0099008476-PPVGMW35',
  providerB: 'SE0099242448-ORYLBZA3',
  unitB1: 'SE0099242448-UF9JKH6J',
  doctorB: 'SE0099242448-P046A0VM',
};
let anchor: TestFederation;
let registry: TestService;
let callers: Callers;
let closeCallers: () => Promise<void>;
beforeAll(async () => {
  anchor = await startTestFederation();
  registry = await startTestService(createConsentRegistry({ NSF_DISTRIBUTION: 'off' }), {}, { anchor, trustMarks: ['national-service'] });
  ({ callers, close: closeCallers } = await startCallers(anchor, () => registry.url!, ids));
}, 60_000);
afterAll(async () => {
  await closeCallers?.();
  await registry?.close();
  await anchor?.close();
});

test("the guide's flow: register, decide (requester and owner views), opt out, cancel, subscribe", async () => {
  const patient = callers.access(ids.patient);
  const block = await patient.call('POST', '/Consent', await example('block-care-provider.json'));
  expect(block.status).toBe(201);

  const request = await example<Parameters>('decide-request.json');
  expect(decisions((await callers.national.call('POST', '/$decide', request)).body)).toEqual([
    { result: 'deny', trace: [] },
    { result: 'permit', trace: [] },
  ]);
  const asOwner = (await callers.providerA.call('POST', '/$decide', request)).body as Parameters;
  const shown = JSON.parse(JSON.stringify(await example('decide-response-owner.json')).replace('<id of the block>', block.body.id));
  expect(asOwner).toEqual(shown);

  const optOut = await patient.call('POST', '/Consent', await example('block-opt-out.json'));
  expect(optOut.status).toBe(201);
  const status = await callers.national.call('GET', '/$opt-out?patient=urn:oid:1.2.752.129.2.1.3.1%7C199304242382');
  expect(status.body).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'optedOut', valueBoolean: true }] });

  const cancelled = await patient.call('POST', `/Consent/${block.body.id}/$cancel`, await example('cancel-request.json'));
  expect(cancelled.status).toBe(200);
  expect((cancelled.body as Consent).status).toBe('inactive');

  const sub = await callers.providerA.call('POST', '/Subscription', await example('subscription.json'));
  expect(sub.status).toBe(201);
  expect(sub.body.status).toBe('active');
  const foreign = await callers.providerB.call('POST', '/Subscription', await example('subscription.json'));
  expect(foreign.status).toBe(403);
  // Every change (criteria Consent): the patient data index's copy; a national service only.
  const every = { ...(await example<Subscription>('subscription.json')), criteria: 'Consent', reason: 'National copy of every block' };
  const national = await callers.national.call('POST', '/Subscription', every);
  expect([national.status, national.body.status]).toEqual([201, 'active']);
  const provider = await callers.providerA.call('POST', '/Subscription', every);
  expect([provider.status, code(provider.body)]).toEqual([403, 'MESH-AUTH-005']);
  const malformed = await callers.national.call('POST', '/Subscription', { ...every, criteria: 'Consent?status=active' });
  expect([malformed.status, code(malformed.body)]).toEqual([422, 'MESH-FHIR-008']);
});

test("the guide's revoke flows: the patient's consent for one provider, then break-glass with its follow-up", async () => {
  const patient = callers.access(ids.patient);
  // Start from no opt-out, whatever ran before (an opt-out is never lifted by consent).
  const mine = (await patient.call('GET', '/Consent?status=active')).body as Bundle<Consent>;
  for (const e of mine.entry ?? [])
    if (e.resource!.category?.[0]?.coding?.[0]?.code === 'opt-out') await patient.call('POST', `/Consent/${e.resource!.id}/$cancel`);
  const block = await patient.call('POST', '/Consent', await example('block-care-provider.json'));
  expect(block.status).toBe(201);
  const request = await example<Parameters>('decide-request.json');
  expect(decisions((await callers.national.call('POST', '/$decide', request)).body).map((d) => d.result)).toEqual(['deny', 'permit']);

  const consentText = JSON.stringify(await example('revoke-consent.json'))
    .replace('<id of the block>', block.body.id)
    .replace(/<end: [^>]*>/, new Date(Date.now() + 7 * 86_400_000).toISOString());
  const revoke = await patient.call('POST', '/Consent', JSON.parse(consentText));
  expect(revoke.status).toBe(201);
  expect(decisions((await callers.national.call('POST', '/$decide', request)).body).map((d) => d.result)).toEqual(['permit', 'permit']);
  const withdrawn = await patient.call('POST', `/Consent/${revoke.body.id}/$cancel`, await example('cancel-request.json'));
  expect(withdrawn.body.status).toBe('inactive');

  const emergency = await example<Parameters>('decide-request-emergency.json');
  expect(decisions((await callers.national.call('POST', '/$decide', emergency)).body)[0]!.result).toBe('deny');
  const basis = { organisation: { hsaId: ids.providerB }, careUnit: { hsaId: ids.unitB1 }, person: { hsaId: ids.doctorB }, purposeOfUse: PURPOSE.emergency };
  const glass = await callers.providerB.call('POST', '/$break-glass', await example('break-glass-request.json'), basis);
  expect(glass.status).toBe(201);
  const [asOwner] = decisions((await callers.providerA.call('POST', '/$decide', emergency)).body);
  expect(asOwner).toEqual({ result: 'permit', trace: [`NSF-R13 block=${block.body.id} revoke=${glass.body.id}`, 'NSF-R15'] });

  const tasks = (await callers.providerA.call('GET', `/Task?owner=${ids.providerA}&status=requested`)).body as Bundle<Task>;
  expect(tasks.entry?.map((e) => e.resource!.focus?.reference)).toEqual([`Consent/${glass.body.id}`]);
  const notices = (await patient.call('GET', '/Communication')).body as Bundle<Communication>;
  expect(notices.entry?.map((e) => e.resource!.about?.[0]?.reference)).toEqual([`Consent/${glass.body.id}`]);

  // The owner reviews the access; the item leaves its open list.
  const reviewed = await callers.providerA.call('POST', `/Task/${tasks.entry![0]!.resource!.id}/$review`, await example('review-request.json'));
  expect([reviewed.status, (reviewed.body as Task).status, (reviewed.body as Task).businessStatus?.coding?.[0]?.code]).toEqual([
    200,
    'completed',
    'not-justified',
  ]);
  const open = (await callers.providerA.call('GET', `/Task?owner=${ids.providerA}&status=requested`)).body as Bundle<Task>;
  expect(open.entry ?? []).toEqual([]);
});
