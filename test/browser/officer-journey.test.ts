import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ukWallTime } from '../../src/platform/format';
import { bearer, useTestApp } from '../helpers/app';
import { BUILT_IN_TRIAGE } from '../helpers/built-in-triage';
import { seedOrganisation, seedUser } from '../helpers/factories';
import { multipart } from '../helpers/multipart';
import { useOidcProvider } from '../helpers/oidc-provider';
import { freePort, h1, isFocused, launchChromium, pressAndLoad, screenshot, skipWithoutChromium, tabTo } from './browser';
import { exampleAnswers, FILE_QUESTIONS, root } from './built-in';

/**
 * The whole of a procurement run by an officer in Chromium, with the keyboard alone, once with
 * JavaScript off and once with it on: signed in through the council's OpenID provider (a real
 * oidc-provider on loopback), a procurement created on the built-in questionnaire, its triage filled,
 * a panel named, two suppliers invited and the procurement opened; the suppliers answer through the
 * API; then the officer closes it, reads a response, asks a clarification, starts the evaluation,
 * sees the results, records the decision and downloads every report. Nothing is reached by typing
 * an address except the first page.
 */

const skip = skipWithoutChromium('test/browser/officer-journey.test.ts', 'an officer’s whole procurement in a browser');
const DAY = 24 * 60 * 60 * 1000;


