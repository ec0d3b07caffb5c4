import { describe, expect, it } from 'vitest';
import { queueMail } from '../../src/platform/mail';
import { useTestApp } from '../helpers/app';
import { seedOrganisation, seedUser } from '../helpers/factories';
import { staffCookie } from '../helpers/staff';
import { axeViolations, axeViolationsWithoutJs, h1, horizontalOverflow, screenshot, skipWithoutChromium, useBrowser } from './browser';

/**
 * The console's administration pages for users, API keys and the outbox in Chromium, every page and
 * every error state a person can reach: axe-core at WCAG 2.2 AA and no horizontal scrolling at
 * 320 px, with JavaScript on (axe at 1000 px, then the reflow check at 320 px) and off (at 320 px;
 * axe on a copy of the page without its scripts). Forms are filled and really posted. With
 * JavaScript on, the new key's "Copy the key" button copies it; without, there is no such button
 * and the key is in a read-only field to copy by hand.
 */

const skip = skipWithoutChromium('test/browser/console-admin.test.ts', 'the console’s administration pages in a browser');

describe.skipIf(skip)('the console’s administration pages in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const chrome = useBrowser(ctx);

  const MODES = [
    { js: true, width: 1000, label: 'on' },
    { js: false, width: 320, label: 'off' },
  ];

  /** A signed-in admin's browser (JavaScript on or off) and a checker page, with the tour's steps. */
  async function tour({ js, width }: { js: boolean; width: number }, userId: string) {
    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
    // The copy button writes to the clipboard; the test reads it back.
    if (js) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: chrome.base });
    const checkerContext = await chrome.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    const { cookie } = await staffCookie({ app: ctx.app, userId });
    await context.addCookies([{ name: cookie.name, value: cookie.value, url: chrome.base }]);
    const violations: string[] = [];
    const visited: string[] = [];
    return {
      page,
      violations,
      visited,
      check: async (state: string) => {
        const label = `${state}, JavaScript ${js ? 'on' : 'off'}`;
        visited.push(state);
        violations.push(...(js ? await axeViolations(page, label) : await axeViolationsWithoutJs(page, checker, label)));
        if (js) await page.setViewportSize({ width: 320, height: 900 });
        const { overflow, culprits } = await horizontalOverflow(page);
        expect(overflow, `${label} at 320 px: ${culprits.join(', ')}`).toBe(0);
        if (js) await page.setViewportSize({ width, height: 900 });
        await screenshot(page, `console-admin-${state.replace(/\W+/g, '-')}-js-${js ? 'on' : 'off'}`);
      },
      go: async (path: string) => (await page.goto(`${chrome.base}${path}`))?.status(),
      press: async (name: string | RegExp) => {
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name }).click()]);
      },
      follow: async (name: string | RegExp) => {
        // GOV.UK's start-style buttons are links with the button role.
        await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name }).or(page.getByRole('button', { name })).first().click()]);
      },
      errorSummary: () => page.locator('.govuk-error-summary__list a').allInnerTexts(),
      close: async () => {
        await context.close();
        await checkerContext.close();
      },
    };
  }

  it.each(MODES)('the users pages pass axe and reflow at 320 px in every state, JavaScript $label', async (mode) => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const taken = await seedUser(ctx, org, { role: 'viewer', name: 'Vic Viewer' });
    const t = await tour(mode, org.admin.id);
    const { page, check, go, press, follow, errorSummary } = t;
    try {
      expect(await go('/admin')).toBe(200);
      await check('administration index');

      // Users: the list, the add form, its errors, a duplicate email, then a new user.
      await follow('Users');
      expect(await h1(page)).toBe('Users');
      await check('users list');
      await follow('Add a user');
      await check('add a user');
      await press('Add user');
      expect(await errorSummary()).toEqual(['Enter the user’s full name', 'Enter the user’s email address', 'Select the user’s role']);
      await check('add a user, with errors');
      await page.getByLabel('Full name').fill('Priya Shah');
      await page.getByLabel('Email address').fill(taken.email);
      await page.getByLabel('Officer').check();
      await press('Add user');
      expect(await errorSummary()).toEqual(['A user with that email address already exists in this organisation.']);
      await check('add a user, email already in use');
      await page.getByLabel('Email address').fill('priya.shah@example.gov.uk');
      await press('Add user');
      expect(await h1(page)).toBe('Priya Shah');
      await check('user, just added with its banner');

      // Roles: the last admin's own page refuses a demotion.
      await go(`/admin/users/${org.admin.id}`);
      await check('user, yourself');
      await page.getByLabel('Viewer').check();
      await press('Change role');
      expect((await errorSummary())[0]).toMatch(/^The last admin cannot be removed/);
      await check('user, the last admin refusing a demotion');
      await go(`/admin/users/${org.admin.id}/deactivate`);
      await check('deactivate yourself, confirmation');
      await press('Deactivate');
      expect((await errorSummary())[0]).toMatch(/^The last admin cannot be removed/);
      await check('deactivate yourself, refused');

      // Deactivate and reactivate another user.
      await go(`/admin/users/${taken.id}`);
      await follow('Deactivate Vic Viewer');
      await check('deactivate a user, confirmation');
      await press('Deactivate');
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Vic Viewer has been deactivated');
      await check('user, deactivated');
      await follow('Reactivate Vic Viewer');
      await check('reactivate a user, confirmation');
      await press('Reactivate');
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Vic Viewer has been reactivated');

    } finally {
      await t.close();
    }
    expect(t.visited).toHaveLength(13);
    expect(t.violations).toEqual([]);
  }, 300_000);

  it.each(MODES)('the API key and outbox pages pass axe and reflow at 320 px in every state, and the key is copied, JavaScript $label', async (mode) => {
    const { js } = mode;
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const t = await tour(mode, org.admin.id);
    const { page, check, go, press, follow, errorSummary } = t;
    try {
      // API keys: none yet, the form, its errors, a key with its secret once, then revoked.
      await go('/admin/api-keys');
      await check('API keys, none yet');
      await follow('Create an API key');
      await check('create an API key');
      await press('Create key');
      expect(await errorSummary()).toEqual(['Enter a name for the key, like the system that will use it', 'Select what the key may read or do']);
      await check('create an API key, with errors');
      await page.getByLabel('Name').fill('Contract register sync');
      await page.getByLabel('scores:read').check();
      await page.getByLabel('procurements:read').check();
      await press('Create key');
      expect(await h1(page)).toBe('API key created');
      const secret = await page.getByLabel('The key').inputValue();
      expect(secret).toMatch(/^aidd_key_[A-Za-z0-9_-]{43}$/);
      const copy = page.getByRole('button', { name: 'Copy the key' });
      if (js) {
        await copy.click();
        await expect.poll(() => page.locator('#copy-key-status').innerText()).toBe('The key has been copied.');
        expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
      } else {
        expect(await copy.isVisible()).toBe(false);
      }
      await check('API key created, its secret shown once');
      await page.reload();
      expect(await h1(page)).toBe('The key’s secret cannot be shown again');
      expect(await page.content()).not.toContain(secret);
      await check('API key created, reloaded');
      await go('/admin/api-keys');
      await check('API keys, one key');
      await follow(/Revoke/);
      await check('revoke an API key, confirmation');
      await press('Revoke key');
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain('has been revoked');
      await check('API keys, one revoked with its banner');

      // The outbox: empty, then with messages, and one message.
      await go('/admin/outbox');
      await check('outbox, empty');
      const long = 'a-very-long-address-that-does-not-wrap-by-itself.for-a-supplier@some-long-supplier-domain.example.co.uk';
      await queueMail({
        db: ctx.database.db,
        organisationId: org.organisationId,
        now: ctx.clock.now(),
        message: { to: long, subject: 'You are invited to answer a due diligence questionnaire', text: `Dear supplier,\n\nOpen https://aidd.example.gov.uk/respond/aidd_inv_${'x'.repeat(43)} to answer.\n\nExample Borough Council`, kind: 'invitation', about: { type: 'invitation', id: 'x' }, secrets: [`aidd_inv_${'x'.repeat(43)}`] },
      });
      await go('/admin/outbox');
      await check('outbox, with a message');
      await follow('You are invited to answer a due diligence questionnaire');
      expect(await page.locator('main').innerText()).toContain('/respond/[REDACTED]');
      await check('outbox, one message');
    } finally {
      await t.close();
    }
    expect(t.visited).toHaveLength(11);
    expect(t.violations).toEqual([]);
  }, 300_000);
});
