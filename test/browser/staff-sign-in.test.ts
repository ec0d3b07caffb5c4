import { sql } from 'drizzle-orm';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli';
import { queryRows } from '../../src/platform/db';
import { TEST_SETUP_TOKEN, useTestApp } from '../helpers/app';
import { useSmtpCapture } from '../helpers/smtp';
import { staffCookie } from '../helpers/staff';
import { until } from '../helpers/wait';
import { axeViolations, axeViolationsWithoutJs, focusDescription, h1, horizontalOverflow, isFocused, screenshot, skipWithoutChromium, tabTo, useBrowser } from './browser';

/**
 * Council staff's sign-in pages in Chromium: first-run setup, signing in by emailed link (every
 * error state), the account and "Your sessions" pages, signing out, and the console's "Page not
 * found", "This page has expired" and "Too many attempts" pages. axe-core at WCAG 2.2 AA on every
 * state with JavaScript on, and on those GOV.UK's scripts change with it off; reflow at 320 px; and
 * the whole sign-in by keyboard alone. The session cookie is the default `Secure` one: Chromium keeps
 * it on loopback over http.
 */

const skip = skipWithoutChromium('test/browser/staff-sign-in.test.ts', 'staff sign-in in a browser');
const MINUTE = 60_000;

describe.skipIf(skip)('staff sign-in in a browser', () => {
  const smtp = useSmtpCapture();
  const ctx = useTestApp({ config: () => ({ SMTP_URL: smtp.url(), SIGN_IN_EMAIL_LIMIT_PER_HOUR: '2', SIGN_IN_LIMIT_PER_MINUTE: '100000' }) });
  const chrome = useBrowser(ctx);
  let run = 0;

  /** Console errors and uncaught exceptions; a page that is itself an error (400, 403, 404, 410, 429) is expected. */
  function watchErrors(page: Page): string[] {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const documentStatus = /^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) && message.location().url.split('#')[0] === page.url().split('#')[0];
      if (!documentStatus) errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    return errors;
  }

  async function linkTo(email: string, count: number): Promise<string> {
    const mails = await until(`email ${count} to ${email}`, () => smtp.received.filter((m) => m.to.includes(email)), (found) => found.length >= count, { guardMs: 30_000 });
    return /\/sign-in\/link\/aidd_signin_[A-Za-z0-9_-]{43}/.exec(mails[count - 1]!.text)![0];
  }

  /** Every page and state, with `at` called on each; `js` says whether the page runs JavaScript. */
  async function tour(page: Page, js: boolean, at: (state: string, shot?: string) => Promise<void>) {
    run += 1;
    const email = `priya.${run}@borsetshire.gov.uk`;
    const go = (url: string) => page.goto(`${chrome.base}${url}`);
    const press = async (target: Locator) => {
      await Promise.all([page.waitForEvent('load'), target.press('Enter')]);
    };
    const button = (name: string) => page.getByRole('button', { name, exact: true });

    await go('/setup');
    expect(await h1(page)).toBe('Set up the service');
    await at('setup, fresh install', 'setup');
    await press(button('Set up the service'));
    await at('setup, every field with an error', 'setup-errors');
    await page.getByLabel('Setup token').fill(TEST_SETUP_TOKEN);
    await page.getByLabel('Name of your council or organisation').fill('Borsetshire County Council');
    await page.getByLabel('Your full name').fill('Priya Shah');
    await page.getByLabel('Your work email address').fill(email);
    await press(button('Set up the service'));
    expect(new URL(page.url()).pathname).toBe('/procurements');

    await go('/account');
    expect(await h1(page)).toBe('Your account');
    await at('your account', 'account');

    // A second session of the same user, as if on another computer.
    const [user] = await queryRows<{ id: string }>(ctx.database.db, sql`select id from users where email = ${email}`);
    await staffCookie({ app: ctx.app, userId: user!.id });
    await go('/account/sessions');
    await at('your sessions, signed in elsewhere too', 'sessions');
    await press(page.getByRole('button', { name: /^End session/ }));
    expect(await page.getByText('The session has been ended.').count()).toBe(1);
    await at('your sessions, the other one ended');

    await go('/no-such-page');
    expect(await h1(page)).toBe('Page not found');
    await at('page not found, signed in', 'not-found');

    if (js) {
      // A form whose token is not the session's (an old tab) is refused, and nothing changes.
      await go('/sign-out');
      await page.locator('input[name="_csrf"]').evaluate((input) => ((input as unknown as { value: string }).value = 'stale'));
      await press(button('Sign out'));
      expect(await h1(page)).toBe('This page has expired');
      await at('this page has expired', 'page-expired');
    }

    await go('/sign-out');
    expect(await h1(page)).toBe('Are you sure you want to sign out?');
    await at('sign out, are you sure');
    await press(button('Sign out'));
    expect(await page.getByText('You have signed out.').count()).toBe(1);
    await at('sign in, after signing out', 'signed-out');

    await go('/sign-in');
    await at('sign in', 'sign-in');
    await press(button('Continue'));
    await at('sign in, no email address');
    await page.getByLabel('Email address').fill('not an email address');
    await press(button('Continue'));
    await at('sign in, not an email address', 'sign-in-error');

    // Too many links asked for one address: the console's "Too many attempts".
    const flooded = `flood.${run}@example.gov.uk`;
    for (let i = 0; i < 3; i += 1) {
      await go('/sign-in');
      await page.getByLabel('Email address').fill(flooded);
      await press(button('Continue'));
    }
    expect(await h1(page)).toBe('Too many attempts');
    await at('too many attempts', 'too-many-attempts');

    await go('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await press(button('Continue'));
    expect(await h1(page)).toBe('Check your email');
    await at('check your email', 'check-email');
    const link = await linkTo(email, 1);
    await go(link);
    expect(await h1(page)).toBe('Sign in to Borsetshire County Council');
    await at('the link: sign in to the council', 'link');
    await press(button('Sign in'));
    expect(new URL(page.url()).pathname).toBe('/procurements');

    await go(link);
    await at('the link, already used', 'link-used');
    await go(`/sign-in/link/aidd_signin_${'A'.repeat(43)}`);
    await at('a link that does not work');
    const lines: string[] = [];
    await runCli({ argv: ['sign-in-link', '--email', email], database: ctx.database, now: ctx.clock.now, output: { out: (t) => lines.push(t), err: (t) => lines.push(t) } });
    ctx.clock.advance(16 * MINUTE);
    await go(/\/sign-in\/link\/\S+/.exec(lines.join('\n'))![0]);
    expect(await h1(page)).toBe('This sign-in link has expired');
    await at('the link, expired', 'link-expired');
  }

  it('has no WCAG 2.2 AA violations that axe-core can find, on any page or state, with JavaScript on', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors = watchErrors(page);
    const violations: string[] = [];
    const states: string[] = [];
    try {
      await tour(page, true, async (state, shot) => {
        states.push(state);
        violations.push(...(await axeViolations(page, state)));
        if (shot) await screenshot(page, `staff-${shot}`);
      });
    } finally {
      await context.close();
    }
    expect(states).toHaveLength(18);
    expect(violations, `axe-core found:\n${violations.join('\n')}`).toEqual([]);
    expect(errors).toEqual([]);
  }, 300_000);

  // Without JavaScript GOV.UK's components render differently: the password input has no "Show" button, details are open.
  const differsWithoutJs = new Set(['setup, fresh install', 'setup, every field with an error', 'sign in, not an email address', 'check your email']);

  it('has no WCAG 2.2 AA violations that axe-core can find with JavaScript off, on the pages it changes', async () => {
    const context = await chrome.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1000, height: 800 } });
    const checkerContext = await chrome.browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    const violations: string[] = [];
    const checked: string[] = [];
    try {
      await tour(page, false, async (state) => {
        if (!differsWithoutJs.has(state)) return;
        checked.push(state);
        violations.push(...(await axeViolationsWithoutJs(page, checker, `no JavaScript: ${state}`)));
      });
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(checked).toEqual([...differsWithoutJs]);
    expect(violations, `axe-core found:\n${violations.join('\n')}`).toEqual([]);
  }, 300_000);

  it('needs no horizontal scrolling at 320 CSS px wide (WCAG 1.4.10 reflow), on any page or state', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const overflowing: string[] = [];
    const states: string[] = [];
    try {
      await tour(page, true, async (state, shot) => {
        states.push(state);
        const { overflow, culprits } = await horizontalOverflow(page);
        if (overflow > 0) overflowing.push(`[${state}] ${overflow}px too wide: ${culprits.join(', ')}`);
        if (shot === 'sessions' || shot === 'setup-errors') await screenshot(page, `staff-${shot}-320`);
      });
    } finally {
      await context.close();
    }
    expect(states).toHaveLength(18);
    expect(overflowing, overflowing.join('\n')).toEqual([]);
  }, 300_000);

  it.each([
    { js: true, label: 'on' },
    { js: false, label: 'off' },
  ])('signs in by keyboard alone, JavaScript $label', async ({ js }) => {
    await ctx.app.inject({ method: 'POST', url: '/v1/setup', headers: { 'x-setup-token': TEST_SETUP_TOKEN }, payload: { organisationName: 'Keyboard Council', adminEmail: `keys.${js}@example.gov.uk`, adminName: 'Kit Keys' } });
    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    try {
      await page.goto(`${chrome.base}/`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      // The first Tab reaches the skip link; following it, the next Tab is the email field.
      await page.keyboard.press('Tab');
      expect(await isFocused(page.getByRole('link', { name: 'Skip to main content' })), await focusDescription(page)).toBe(true);
      await page.keyboard.press('Enter');
      await tabTo(page, page.getByLabel('Email address'));
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      // Nothing typed: the error summary, whose link takes the focus back to the field.
      expect(await page.title()).toMatch(/^Error: Sign in – /);
      await tabTo(page, page.getByRole('link', { name: 'Enter your email address' }));
      await page.keyboard.press('Enter');
      expect(await isFocused(page.getByLabel('Email address')), await focusDescription(page)).toBe(true);
      await page.keyboard.type(`keys.${js}@example.gov.uk`);
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      expect(await h1(page)).toBe('Check your email');
      await page.goto(`${chrome.base}${await linkTo(`keys.${js}@example.gov.uk`, 1)}`);
      await tabTo(page, page.getByRole('button', { name: 'Sign in', exact: true }));
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      await page.goto(`${chrome.base}/account`);
      expect(await h1(page)).toBe('Your account');
      const [cookie] = (await context.cookies()).filter((c) => c.name === 'aidd_staff');
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    } finally {
      await context.close();
    }
  }, 120_000);
});
