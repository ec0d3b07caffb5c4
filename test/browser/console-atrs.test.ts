import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedInvitation, seedOrganisation, seedUser } from '../helpers/factories';
import { staffCookie } from '../helpers/staff';
import { submittedResponses } from '../modules/integrations/world';
import { axeViolations, axeViolationsWithoutJs, h1, horizontalOverflow, screenshot, skipWithoutChromium, useBrowser } from './browser';

/**
 * The reports page with its draft transparency (ATRS) records, and the page for a record not
 * available yet, in Chromium: axe-core at WCAG 2.2 AA and no horizontal scrolling at 320 px, with
 * JavaScript on and off; the downloads are plain links, so they work without JavaScript.
 */

const skip = skipWithoutChromium('test/browser/console-atrs.test.ts', 'the draft transparency records in the console, in a browser');

describe.skipIf(skip)('the draft transparency records in the console, in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const chrome = useBrowser(ctx);

  it.each([
    { js: true, width: 1000, label: 'on' },
    { js: false, width: 320, label: 'off' },
  ])('pass axe and reflow, and download, JavaScript $label', async ({ js, width }) => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
    const { procurementId, responses } = await submittedResponses(ctx, org, ['Alpha AI', 'Beta Bots']);
    const waiting = await seedInvitation(ctx, org, procurementId, { supplierName: 'Gamma Ltd' });
    const admin = (url: string, payload?: object) => ctx.app.inject({ method: 'POST', url, headers: bearer(org.admin.token), ...(payload ? { payload } : {}) });
    for (const step of ['close', 'start-evaluation']) expect((await admin(`/v1/procurements/${procurementId}/${step}`)).statusCode).toBe(200);
    expect((await admin(`/v1/procurements/${procurementId}/decision`, { outcome: 'award', responseId: responses[1]!.responseId, rationale: 'Fastest incident notification.' })).statusCode).toBe(200);

    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 }, acceptDownloads: true });
    const checkerContext = await chrome.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    const { cookie } = await staffCookie({ app: ctx.app, userId: officer.id });
    await context.addCookies([{ name: cookie.name, value: cookie.value, url: chrome.base }]);
    const violations: string[] = [];
    const check = async (state: string) => {
      const label = `${state}, JavaScript ${js ? 'on' : 'off'}`;
      violations.push(...(js ? await axeViolations(page, label) : await axeViolationsWithoutJs(page, checker, label)));
      if (js) await page.setViewportSize({ width: 320, height: 900 });
      const { overflow, culprits } = await horizontalOverflow(page);
      expect(overflow, `${label} at 320 px: ${culprits.join(', ')}`).toBe(0);
      if (js) await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `console-atrs-${state.replace(/\W+/g, '-')}-js-${js ? 'on' : 'off'}`);
    };
    try {
      await page.goto(`${chrome.base}/procurements/${procurementId}/reports`);
      expect(await h1(page)).toBe('Reports');
      const records = page.locator('h2:has-text("Draft transparency records") ~ h3');
      expect(await records.allTextContents()).toEqual(expect.arrayContaining(['Beta Bots (awarded)', 'Alpha AI']));
      await check('reports with draft transparency records');

      // The download is a plain link: it works with JavaScript off.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Draft transparency record: Beta Bots (JSON)' }).click()]);
      expect(download.suggestedFilename()).toBe('transparency-record-draft-beta-bots.json');

      const res = await page.goto(`${chrome.base}/procurements/${procurementId}/reports/responses/${waiting.responseId}/atrs.pdf`);
      expect(res?.status()).toBe(409);
      expect(await h1(page)).toBe('This report is not available yet');
      await check('a transparency record not available yet');
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(violations).toEqual([]);
  }, 240_000);
});
