import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../helpers/factories';
import { multipart } from '../helpers/multipart';
import { staffCookie } from '../helpers/staff';
import { evidenceDefinition, smallDefinition } from '../modules/questionnaires/fixtures';
import { axeViolations, axeViolationsWithoutJs, h1, horizontalOverflow, screenshot, skipWithoutChromium, useBrowser } from './browser';

/**
 * The officer console's suppliers, response, results, decision and reports pages in Chromium, every
 * page and every error state a person can reach: axe-core at WCAG 2.2 AA and no horizontal
 * scrolling at 320 px, with JavaScript on (axe at 1000 px, then the reflow check at 320 px) and off
 * (at 320 px; axe on a copy of the page without its scripts). Forms are filled and really posted.
 */

const skip = skipWithoutChromium('test/browser/console-suppliers-results.test.ts', 'the console’s supplier and results pages in a browser');
const DAY = 24 * 60 * 60 * 1000;
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

describe.skipIf(skip)('the console’s supplier and results pages in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const chrome = useBrowser(ctx);

  it.each([
    { js: true, width: 1000, label: 'on' },
    { js: false, width: 320, label: 'off' },
  ])('pass axe and reflow at 320 px in every state, JavaScript $label', async ({ js, width }) => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
    const viewer = await seedUser(ctx, org, { role: 'viewer', name: 'Vic Viewer' });
    const deadline = new Date(ctx.clock.now().getTime() + 14 * DAY).toISOString();
    const procurementId = await seedOpenProcurement(ctx, org, { definition: evidenceDefinition(), triage, title: 'Council tax chatbot', deadline });
    const untouched = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, title: 'Nothing yet', deadline });
    const admin = (method: 'GET' | 'POST', url: string) => ctx.app.inject({ method, url, headers: bearer(org.admin.token) });
    const supplier = (token: string, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
    const checkerContext = await chrome.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    const signInAs = async (userId: string) => {
      const { cookie } = await staffCookie({ app: ctx.app, userId });
      await context.addCookies([{ name: cookie.name, value: cookie.value, url: chrome.base }]);
    };
    const violations: string[] = [];
    const visited: string[] = [];
    const check = async (state: string) => {
      const label = `${state}, JavaScript ${js ? 'on' : 'off'}`;
      visited.push(state);
      violations.push(...(js ? await axeViolations(page, label) : await axeViolationsWithoutJs(page, checker, label)));
      if (js) await page.setViewportSize({ width: 320, height: 900 });
      const { overflow, culprits } = await horizontalOverflow(page);
      expect(overflow, `${label} at 320 px: ${culprits.join(', ')}`).toBe(0);
      if (js) await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `console-suppliers-${state.replace(/\W+/g, '-')}-js-${js ? 'on' : 'off'}`);
    };
    const go = async (path: string) => (await page.goto(`${chrome.base}${path}`))?.status();
    const press = async (name: string | RegExp) => {
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name }).click()]);
    };
    const errorSummary = () => page.locator('.govuk-error-summary__list a').allInnerTexts();
    const banner = () => page.locator('.govuk-notification-banner').innerText();
    const suppliers = `/procurements/${procurementId}/suppliers`;

    try {
      await signInAs(officer.id);
      expect(await go(suppliers)).toBe(200);
      await check('suppliers, none yet');
      await press('Invite supplier');
      expect(await errorSummary()).toEqual(['Enter the supplier’s name', 'Enter the email address to send the invitation to']);
      await check('suppliers, invite with errors');
      await page.getByLabel('Supplier name').fill('Acme AI Ltd');
      await page.getByLabel('Email address to send the invitation to').fill('bids@acme.example');
      await press('Invite supplier');
      expect(await h1(page)).toBe('Acme AI Ltd has been invited');
      expect(await page.getByRole('button', { name: 'Copy link' }).isVisible()).toBe(js);
      const token = (await page.locator('#invitation-link').innerText()).trim().split('/respond/')[1]!;
      const linkPage = new URL(page.url()).pathname;
      await check('the link, shown once');
      await page.reload();
      expect(await h1(page)).toBe('The link for Acme AI Ltd is no longer shown');
      await check('the link, no longer shown');
      const base = linkPage.replace(/\/link$/, '');

      await go(suppliers);
      await check('suppliers, one invited');
      await go(`${base}/new-link`);
      await check('new link, confirmation');
      await go(`${base}/remind`);
      await check('reminder, confirmation');
      await press('Send the reminder');
      expect(await banner()).toContain('A reminder has been sent to Acme AI Ltd');
      await check('suppliers, with a banner');
      await go(`${base}/extend`);
      await check('extend the deadline');
      await press('Extend the deadline');
      expect(await errorSummary()).toEqual(['Enter the new deadline', 'Enter why this supplier is given more time']);
      await check('extend the deadline, with errors');
      await go(`${base}/revoke`);
      await check('revoke, confirmation');

      // Acme answers (one answer confidential, evidence attached) and submits; Beta submits; Gamma has started.
      const imported = await supplier(token, 'PUT', '/v1/supplier/response/import', {
        answers: {
          'a.training': { value: 'opt_in' },
          'a.training_detail': { value: 'Only datasets the council signs off.', confidential: true, confidentialReason: 'Names our data partners' },
          'b.hours': { value: 12, comment: 'Calendar hours.' },
        },
      });
      expect(imported.statusCode, imported.body).toBe(200);
      for (const questionKey of ['b.hours', 'b.policy']) {
        const body = multipart({ fields: { questionKey }, files: [{ filename: `${questionKey}.txt`, contentType: 'text/plain', bytes: Buffer.from('Our plan.\n') }] });
        expect((await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(token), ...body.headers }, payload: body.payload })).statusCode).toBe(201);
      }
      expect((await supplier(token, 'POST', '/v1/supplier/response/submit', { declaration: true })).statusCode).toBe(200);
      const beta = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
      await supplier(beta.token, 'PUT', '/v1/supplier/response/import', { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 48 } } });
      for (const questionKey of ['b.hours', 'b.policy']) {
        const body = multipart({ fields: { questionKey }, files: [{ filename: 'file.txt', contentType: 'text/plain', bytes: Buffer.from('Beta.\n') }] });
        await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(beta.token), ...body.headers }, payload: body.payload });
      }
      expect((await supplier(beta.token, 'POST', '/v1/supplier/response/submit', { declaration: true })).statusCode).toBe(200);
      const gamma = await seedInvitation(ctx, org, procurementId, { supplierName: 'Gamma Ltd' });
      await supplier(gamma.token, 'PUT', '/v1/supplier/response/answers/a.training', { value: 'never' });
      const acme = (await admin('GET', `/v1/procurements/${procurementId}/invitations`)).json().items.find((i: { supplierName: string }) => i.supplierName === 'Acme AI Ltd');

      // The response: read, a clarification asked (with errors first), and the reply seen.
      const responsePage = `/procurements/${procurementId}/responses/${acme.responseId}`;
      await go(responsePage);
      await check('a submitted response');
      await go(`${responsePage}/clarify?question=b.hours`);
      await check('ask a clarification');
      await page.getByLabel('Day').fill('31');
      await page.getByLabel('Month').fill('2');
      await page.getByLabel('Year').fill('2030');
      await press('Send the clarification');
      expect(await errorSummary()).toEqual(['Enter your question to the supplier', 'The reply-by date must be a real date']);
      await check('ask a clarification, with errors');
      await page.getByLabel('Your question').fill('Calendar or working hours?');
      await page.getByLabel('Day').fill('');
      await page.getByLabel('Month').fill('');
      await page.getByLabel('Year').fill('');
      await page.getByLabel('Let the supplier amend its answer in its reply').check();
      await press('Send the clarification');
      expect(await banner()).toContain('has been sent to Acme AI Ltd');
      await check('a submitted response, clarification sent');
      const [asked] = (await supplier(token, 'GET', '/v1/supplier/response/clarifications')).json().items;
      expect((await supplier(token, 'POST', `/v1/supplier/response/clarifications/${asked.id}/reply`, { reply: 'Working hours.', amendedAnswer: { value: 20 } })).statusCode).toBe(200);
      await go(responsePage);
      expect(await page.getByText('Working hours.').count()).toBe(1);
      await check('a submitted response, with a reply and an amended answer');
      await go(`/procurements/${procurementId}/responses/${gamma.responseId}`);
      await check('a response not yet submitted');

      // Gamma's link revoked; then a new link for it refused.
      await go(`${suppliers}/${gamma.id}/revoke`);
      await press('Revoke the link');
      expect(await banner()).toContain('Gamma Ltd’s link has been revoked');
      await check('suppliers, three, one revoked');
      await page.goto(`${chrome.base}${suppliers}/${gamma.id}/new-link`);
      await press('Send a new link');
      expect(await errorSummary()).toEqual(['This supplier’s link was revoked. Invite the supplier again instead.']);
      await check('new link, refused');

      // Results, the decision (errors, check, recorded), reports.
      expect((await admin('POST', `/v1/procurements/${procurementId}/close`)).statusCode).toBe(200);
      expect((await admin('POST', `/v1/procurements/${procurementId}/start-evaluation`)).statusCode).toBe(200);
      await go(`/procurements/${procurementId}/results`);
      expect(await page.locator('table').count()).toBe(3);
      await check('results and comparison');
      await go(`/procurements/${procurementId}/decision`);
      await check('decision');
      await press('Continue');
      expect(await errorSummary()).toEqual(['Select who to award the contract to, or not to award it', 'Enter the reasons for the decision']);
      await check('decision, with errors');
      await page.getByLabel('Do not award the contract').check();
      await page.getByLabel('Reasons for the decision').fill('No tender met the council’s needs for human oversight.');
      await press('Continue');
      expect(await h1(page)).toBe('Check the decision before you record it');
      await check('decision, check before recording');
      await press('Record the decision');
      expect(await banner()).toContain('The decision has been recorded');
      await check('results, decided');
      await go(`/procurements/${procurementId}/reports`);
      await check('reports');
      expect(await go(`/procurements/${untouched}/reports/comparison.pdf`)).toBe(409);
      await check('a report not available yet');
      await go(`/procurements/${untouched}/reports`);
      await check('reports, nothing evaluated');

      await signInAs(viewer.id);
      expect(await go(`/procurements/${procurementId}/decision`)).toBe(403);
      await check('not allowed');
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(violations).toEqual([]);
    expect(visited).toHaveLength(28);
  }, 400_000);
});
