import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app';
import { evaluatingWorld } from '../modules/scoring/evaluating-world';
import { h1, skipWithoutChromium, useBrowser } from './browser';
import { keyboardOn, pageChecks, signInWithCookie } from './panel-tour';

/**
 * The conditions register and a condition's page in Chromium, by keyboard only, with JavaScript off
 * (at 320 px) and on: from the results table to the register, a waiver refused without its reason,
 * then recorded; a second tab's save shown what the first recorded. Every page and state: axe-core
 * at WCAG 2.2 AA (JavaScript on, or the no-JS copy) and no horizontal scrolling at 320 px.
 */

const skip = skipWithoutChromium('test/browser/conditions.test.ts', 'the conditions pages in a browser');

describe.skipIf(skip)('the conditions pages in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const chrome = useBrowser(ctx);

  it.each([
    { js: false, width: 320, label: 'off' },
    { js: true, width: 1000, label: 'on' },
  ])('waives a condition by keyboard, and a stale tab keeps the first change, JavaScript $label', async ({ js, width }) => {
    const w = await evaluatingWorld(ctx);
    expect((await w.declare()).statusCode).toBe(201);
    const conditions = async () => (await w.call('GET', `/v1/responses/${w.b.responseId}/conditions`, w.org.admin.token)).json().conditions as Array<{ id: string; number: number; status: string; reason: string | null; version: number }>;
    const residual = (await conditions()).find((c) => c.id === 'residual_risk:a')!;
    const open = (await conditions()).length;

    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
    const checkerContext = await chrome.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    await signInWithCookie({ context, app: ctx.app, base: chrome.base, userId: w.org.admin.id });
    const { violations, check } = pageChecks({ js, width, checker, prefix: 'conditions' });
    const { errorSummary, banner, follow, type, pick } = keyboardOn(page);

    try {
      expect((await page.goto(`${chrome.base}/procurements/${w.procurementId}/results`))?.status()).toBe(200);
      await follow(page.getByRole('link', { name: `Conditions for Beta Bots (${open} open)` }), { max: 120 });
      expect(await h1(page)).toBe('Conditions for Beta Bots');
      await check(page, 'register');

      // A second tab, opened now on the same condition, saves after the first.
      const stale = await context.newPage();
      const conditionUrl = `${chrome.base}/procurements/${w.procurementId}/responses/${w.b.responseId}/conditions/${encodeURIComponent('residual_risk:a')}`;
      await stale.goto(conditionUrl);

      await follow(page.getByRole('link', { name: `Change (Condition ${residual.number})` }));
      expect(await h1(page)).toBe(`Condition ${residual.number}`);
      await check(page, 'condition form');
      await pick('status', 'waived');
      await follow(page.getByRole('button', { name: 'Save the condition' }));
      expect(await errorSummary()).toEqual(['Enter why the council waives this condition']);
      expect(await page.getByLabel('Waived', { exact: true }).isChecked()).toBe(true);
      await check(page, 'condition form, with errors');
      await type('Why the council waives this condition', 'Accepted by the board on 2 February.');
      await type('Owner', 'Head of digital');
      await type('Day', '28');
      await type('Month', '2');
      await type('Year', '2027');
      await follow(page.getByRole('button', { name: 'Save the condition' }));
      expect(await banner()).toContain(`Condition ${residual.number} saved: it is waived.`);
      await check(page, 'register, after saving');
      expect((await conditions()).find((c) => c.id === 'residual_risk:a')).toMatchObject({ status: 'waived', reason: 'Accepted by the board on 2 February.', version: 1 });

      // The stale tab marks it met: refused, shown what was recorded, and the waiver stands.
      await stale.bringToFront();
      const staleKeys = keyboardOn(stale);
      await staleKeys.pick('status', 'met');
      await staleKeys.follow(stale.getByRole('button', { name: 'Save the condition' }));
      expect(await stale.locator('.govuk-notification-banner').innerText()).toContain('Your changes were not saved: someone else changed this condition after you opened it');
      expect(await stale.locator('.govuk-summary-list').first().innerText()).toContain('Accepted by the board on 2 February.');
      await check(stale, 'condition form, stale');
      expect((await conditions()).find((c) => c.id === 'residual_risk:a')).toMatchObject({ status: 'waived', version: 1 });
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(violations).toEqual([]);
  }, 300_000);
});
