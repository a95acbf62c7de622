import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent, Bundle, Endpoint } from '@medplum/fhirtypes';
import { browserAvailable, signIn, startMesh, type Mesh } from './harness.ts';
import { colourCount, decodePng, differingShare } from './png.ts';

const run = browserAvailable() ? describe : describe.skip;
// Each test drives a browser through several pages.
const SLOW = 60_000;

const SCREENSHOTS = join(import.meta.dirname, '__screenshots__');

run('the catalogue admin UI in Chromium', () => {
  let mesh: Mesh;
  beforeAll(async () => {
    mesh = await startMesh();
  }, 120_000);
  afterAll(async () => {
    await mesh?.close();
  });

  const person = (role: string, org = 0) =>
    mesh.directory.people.filter((p) => p.roles.includes(role) && p.organisationHsaId === mesh.directory.organisations[org]!.hsaId)[0]!;
  const name = (p: { givenName: string; familyName: string }) => `${p.givenName} ${p.familyName}`;
  const fhirRead = async (id: string) => (await mesh.catalogue.http.get(`/fhir/Endpoint/${id}`).expect(200)).body as Endpoint;

  test(
    'an organisation administrator signs in at the identity provider and sees only their own endpoints',
    async () => {
      const alva = person('ntk-admin', 0);
      const page = await signIn(mesh, name(alva));
      expect(new URL(page.url()).pathname).toBe('/admin/endpoints');
      await page.getByRole('heading', { name: 'Endpoints of Region Exempelland' }).waitFor();
      expect(await page.getByText(`${name(alva)} · Region Exempelland`).isVisible()).toBe(true);
      const rows = page.getByRole('row');
      const text = await rows.allInnerTexts();
      expect(text.some((t) => t.includes('Patient summary API'))).toBe(true);
      expect(text.some((t) => t.includes('Laboratory results API'))).toBe(true);
      expect(text.some((t) => t.includes('ePrescription API'))).toBe(false);
      // The session cookie is not readable by scripts and is not sent cross-site.
      const cookie = (await page.context().cookies()).find((c) => c.name === 'ntk_admin_session')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/admin' });
      await page.context().close();
    },
    SLOW,
  );

  test(
    'a person without a catalogue role is refused at sign-in, with the reason',
    async () => {
      const david = mesh.directory.people.find((p) => p.roles.length === 0)!;
      const page = await signIn(mesh, name(david));
      const alert = page.getByRole('alert');
      expect(await alert.innerText()).toMatch(/neither the role of catalogue administrator \(ntk-admin\) nor of agency support/);
      expect((await page.context().cookies()).some((c) => c.name === 'ntk_admin_session')).toBe(false);
      await page.context().close();
    },
    SLOW,
  );

  test(
    'an administrator edits an own endpoint; a bad address gets a message next to the field and changes nothing',
    async () => {
      const alva = person('ntk-admin', 0);
      const page = await signIn(mesh, name(alva));
      await page.getByRole('link', { name: 'Patient summary API' }).click();
      await page.getByRole('heading', { name: 'Change Patient summary API' }).waitFor();

      await page.getByLabel('Address').fill('http://fhir.region-exempelland.example/r4');
      const [refusal] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Save changes' }).click(),
      ]);
      expect(refusal.status()).toBe(422);
      await page.getByRole('heading', { name: 'The endpoint was not saved' }).waitFor();
      const address = page.getByLabel('Address');
      expect(await address.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await address.getAttribute('aria-describedby'))!.split(' ');
      const message = await page.locator(`[id="${describedBy.find((d) => d.endsWith('-error'))}"]`).innerText();
      expect(message).toMatch(/starting with https:\/\//);
      expect(await address.inputValue()).toBe('http://fhir.region-exempelland.example/r4');
      expect((await fhirRead(mesh.endpoints.summary.id!)).address).toBe('https://fhir.region-exempelland.example/r4');

      await address.fill('https://fhir2.region-exempelland.example/r4');
      await page.getByLabel('Discharge report').check();
      await page.getByLabel('Last day').fill('2027-06-30');
      await page.getByLabel('Implementation guide', { exact: true }).fill('https://ig.example.se/patient-summary');
      await page.getByLabel('Guide version').fill('1.2.0');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved “Patient summary API”.' }).waitFor();

      const saved = await fhirRead(mesh.endpoints.summary.id!);
      expect(saved.address).toBe('https://fhir2.region-exempelland.example/r4');
      expect(saved.meta?.versionId).toBe('2');
      expect(saved.period).toEqual({ start: '2026-01-01', end: '2027-06-30' });
      expect(saved.payloadType?.map((p) => p.coding?.[0]?.code)).toEqual(['patient-summary', 'discharge-report']);
      expect(saved.extension?.[0]?.extension).toEqual([
        { url: 'guide', valueUrl: 'https://ig.example.se/patient-summary' },
        { url: 'version', valueString: '1.2.0' },
      ]);
      // Audited as the person, for the organisation, through the catalogue itself.
      const audit = (await mesh.catalogue.http.get(`/fhir/AuditEvent?entity=Endpoint/${saved.id}&action=U`).expect(200)).body as Bundle<AuditEvent>;
      const agents = audit.entry!.flatMap((e) => e.resource!.agent.map((a) => a.who?.identifier?.value));
      expect(agents).toEqual(expect.arrayContaining([alva.hsaId, alva.organisationHsaId, mesh.url]));
      await page.context().close();
    },
    SLOW,
  );

  test(
    "another organisation's endpoint: no form, and a forged post is refused by the catalogue with a clear 403 page",
    async () => {
      const alva = person('ntk-admin', 0);
      const page = await signIn(mesh, name(alva));
      const theirs = mesh.endpoints.prescription;
      const direct = await page.goto(`${mesh.url}/admin/endpoints/${theirs.id}`);
      expect(direct!.status()).toBe(403);
      await page.getByRole('heading', { name: 'You cannot change this endpoint' }).waitFor();
      expect(await page.getByRole('textbox').count()).toBe(0);

      // The form of an own endpoint, re-aimed at theirs: the router's ownership rule (NTK-R3) answers.
      await page.goto(`${mesh.url}/admin/endpoints/${mesh.endpoints.lab.id}`);
      await page.locator('form.edit').evaluate((form, id) => form.setAttribute('action', `/admin/endpoints/${id}`), theirs.id!);
      await page.locator('input[name=version]').evaluate((input, v) => input.setAttribute('value', v), theirs.meta!.versionId!);
      const [refusal] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Save changes' }).click(),
      ]);
      expect(refusal.status()).toBe(403);
      const alert = await page.getByRole('alert').innerText();
      expect(alert).toMatch(/belongs to another organisation/);
      expect(alert).toMatch(/MESH-AUTH-005/);
      const after = await fhirRead(theirs.id!);
      expect(after.meta?.versionId).toBe(theirs.meta?.versionId);
      expect(after.address).toBe(theirs.address);
      await page.context().close();
    },
    SLOW,
  );

  test(
    "the agency's support staff list and search every organisation and read the change history",
    async () => {
      const cecilia = mesh.directory.people.find((p) => p.roles.includes('agency-support'))!;
      const page = await signIn(mesh, name(cecilia));
      expect(new URL(page.url()).pathname).toBe('/admin/support');
      const orgLinks = async () => page.getByRole('table').getByRole('link').allInnerTexts();
      expect(await orgLinks()).toEqual(['Region Exempelland', 'Vårdbolaget Prov AB']);

      await page.getByLabel('Search by name or HSA-id').fill('prov');
      await page.getByLabel('Search by name or HSA-id').press('Enter');
      await page.getByRole('status').filter({ hasText: 'match' }).waitFor();
      expect(await orgLinks()).toEqual(['Vårdbolaget Prov AB']);

      const regionHsa = mesh.directory.organisations[0]!.hsaId;
      await page.getByLabel('Search by name or HSA-id').fill(regionHsa);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('status').filter({ hasText: regionHsa }).waitFor();
      expect(await orgLinks()).toEqual(['Region Exempelland']);

      await page.getByRole('link', { name: 'Region Exempelland' }).click();
      await page.getByRole('heading', { name: 'Change history' }).waitFor();
      const history = await page.getByRole('table').nth(1).innerText();
      // The administrator's edit in the earlier test, with who made it and what changed.
      expect(history).toContain(`address: “https://fhir.region-exempelland.example/r4” → “https://fhir2.region-exempelland.example/r4”`);
      expect(history).toContain(name(person('ntk-admin', 0)));
      expect(history).toContain('Created');
      // Support staff do not get the administrators' pages.
      const forbidden = await page.goto(`${mesh.url}/admin/endpoints`);
      expect(forbidden!.status()).toBe(403);
      await page.context().close();
    },
    SLOW,
  );

  test(
    'the endpoint form is labelled and can be used with the keyboard alone',
    async () => {
      const alva = person('ntk-admin', 0);
      const page = await signIn(mesh, name(alva));
      await page.goto(`${mesh.url}/admin/endpoints/new`);
      for (const label of ['Name', 'Status', 'Address', 'Connection type', 'First day', 'Last day', 'Guide version', 'Patient summary', 'Laboratory results']) {
        expect(await page.getByLabel(label, { exact: true }).count()).toBe(1);
      }
      // The first Tab reaches the skip link; following it puts focus on the main content.
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to main content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement?.id')).toBe('main');

      const focused = () => page.evaluate('document.activeElement?.id ?? ""');
      await page.getByLabel('Name', { exact: true }).focus();
      await page.keyboard.type('Imaging API');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('status');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('address');
      await page.keyboard.type('https://imaging.region-exempelland.example/fhir');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('connectionType');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('informationType-0');
      // Tab to the "Medical images" box and tick it with the space bar.
      const boxes = await page.locator('input[name=informationType]').evaluateAll((els) => els.map((e) => (e.parentElement?.textContent ?? '').trim()));
      for (let i = 0; i < boxes.indexOf('Medical images and imaging reports'); i++) await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      expect(await page.getByLabel('Medical images and imaging reports').isChecked()).toBe(true);
      await page.getByLabel('Guide version').focus();
      await page.keyboard.press('Enter'); // submits the form, as Enter in a text field does
      await page.getByRole('status').filter({ hasText: 'Saved “Imaging API”.' }).waitFor();
      const created = ((await mesh.catalogue.http.get('/fhir/Endpoint?name=Imaging API').expect(200)).body as Bundle<Endpoint>).entry![0]!.resource!;
      expect(created).toMatchObject({
        address: 'https://imaging.region-exempelland.example/fhir',
        status: 'active',
        managingOrganization: { reference: `Organization/${mesh.orgs.region.id}` },
      });
      await page.context().close();
    },
    SLOW,
  );

  test(
    'screenshot: the endpoint list looks as the committed baseline',
    async () => {
      const bjorn = person('ntk-admin', 1);
      const page = await signIn(mesh, name(bjorn));
      await page.getByRole('heading', { name: 'Endpoints of Vårdbolaget Prov AB' }).waitFor();
      // The structure first: what a screen reader meets on the page.
      const aria = (await page.locator('main').ariaSnapshot()).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
      expect(aria).toMatchSnapshot();
      const shot = await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' });
      const actual = decodePng(shot);
      expect(actual.width).toBe(1024);
      expect(actual.height).toBeGreaterThanOrEqual(768);
      expect(colourCount(actual)).toBeGreaterThan(8); // not blank
      const baselinePath = join(SCREENSHOTS, 'endpoint-list.png');
      if (!existsSync(baselinePath)) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        writeFileSync(baselinePath, shot);
        if (process.env.CI === 'true') throw new Error(`No baseline screenshot at ${baselinePath}: one was written now; look at it and commit it.`);
        console.warn(`Wrote the baseline screenshot ${baselinePath}: look at it and commit it.`);
        await page.context().close();
        return;
      }
      const share = differingShare(decodePng(readFileSync(baselinePath)), actual);
      if (share > 0.002) writeFileSync(join(SCREENSHOTS, 'endpoint-list.actual.png'), shot);
      expect(share).toBeLessThanOrEqual(0.002);
      await page.context().close();
    },
    SLOW,
  );
});
