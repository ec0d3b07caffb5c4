import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { staffCookie } from '../helpers/staff';
import { axeViolations, axeViolationsWithoutJs, horizontalOverflow, pressAndLoad, screenshot, tabTo } from './browser';

/**
 * What the evaluation panel's browser tests share (panel-marking, panel-moderation, panel-journey):
 * signing a context in with a live session's cookie, the check run on every page and state, and a
 * keyboard user's moves on a GOV.UK form.
 */

/** Signs the context in as the user with a live session's cookie, started as every sign-in starts one (the sign-in pages are tested elsewhere). */
export async function signInWithCookie({ context, app, base, userId }: { context: BrowserContext; app: FastifyInstance; base: string; userId: string }): Promise<void> {
  await context.clearCookies();
  const { cookie } = await staffCookie({ app, userId });
  await context.addCookies([{ name: cookie.name, value: cookie.value, url: base }]);
}

/**
 * The check for every page and state: axe-core at WCAG 2.2 AA (with JavaScript on in the page
 * itself; with it off, on the no-JS copy served to `checker`), no horizontal scrolling at 320 px
 * (a page with JavaScript on is narrowed to 320 px and widened back to `width`), and a screenshot
 * named `${prefix}-<state>-js-on|off`. Violations are gathered in `violations`, for the test to
 * assert once at the end, so that one run lists them all.
 */
export function pageChecks({ js, width, checker, prefix }: { js: boolean; width: number; checker: Page; prefix: string }): { violations: string[]; check: (on: Page, state: string) => Promise<void> } {
  const violations: string[] = [];
  const check = async (on: Page, state: string) => {
    const label = `${state}, JavaScript ${js ? 'on' : 'off'}`;
    violations.push(...(js ? await axeViolations(on, label) : await axeViolationsWithoutJs(on, checker, label)));
    if (js) await on.setViewportSize({ width: 320, height: 900 });
    const { overflow, culprits } = await horizontalOverflow(on);
    expect(overflow, `${label} at 320 px: ${culprits.join(', ')}`).toBe(0);
    if (js) await on.setViewportSize({ width, height: 900 });
    await screenshot(on, `${prefix}-${state.replace(/\W+/g, '-')}-js-${js ? 'on' : 'off'}`);
  };
  return { violations, check };
}

/** A keyboard user's moves on a page: Tab to a control, then press, type or choose. */
export function keyboardOn(page: Page) {
  const field = (label: string | RegExp | Locator) => (typeof label === 'string' || label instanceof RegExp ? page.getByLabel(label, { exact: typeof label === 'string' }) : label);
  return {
    /** Tab to a link or button and press Enter; the next page loads. */
    async follow(target: Locator, { max }: { max?: number } = {}) {
      await tabTo(page, target, { max });
      await pressAndLoad(page);
    },
    /** Tab to a field (by its label) and type. */
    async type(label: string | RegExp | Locator, text: string) {
      await tabTo(page, field(label));
      await page.keyboard.type(text);
    },
    /**
     * A radio group is one Tab stop (the checked radio, or the first): Tab into it, Space checks the
     * focused radio, and the arrows move to the one wanted.
     */
    async pick(name: string, value: string, { back = false }: { back?: boolean } = {}) {
      await tabTo(page, page.locator(`input[type="radio"][name="${name}"]`), { back });
      await page.keyboard.press('Space');
      const wanted = page.locator(`input[type="radio"][name="${name}"][value="${value}"]`);
      for (let i = 0; i < 6 && !(await wanted.isChecked()); i += 1) await page.keyboard.press('ArrowDown');
      expect(await wanted.isChecked(), `the radio ${name}=${value}`).toBe(true);
    },
    /** The error summary's links, in order. */
    errorSummary: () => page.locator('.govuk-error-summary__list a').allInnerTexts(),
    /** The notification banner's text. */
    banner: () => page.locator('.govuk-notification-banner').innerText(),
  };
}
