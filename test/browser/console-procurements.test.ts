import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ukWallTime } from '../../src/platform/format';
import { bearer, useTestApp } from '../helpers/app';
import { BUILT_IN_TRIAGE } from '../helpers/built-in-triage';
import { seedOrganisation, seedPublishedQuestionnaire, seedUser } from '../helpers/factories';
import { staffCookie } from '../helpers/staff';
import { smallDefinition } from '../modules/questionnaires/fixtures';
import { axeViolations, axeViolationsWithoutJs, h1, horizontalOverflow, screenshot, skipWithoutChromium, useBrowser } from './browser';

/**
 * The officer console's procurement pages in Chromium, every page and every error state a person
 * can reach: axe-core at WCAG 2.2 AA and no horizontal scrolling at 320 px, with JavaScript on
 * (axe at 1000 px, then the reflow check at 320 px) and off (at 320 px; axe on a copy of the page
 * without its scripts, as axe cannot run where scripts do not). The pages are driven as a person
 * would: fields filled, buttons pressed, forms really posted.
 */

const skip = skipWithoutChromium('test/browser/console-procurements.test.ts', 'the console’s procurement pages in a browser');
const DAY = 24 * 60 * 60 * 1000;

describe.skipIf(skip)('the console’s procurement pages in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const chrome = useBrowser(ctx);

  it.each([
    { js: true, width: 1000, label: 'on' },
    { js: false, width: 320, label: 'off' },
  ])('pass axe and reflow at 320 px in every state, JavaScript $label', async ({ js, width }) => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
    const evaluator = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve Evaluator' });
    const viewer = await seedUser(ctx, org, { role: 'viewer', name: 'Vic Viewer' });
    const admin = (method: 'POST' | 'PATCH', url: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(org.admin.token), ...(payload ? { payload } : {}) });

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
      await screenshot(page, `console-procurements-${state.replace(/\W+/g, '-')}-js-${js ? 'on' : 'off'}`);
    };
    const go = async (path: string) => {
      const res = await page.goto(`${chrome.base}${path}`);
      return res?.status();
    };
    const press = async (name: string | RegExp) => {
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name }).click()]);
    };
    const errorSummary = (p: Page) => p.locator('.govuk-error-summary__list a').allInnerTexts();

    try {
      await signInAs(officer.id);
      expect(await go('/procurements')).toBe(200);
      await check('procurements list, empty');

      // Create: the blank form, its errors, then a procurement.
      await go('/procurements/new');
      await check('create a procurement');
      // The newest built-in version is chosen to start with, and stays chosen through the errors.
      const newest = page.getByLabel(/Responsible AI: supplier due diligence for councils \(version 1\.1\.0\)/);
      expect(await newest.isChecked()).toBe(true);
      await press('Create procurement');
      expect(await errorSummary(page)).toEqual(['Enter a title', 'Enter the date of the deadline']);
      expect(await newest.isChecked()).toBe(true);
      await check('create a procurement, with errors');
      const deadline = ukWallTime(new Date(Date.now() + 30 * DAY));
      await newest.check();
      await page.getByLabel('Title').fill('AI triage of adult social care referrals');
      await page.getByLabel('Day').fill(String(deadline.day));
      await page.getByLabel('Month').fill(String(deadline.month));
      await page.getByLabel('Year').fill(String(deadline.year));
      await page.getByLabel('Time (UK time)').fill('17:00');
      await press('Create procurement');
      expect(await h1(page)).toBe('AI triage of adult social care referrals');
      const base = new URL(page.url()).pathname;
      await check('procurement, a new draft with its banner');

      await go(`${base}/details`);
      await check('details');
      await page.getByLabel('Title').fill('');
      await page.getByLabel('Day').fill('31');
      await page.getByLabel('Month').fill('2');
      await press('Save details');
      expect(await errorSummary(page)).toEqual(['Enter a title', 'The date of the deadline must be a real date, like 31 3 2027']);
      await check('details, with errors');

      // Triage: a refused number, then the whole triage.
      await go(`${base}/triage`);
      await check('triage');
      await page.locator('#triage-people_affected').fill('lots');
      await press('Save triage answers');
      expect((await errorSummary(page))[0]).toMatch(/^Enter a number for “Roughly how many people/);
      await check('triage, with an error');
      for (const [key, value] of Object.entries(BUILT_IN_TRIAGE)) {
        if (typeof value === 'number') await page.locator(`[name="${key}"]`).fill(String(value));
        else for (const v of [value].flat()) await page.locator(`input[name="${key}"][value="${v}"]`).check();
      }
      await press('Save triage answers');
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Triage answers saved');
      await check('triage, saved with its tier');

      // Weights adding up to 95.
      await go(`${base}/weights`);
      await check('weights');
      const purpose = page.getByLabel('1. Purpose and problem fit');
      await purpose.fill(String(Number(await purpose.inputValue()) - 5));
      await press('Save weights');
      expect(await errorSummary(page)).toEqual(['The weights must add up to 100: they add up to 95']);
      await check('weights, not adding up to 100');

      // The panel: an evaluator deactivated while the page was open.
      await go(`${base}/panel`);
      await check('panel');
      await page.locator(`input[name="evaluatorIds"][value="${evaluator.id}"]`).check();
      await admin('PATCH', `/v1/users/${evaluator.id}`, { active: false });
      await press('Save the panel');
      expect(await errorSummary(page)).toEqual(['Select evaluators from the active users of your council']);
      await check('panel, with an error');

      // Open, close, cancel and start evaluation: confirmations and their refusals.
      await go(`${base}/open`);
      await check('open, confirmation');
      await press('Open to suppliers');
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Procurement opened');
      await check('procurement, open with its banner');
      await go(`${base}/close`);
      await check('close, confirmation');
      await go(`${base}/cancel`);
      await check('cancel, confirmation');
      await press('Cancel the procurement');
      expect(await errorSummary(page)).toEqual(['Enter why you are cancelling the procurement']);
      await check('cancel, without a reason');
      await go(`${base}/close`);
      await press('Close to answers');
      await go(`${base}/start-evaluation`);
      await check('start evaluation, confirmation');
      await go(`${base}/close`);
      expect(await h1(page)).toBe('AI triage of adult social care referrals');

      const questionnaireId = await seedPublishedQuestionnaire(ctx, org, smallDefinition() as Record<string, unknown>);
      const untriaged = (await admin('POST', '/v1/procurements', { title: 'Untriaged', questionnaireId, deadline: new Date(Date.now() + 30 * DAY).toISOString(), triage: {} })).json().id as string;
      await go(`/procurements/${untriaged}/open`);
      await press('Open to suppliers');
      expect(await errorSummary(page)).toEqual(['Answer the triage question “Personal data?” before opening', 'Answer the triage question “How many people?” before opening']);
      await check('open, refused as the triage is not finished');
      await go(`/procurements/${untriaged}/start-evaluation`);
      await check('start evaluation, not possible from a draft');

      await go('/procurements');
      await check('procurements list');
      await go('/procurements?status=decided');
      await check('procurements list, none with the status');

      await signInAs(viewer.id);
      expect(await go(`/procurements/${untriaged}/triage`)).toBe(403);
      await check('not allowed to change procurements');
      expect(await go(base)).toBe(200);
      await check('procurement, as a viewer');
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(visited).toHaveLength(25);
    expect(violations).toEqual([]);
  }, 600_000);
});
