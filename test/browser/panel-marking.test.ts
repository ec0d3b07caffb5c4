import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app';
import { panelWorld } from '../modules/scoring/panel-world';
import { h1, pressAndLoad, skipWithoutChromium, tabTo, useBrowser } from './browser';
import { keyboardOn, pageChecks, signInWithCookie } from './panel-tour';

/**
 * The evaluation panel's pages in Chromium, keyboard only: an evaluator with a conflict is blocked
 * until an officer records the mitigation; another declares no conflict, marks every question of a
 * response with "Save and next" (Enter on the button, and Enter in the radio group), submits, and
 * sees the marks side by side. Every page and state: axe-core at WCAG 2.2 AA (JavaScript on, and
 * the no-JS copy) and no horizontal scrolling at 320 px.
 */

const skip = skipWithoutChromium('test/browser/panel-marking.test.ts', 'the evaluation panel’s pages in a browser');

describe.skipIf(skip)('the evaluation panel’s pages in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const chrome = useBrowser(ctx);

  it.each([
    { js: false, width: 320, label: 'off' },
    { js: true, width: 1000, label: 'on' },
  ])('declare, mark and submit by keyboard, JavaScript $label', { timeout: 90_000 }, async ({ js, width }) => {
    const w = await panelWorld(ctx);
    const r = w.responses[0]!;
    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
    const checkerContext = await chrome.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    const signInAs = (userId: string) => signInWithCookie({ context, app: ctx.app, base: chrome.base, userId });
    const { violations, check: checkPage } = pageChecks({ js, width, checker, prefix: 'panel' });
    const check = (state: string) => checkPage(page, state);
    const go = async (path: string) => (await page.goto(`${chrome.base}${path}`))?.status();
    /** Enter on what has the focus, counting the documents loaded: one press, one page. */
    const enterAndCount = async (target: Page) => {
      let loads = 0;
      const count = (frame: { parentFrame(): unknown }) => {
        if (!frame.parentFrame()) loads += 1;
      };
      target.on('framenavigated', count);
      await pressAndLoad(target);
      target.off('framenavigated', count);
      return loads;
    };
    const { errorSummary, pick } = keyboardOn(page);
    const type = async (text: string) => page.keyboard.type(text);
    const declaration = `/evaluations/${w.procurementId}/declaration`;
    const base = `/evaluations/${w.procurementId}/responses/${r.responseId}`;

    try {
      // Evan declares a conflict and is blocked.
      await signInAs(w.e2.id);
      expect(await go(declaration)).toBe(200);
      await pick('conflict', 'yes');
      await tabTo(page, page.getByLabel('What is your conflict of interest?'));
      await type('My partner works for Alpha AI');
      await tabTo(page, page.getByRole('button', { name: 'Declare' }));
      await pressAndLoad(page);
      expect(await page.getByText('An officer must record how this is mitigated before you can see responses').count()).toBe(1);
      await check('conflict blocked');

      // The officer records the mitigation (the error state first).
      await signInAs(w.officer.id);
      expect(await go(`/procurements/${w.procurementId}/declarations`)).toBe(200);
      await check('officer declarations');
      await tabTo(page, page.getByRole('link', { name: /Record mitigation/ }));
      await pressAndLoad(page);
      await check('officer mitigation');
      await tabTo(page, page.getByRole('button', { name: 'Record mitigation' }));
      await pressAndLoad(page);
      expect(await errorSummary()).toEqual(['Enter how the conflict of interest is mitigated']);
      await check('officer mitigation, error');
      await tabTo(page, page.getByLabel('How is the conflict mitigated?'));
      await type('A second evaluator reviews every mark for Alpha AI');
      await tabTo(page, page.getByRole('button', { name: 'Record mitigation' }));
      await pressAndLoad(page);
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain('The mitigation is recorded');

      // Evan, now unblocked, marks and submits through the API, so Eve has someone to compare with.
      for (const [key, score] of [['a.plan', 1], ['a.retention', 2], ['b.support', 0]] as const) {
        expect((await w.api('PUT', `/v1/responses/${r.responseId}/marks/${key}`, w.e2.token, { score, justification: `Evan on ${key}.` })).statusCode).toBe(200);
      }
      expect((await w.api('POST', `/v1/responses/${r.responseId}/marks/submit`, w.e2.token)).statusCode).toBe(200);

      // Eve: my evaluations → declaration (an error first) → back to the list.
      await signInAs(w.e1.id);
      expect(await go('/')).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/evaluations');
      await check('my evaluations, to declare');
      await tabTo(page, page.getByRole('link', { name: /Declare your interests/ }));
      await pressAndLoad(page);
      await check('declaration');
      await tabTo(page, page.getByRole('button', { name: 'Declare' }));
      await pressAndLoad(page);
      expect(await errorSummary()).toEqual(['Select whether you have a conflict of interest in this procurement']);
      await check('declaration, error');
      await pick('conflict', 'no');
      await tabTo(page, page.getByRole('button', { name: 'Declare' }));
      await pressAndLoad(page);
      expect(new URL(page.url()).pathname).toBe('/evaluations');
      await check('my evaluations, to mark');
      await tabTo(page, page.getByRole('link', { name: /^Mark/ }));
      await pressAndLoad(page);
      expect(new URL(page.url()).pathname).toBe(base);
      await check('overview, nothing marked');
      await tabTo(page, page.getByRole('button', { name: 'Continue marking' }));
      await pressAndLoad(page);
      expect(await h1(page)).toBe('1.2 Describe your data protection plan.');
      await check('question');
      expect(await page.getByRole('link', { name: 'support-plan.pdf (opens in new tab)' }).count()).toBe(0);

      // A validation error, then each question marked: Enter on "Save and next", then Enter in the radio group.
      await tabTo(page, page.getByRole('button', { name: 'Save and next' }));
      await pressAndLoad(page);
      expect(await errorSummary()).toEqual(['Select a mark from 0 to 4', 'Enter why you gave this mark, against the descriptors']);
      await check('question, errors');
      const loads: number[] = [];
      const marks = [
        { title: '1.2 Describe your data protection plan.', score: 3, enterIn: 'button' },
        { title: '1.3 How long do you keep council data?', score: 4, enterIn: 'radios' },
        { title: '2.2 Describe your support model.', score: 2, enterIn: 'button' },
      ] as const;
      for (const m of marks) {
        expect(await h1(page)).toBe(m.title);
        if (m.title.startsWith('2.2')) {
          const evidence = page.getByRole('link', { name: 'support-plan.pdf (opens in new tab)' });
          expect(await evidence.getAttribute('target')).toBe('_blank');
        }
        await tabTo(page, page.getByLabel('Justification'));
        await page.keyboard.press('ControlOrMeta+a');
        await type(`Eve on ${m.title}`);
        // Back into the radio group (Shift+Tab from the textarea).
        await pick('score', String(m.score), { back: true });
        if (m.enterIn === 'button') await tabTo(page, page.getByRole('button', { name: 'Save and next' }));
        loads.push(await enterAndCount(page));
      }
      expect(loads).toEqual([1, 1, 1]);
      expect(new URL(page.url()).pathname).toBe(base);
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain('You have marked every question');
      await check('overview, all marked');

      await tabTo(page, page.getByRole('button', { name: 'Check and submit your marks' }));
      await pressAndLoad(page);
      await check('submit');
      await tabTo(page, page.getByRole('button', { name: 'Submit my marks' }));
      await pressAndLoad(page);
      expect(await page.locator('.govuk-panel__title').innerText()).toBe('Marks submitted');
      await check('submit confirmation');
      await tabTo(page, page.getByRole('link', { name: 'See the marks side by side' }));
      await pressAndLoad(page);
      const first = await page.locator('table').first().locator('tbody tr').allInnerTexts();
      expect(first.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual(['Eve One (you) 3 Eve on 1.2 Describe your data protection plan.', 'Evan Two 1 Evan on a.plan.']);
      await check('after submission, side by side');
      expect(await go(`${base}/questions/a.plan`)).toBe(200);
      await check('question, after submission');

      expect(violations).toEqual([]);
    } finally {
      await context.close();
      await checkerContext.close();
    }
  });
});
