import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app';
import { evaluatingWorld } from '../modules/scoring/evaluating-world';
import { h1, skipWithoutChromium, useBrowser } from './browser';
import { keyboardOn, pageChecks, signInWithCookie } from './panel-tour';

/**
 * The sign-off page in Chromium, by keyboard only, with JavaScript off (at 320 px) and on: from the
 * results to the page, a sign-off refused without a role, then recorded and listed. Every state:
 * axe-core at WCAG 2.2 AA (JavaScript on, or the no-JS copy) and no horizontal scrolling at 320 px.
 */

const skip = skipWithoutChromium('test/browser/sign-off.test.ts', 'the sign-off page in a browser');

describe.skipIf(skip)('the sign-off page in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const chrome = useBrowser(ctx);

  it.each([
    { js: false, width: 320, label: 'off' },
    { js: true, width: 1000, label: 'on' },
  ])('records an approval by keyboard, JavaScript $label', async ({ js, width }) => {
    const w = await evaluatingWorld(ctx);
    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
    const checkerContext = await chrome.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    await signInWithCookie({ context, app: ctx.app, base: chrome.base, userId: w.org.admin.id });
    const { violations, check } = pageChecks({ js, width, checker, prefix: 'sign-off' });
    const { errorSummary, banner, follow, type, pick } = keyboardOn(page);
    try {
      expect((await page.goto(`${chrome.base}/procurements/${w.procurementId}/results`))?.status()).toBe(200);
      await follow(page.getByRole('link', { name: 'Sign off the evaluation' }), { max: 120 });
      expect(await h1(page)).toBe('Sign off the evaluation');
      await check(page, 'form');
      await follow(page.getByRole('button', { name: 'Record my approval' }));
      expect(await errorSummary()).toEqual(['Select the role you are signing off in']);
      await check(page, 'form, with errors');
      await pick('role', 'approver');
      await type('Comment (optional)', 'Recommended to the board.');
      await follow(page.getByRole('button', { name: 'Record my approval' }));
      expect(await banner()).toContain('Your approval as approver has been recorded.');
      expect(await page.locator('.govuk-summary-list').innerText()).toContain('Recommended to the board.');
      await check(page, 'after signing');
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(violations).toEqual([]);
  }, 300_000);
});
