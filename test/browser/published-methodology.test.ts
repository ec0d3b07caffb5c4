import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app';
import { seedOpenProcurement, seedOrganisation } from '../helpers/factories';
import { smallDefinition } from '../modules/questionnaires/fixtures';
import { axeViolations, axeViolationsWithoutJs, h1, horizontalOverflow, screenshot, skipWithoutChromium, useBrowser } from './browser';

/**
 * A procurement's public methodology page, read by someone who never signed in: axe-core at WCAG
 * 2.2 AA and no horizontal scrolling at 320 px, with JavaScript on and off, and the page for an
 * address that names no published procurement.
 */

const skip = skipWithoutChromium('test/browser/published-methodology.test.ts', 'the public methodology page in a browser');

describe.skipIf(skip)('the public methodology page in a browser', () => {
  const ctx = useTestApp();
  const chrome = useBrowser(ctx);

  it.each([
    { js: true, width: 1000, label: 'on' },
    { js: false, width: 320, label: 'off' },
  ])('passes axe and reflows at 320 px, JavaScript $label', async ({ js, width }) => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const id = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 }, title: 'Council tax chatbot' });
    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
    const checkerContext = await chrome.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    const violations: string[] = [];
    try {
      for (const [state, path, status, heading] of [
        ['published methodology', `/published/procurements/${id}/methodology`, 200, 'How tenders are assessed'],
        ['not found', '/published/procurements/00000000-0000-4000-8000-000000000000/methodology', 404, 'Page not found'],
      ] as const) {
        const res = await page.goto(`${chrome.base}${path}`);
        expect(res?.status(), state).toBe(status);
        expect(await h1(page), state).toBe(heading);
        const label = `${state}, JavaScript ${js ? 'on' : 'off'}`;
        violations.push(...(js ? await axeViolations(page, label) : await axeViolationsWithoutJs(page, checker, label)));
        if (js) await page.setViewportSize({ width: 320, height: 900 });
        const { overflow, culprits } = await horizontalOverflow(page);
        expect(overflow, `${label} at 320 px: ${culprits.join(', ')}`).toBe(0);
        if (js) await page.setViewportSize({ width, height: 900 });
        await screenshot(page, `published-${state.replace(/\W+/g, '-')}-js-${js ? 'on' : 'off'}`);
      }
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(violations).toEqual([]);
  }, 120_000);
});