describe.skipIf(skip)('an officer’s whole procurement in a browser, by keyboard', () => {
  const held = {} as { port: number; base: string; browser: Browser };
  beforeAll(async () => {
    held.port = await freePort();
    held.base = `http://127.0.0.1:${held.port}`;
  });
  const idp = useOidcProvider({
    redirectUri: () => `${held.base}/sign-in/oidc/callback`,
    accounts: {
      'olu-on': { sub: 'sub-olu-on', email: 'olu@js-on.example.gov.uk', email_verified: true, name: 'Olu Officer' },
      'olu-off': { sub: 'sub-olu-off', email: 'olu@js-off.example.gov.uk', email_verified: true, name: 'Olu Officer' },
    },
  });
  const ctx = useTestApp({ config: () => ({ COOKIE_SECURE: 'false', PUBLIC_BASE_URL: held.base }) });
  beforeAll(async () => {
    held.browser = await launchChromium();
    await ctx.app.listen({ port: held.port, host: '127.0.0.1' });
  });
  afterAll(async () => held.browser?.close());

  it.each([
    { js: false, label: 'off' },
    { js: true, label: 'on' },
  ])(
    'signs in, runs the procurement from draft to decision and downloads every report, JavaScript $label',
    async ({ js, label }) => {
      // The browser keeps cookies by the wall clock, so the app's clock runs from now.
      ctx.clock.set(new Date());
      const domain = `js-${label}.example.gov.uk`;
      const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
      const admin = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(org.admin.token), ...(payload ? { payload } : {}) });
      const registered = await admin('PUT', '/v1/identity-provider', { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, allowedDomains: [domain] });
      expect(registered.statusCode, registered.body).toBe(201);
      expect((await admin('POST', '/v1/users', { email: `olu@${domain}`, name: 'Olu Officer', role: 'officer' })).statusCode).toBe(201);
      const evaluator = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve Evaluator' });
      const moderator = await seedUser(ctx, org, { role: 'evaluator', name: 'Mo Moderator' });

      const context = await held.browser.newContext({ javaScriptEnabled: js, viewport: { width: 1000, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      const shot = (state: string) => screenshot(page, `officer-journey-${state}-js-${label}`);

      /** What a keyboard user does: Tab to a control, then type, tick, choose or press. */
      const key = {
        async type(target: Locator, text: string) {
          await tabTo(page, target, { max: 200 });
          await page.keyboard.press('Control+A');
          await page.keyboard.type(text);
        },
        async tick(target: Locator) {
          await tabTo(page, target, { max: 200 });
          if (!(await target.isChecked())) await page.keyboard.press('Space');
          expect(await target.isChecked()).toBe(true);
        },
        /** A radio: Tab reaches its group (the checked radio, or the first); Space picks it, arrows move along. */
        async choose(target: Locator) {
          const name = await target.getAttribute('name');
          const focusedName = () => page.evaluate('document.activeElement && document.activeElement.getAttribute("name")');
          for (let i = 0; i < 200 && (await focusedName()) !== name; i += 1) await page.keyboard.press('Tab');
          expect(await focusedName(), `the radios named ${name}`).toBe(name);
          await page.keyboard.press('Space');
          for (let i = 0; i < 30 && !(await target.isChecked()); i += 1) await page.keyboard.press('ArrowDown');
          expect(await target.isChecked()).toBe(true);
        },
        /** A link or a button that loads a page. */
        async follow(target: Locator) {
          await tabTo(page, target, { max: 200 });
          await pressAndLoad(page);
        },
      };
      const link = (name: string | RegExp) => page.getByRole('link', { name });
      const button = (name: string | RegExp) => page.getByRole('button', { name });
      const banner = () => page.locator('.govuk-notification-banner').innerText();

      try {
        // Sign in: the email address, the council's provider, and back where the officer started.
        await page.goto(`${held.base}/procurements`);
        expect(new URL(page.url()).pathname).toBe('/sign-in');
        await key.type(page.getByLabel('Email address'), `olu@${domain}`);
        await tabTo(page, button('Continue'));
        await Promise.all([page.waitForURL(`${idp.issuer}/interaction/**`), page.keyboard.press('Enter')]);
        await key.type(page.getByLabel('Account'), `olu-${label}`);
        await tabTo(page, button('Sign in'));
        await Promise.all([page.waitForURL(`${held.base}/procurements`), page.keyboard.press('Enter')]);
        expect(await h1(page)).toBe('Procurements');
        await shot('1-signed-in');

        // A draft on the built-in questionnaire, at its newest version (the one the form starts on).
        await key.follow(page.getByRole('button', { name: 'Create a procurement' }).or(link('Create a procurement')).first());
        await key.choose(page.getByLabel(/Responsible AI: supplier due diligence for councils \(version 1\.1\.0\)/));
        await key.type(page.getByLabel('Title'), 'AI triage of adult social care referrals');
        await key.type(page.getByLabel('Reference (optional)'), `ASC-2027-${label.toUpperCase()}`);
        const deadline = ukWallTime(new Date(Date.now() + 30 * DAY));
        await key.type(page.getByLabel('Day'), String(deadline.day));
        await key.type(page.getByLabel('Month'), String(deadline.month));
        await key.type(page.getByLabel('Year'), String(deadline.year));
        await key.type(page.getByLabel('Time (UK time)'), '17:00');
        await key.follow(button('Create procurement'));
        expect(await h1(page)).toBe('AI triage of adult social care referrals');
        const procurementPath = new URL(page.url()).pathname;
        const procurementId = procurementPath.split('/')[2]!;

        // The triage, in the order the page asks it.
        await key.follow(link(/Describe the use case/));
        const names = (await page.evaluate('[...new Set([...document.querySelectorAll("main form input, main form textarea, main form select")].map((e) => e.getAttribute("name")))]')) as string[];
        for (const name of names.filter((n) => n in BUILT_IN_TRIAGE)) {
          const value = (BUILT_IN_TRIAGE as Record<string, unknown>)[name];
          const inputs = page.locator(`main form [name="${name}"]`);
          const type = await inputs.first().getAttribute('type');
          if (type === 'radio') await key.choose(page.locator(`main form input[name="${name}"][value="${String(value)}"]`));
          else if (type === 'checkbox') for (const v of [value].flat()) await key.tick(page.locator(`main form input[name="${name}"][value="${String(v)}"]`));
          else await key.type(inputs.first(), String(value));
        }
        await key.follow(button('Save triage answers'));
        expect(await banner()).toContain('Triage answers saved');
        await shot('2-triage');
        await key.follow(link('Back'));

        // The panel: an evaluator and a moderator.
        await key.follow(link(/Name the evaluation panel/));
        await key.tick(page.locator(`input[name="evaluatorIds"][value="${evaluator.id}"]`));
        await key.choose(page.locator(`input[name="moderatorId"][value="${moderator.id}"]`));
        await key.follow(button('Save the panel'));
        expect(new URL(page.url()).pathname).toBe(procurementPath);

        // Two suppliers, each link read off the page that shows it once.
        const tokens: string[] = [];
        for (const [name, email] of [
          ['Acme AI Ltd', 'bids@acme.example'],
          ['Beta Bots Ltd', 'tenders@beta.example'],
        ] as const) {
          if (new URL(page.url()).pathname === procurementPath) await key.follow(link(/Invite suppliers/));
          await key.type(page.getByLabel('Supplier name'), name);
          await key.type(page.getByLabel('Email address to send the invitation to'), email);
          await key.follow(button('Invite supplier'));
          expect(await h1(page)).toBe(`${name} has been invited`);
          tokens.push((await page.locator('#invitation-link').innerText()).trim().split('/respond/')[1]!);
          await key.follow(link('Back to suppliers'));
        }
        await shot('3-suppliers');
        await key.follow(link('Back to the procurement'));

        // Open it.
        await key.follow(link(/Open to suppliers/));
        await key.follow(button('Open to suppliers'));
        expect(await banner()).toContain('Procurement opened');

        // The suppliers answer the whole questionnaire through the API, with the files it asks for, and submit.
        const answers = await exampleAnswers();
        const pdf = await readFile(path.join(root, 'test/fixtures/evidence/dpia.pdf'));
        for (const token of tokens) {
          const supplier = (method: 'POST' | 'PUT', url: string, payload: object) => ctx.app.inject({ method, url, headers: bearer(token), payload });
          const imported = await supplier('PUT', '/v1/supplier/response/import', { answers });
          expect(imported.statusCode, imported.body).toBe(200);
          for (const questionKey of FILE_QUESTIONS) {
            const body = multipart({ fields: { questionKey }, files: [{ filename: 'dpia.pdf', contentType: 'application/pdf', bytes: pdf }] });
            const uploaded = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(token), ...body.headers }, payload: body.payload });
            expect(uploaded.statusCode, uploaded.body).toBe(201);
          }
          const submitted = await supplier('POST', '/v1/supplier/response/submit', { declaration: true });
          expect(submitted.statusCode, submitted.body).toBe(200);
        }

        // Close it, from the procurement page as it is now.
        await key.follow(link(/Close to answers/));
        await key.follow(button(/Close/));
        expect(await banner()).toMatch(/closed/i);
        await shot('4-closed');

        // Read Acme's response and ask a clarification about one answer.
        await key.follow(link(/Invite suppliers/));
        await key.follow(page.locator('.govuk-summary-card', { hasText: 'Acme AI Ltd' }).getByRole('link', { name: /Read response/ }));
        expect(await h1(page)).toContain('Acme AI Ltd');
        await key.follow(link(/^Ask a clarification/).first());
        await key.type(page.getByLabel('Your question'), 'Which of your staff review the model’s outputs, and how often?');
        await key.follow(button('Send the clarification'));
        expect(await banner()).toContain('has been sent to Acme AI Ltd');
        await shot('5-clarification');
        await key.follow(link('Back to suppliers'));
        await key.follow(link('Back to the procurement'));

        // Evaluate: start, then the results.
        await key.follow(link(/Evaluate the responses/));
        await key.follow(button('Start evaluation'));
        expect(await banner()).toContain('Evaluation started');
        await key.follow(link(/Evaluate the responses/));
        expect(await h1(page)).toMatch(/Results/);
        expect(await page.locator('main table').first().innerText()).toContain('Acme AI Ltd');
        await shot('6-results');
        await key.follow(link('Back to the procurement'));

        // The decision (marks are outstanding, so the contract cannot be awarded yet: not awarded).
        await key.follow(link(/Record the decision/));
        await key.choose(page.getByLabel('Do not award the contract'));
        await key.type(page.getByLabel('Reasons for the decision'), 'Neither tender showed enough human oversight of the model’s referrals.');
        await key.follow(button('Continue'));
        expect(await h1(page)).toBe('Check the decision before you record it');
        await key.follow(button('Record the decision'));
        expect(await banner()).toContain('The decision has been recorded');
        await shot('7-decided');
        await key.follow(link('Back to the procurement'));

        // Every report and export, each downloaded with Enter.
        await key.follow(link(/Download the reports/));
        const downloads = page.locator('main a[download]');
        const count = await downloads.count();
        // The comparison, each supplier's evaluation report and assessment summary, the CSV, the workbook and the draft ATRS records.
        expect(count).toBeGreaterThanOrEqual(7);
        const kinds: string[] = [];
        for (let i = 0; i < count; i += 1) {
          const target = downloads.nth(i);
          await tabTo(page, target, { max: 200 });
          expect(await isFocused(target)).toBe(true);
          const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
          const bytes = await readFile((await download.path())!);
          const name = download.suggestedFilename();
          if (name.endsWith('.pdf')) expect(bytes.subarray(0, 5).toString('latin1'), name).toBe('%PDF-');
          else if (name.endsWith('.xlsx')) expect(bytes.subarray(0, 2).toString('latin1'), name).toBe('PK');
          else if (name.endsWith('.csv')) expect(bytes.toString('utf8'), name).toContain('Acme AI Ltd');
          // The draft transparency (ATRS) record of each supplier, as JSON beside its PDF.
          else if (name.endsWith('.json')) expect((JSON.parse(bytes.toString('utf8')) as { sections?: unknown[] }).sections?.length, name).toBeGreaterThan(0);
          else throw new Error(`an unexpected download: ${name}`);
          kinds.push(name.split('.').pop()!);
        }
        expect(kinds.filter((k) => k === 'pdf').length).toBeGreaterThanOrEqual(5);
        expect(kinds).toEqual(expect.arrayContaining(['csv', 'xlsx', 'json']));
        await shot('8-reports');

        // What the browser did is what the API records.
        const procurement = (await admin('GET', `/v1/procurements/${procurementId}`)).json();
        expect(procurement).toMatchObject({ status: 'decided', evaluatorIds: [evaluator.id], moderatorId: moderator.id });
      } finally {
        await context.close();
      }
    },
    600_000,
  );
});
