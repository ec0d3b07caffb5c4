import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookWorker } from '../../src/modules/integrations/webhooks.worker';
import { testConfig, useTestApp } from '../helpers/app';
import { seedOrganisation } from '../helpers/factories';
import { staffCookie } from '../helpers/staff';
import { startReceiver, type Receiver } from '../modules/integrations/receiver';
import { submittedResponses } from '../modules/integrations/world';
import { axeViolations, axeViolationsWithoutJs, h1, horizontalOverflow, screenshot, skipWithoutChromium, useBrowser } from './browser';

/**
 * The console's webhook and audit log pages in Chromium, every page and every error state a person
 * can reach: axe-core at WCAG 2.2 AA and no horizontal scrolling at 320 px, with JavaScript on (axe
 * at 1000 px, then the reflow check at 320 px) and off (at 320 px; axe on a copy of the page without
 * its scripts). Forms are filled and really posted; deliveries really go to a receiver on loopback.
 * With JavaScript on, "Copy the secret" copies it; without, there is no such button and the secret
 * is in a read-only field to copy by hand.
 */

const skip = skipWithoutChromium('test/browser/console-webhooks-audit.test.ts', 'the console’s webhook and audit log pages in a browser');

describe.skipIf(skip)('the console’s webhook and audit log pages in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false', WEBHOOK_ALLOW_LOOPBACK: 'true' } });
  const chrome = useBrowser(ctx);
  const config = testConfig({ WEBHOOK_ALLOW_LOOPBACK: 'true' });
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => receiver.close());

  /** Sends what is due to the receiver, as the app's worker would, until nothing is left. */
  async function drain(): Promise<void> {
    const worker = createWebhookWorker({ db: ctx.database.db, now: () => ctx.clock.now(), publicBaseUrl: 'https://aidd.example.gov.uk', secretsKey: config.secretsKey, timeoutMs: 2000, allowLoopback: true, pollMs: 50 });
    for (let i = 0; i < 100; i += 1) {
      const done = await worker.runOnce();
      if (done.swept + done.dispatched + done.attempted === 0) return;
    }
    throw new Error('the worker never ran out of work');
  }

  const MODES = [
    { js: true, width: 1000, label: 'on' },
    { js: false, width: 320, label: 'off' },
  ];

  /** A signed-in admin's browser (JavaScript on or off) and a checker page, with the tour's steps. */
  async function tour({ js, width }: { js: boolean; width: number }, userId: string) {
    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
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
        await screenshot(page, `console-webhooks-audit-${state.replace(/\W+/g, '-')}-js-${js ? 'on' : 'off'}`);
      },
      go: async (path: string) => (await page.goto(`${chrome.base}${path}`))?.status(),
      press: async (name: string | RegExp) => {
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name }).first().click()]);
      },
      follow: async (name: string | RegExp) => {
        await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name }).or(page.getByRole('button', { name })).first().click()]);
      },
      errorSummary: () => page.locator('.govuk-error-summary__list a').allInnerTexts(),
      banner: () => page.locator('.govuk-notification-banner').innerText(),
      close: async () => {
        await context.close();
        await checkerContext.close();
      },
    };
  }

  it.each(MODES)('the webhook pages pass axe and reflow at 320 px in every state, and the secret is copied, JavaScript $label', async (mode) => {
    const { js } = mode;
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const t = await tour(mode, org.admin.id);
    const { page, check, go, press, follow, errorSummary, banner } = t;
    try {
      expect(await go('/admin/webhooks')).toBe(200);
      await check('webhooks, none yet');
      await follow('Add an endpoint');
      expect(await h1(page)).toBe('Add a webhook endpoint');
      await check('add an endpoint');
      await press('Add endpoint');
      expect(await errorSummary()).toEqual(['Enter the address to send events to', 'Select at least one event to send']);
      await check('add an endpoint, with errors');
      await page.getByLabel('Address').fill('http://10.1.2.3/hooks');
      await page.getByLabel('A procurement opened to suppliers').check();
      await press('Add endpoint');
      expect(await errorSummary()).toEqual(['Enter an address the service may send to: 10.1.2.3 resolves to 10.1.2.3, which webhooks may not reach']);
      await check('add an endpoint, address refused');
      await page.getByLabel('Address').fill(receiver.url);
      await page.getByLabel('Description (optional)').fill('Contract register');
      await press('Add endpoint');
      expect(await h1(page)).toBe('Webhook endpoint added');
      const secret = await page.getByLabel('Signing secret').inputValue();
      expect(secret).toMatch(/^whsec_/);
      const copy = page.getByRole('button', { name: 'Copy the secret' });
      if (js) {
        await copy.click();
        await expect.poll(() => page.locator('#copy-secret-status').innerText()).toBe('The secret has been copied.');
        expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
      } else {
        expect(await copy.isVisible()).toBe(false);
      }
      await check('endpoint added, secret shown once');
      await page.reload();
      expect(await page.getByLabel('Signing secret').count()).toBe(0);
      await check('secret page after a reload');

      // A delivery that fails, shown in the log, then sent again.
      receiver.useSecret(secret);
      receiver.answerNext(500);
      await submittedResponses(ctx, org, ['Alpha AI']);
      await drain();
      await follow('Go to the endpoint');
      expect(await h1(page)).toBe('Contract register');
      await check('endpoint with a failed delivery');
      await press(/^Send again/);
      expect(await banner()).toContain('queued to send again');
      await check('endpoint, delivery queued again');
      await drain();
      expect(receiver.received).toHaveLength(2);

      await press('Disable');
      expect(await banner()).toContain('The endpoint is disabled.');
      await check('endpoint disabled');
      await go('/admin/webhooks');
      await check('webhooks, one disabled');
      await follow('Open');
      await press('Enable');
      expect(await banner()).toContain('The endpoint is enabled.');

      await follow('Replace the signing secret');
      await check('replace the secret, confirmation');
      await press('Replace the signing secret');
      expect(await h1(page)).toBe('New signing secret');
      expect(await page.getByLabel('Signing secret').inputValue()).not.toBe(secret);
      await check('new secret shown once');
      await follow('Go to the endpoint');

      await follow('Delete the endpoint');
      await check('delete the endpoint, confirmation');
      await press('Delete the endpoint');
      expect(await h1(page)).toBe('Webhooks');
      expect(await banner()).toContain('has been deleted');
      await check('webhooks, endpoint deleted');
    } finally {
      await t.close();
    }
    expect(t.violations).toEqual([]);
    expect(t.visited).toHaveLength(14);
  }, 480_000);

  it.each(MODES)('the audit log pages pass axe and reflow at 320 px in every state, JavaScript $label', async (mode) => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    await submittedResponses(ctx, org, ['Alpha AI', 'Beta Bots']);
    const t = await tour(mode, org.admin.id);
    const { page, check, go, press, follow, errorSummary } = t;
    try {
      expect(await go('/admin/audit')).toBe(200);
      expect(await h1(page)).toBe('Audit log');
      await check('audit log');
      await page.getByLabel('What happened').selectOption({ label: 'Invited the supplier (invitation.sent)' });
      await press('Show events');
      expect(await page.locator('.govuk-summary-card').count()).toBe(2);
      await check('audit log, filtered');
      await page.getByRole('group', { name: 'From (UK time)' }).getByLabel('Day').fill('31');
      await page.getByRole('group', { name: 'From (UK time)' }).getByLabel('Month').fill('2');
      await page.getByRole('group', { name: 'From (UK time)' }).getByLabel('Year').fill('2026');
      await press('Show events');
      expect(await errorSummary()).toEqual(['The from date must be a real date']);
      await check('audit log, a date that does not exist');
      await go('/admin/audit?from-day=1&from-month=1&from-year=2099');
      expect(await page.getByRole('heading', { name: 'No events match the filters' }).count()).toBe(1);
      await check('audit log, nothing matches');

      await go('/admin/audit');
      await press('Verify the audit log');
      expect(await h1(page)).toBe('The audit log is intact');
      await check('verification, intact');

      await ctx.database.db.execute(sql.raw('alter table audit_events disable trigger user'));
      try {
        await ctx.database.db.execute(sql.raw(`update audit_events set action = 'response.withdrawn' where organisation_id = '${org.organisationId}' and action = 'response.submitted'`));
      } finally {
        await ctx.database.db.execute(sql.raw('alter table audit_events enable trigger user'));
      }
      await go('/admin/audit');
      await press('Verify the audit log');
      expect(await h1(page)).toBe('The audit log has been altered');
      await check('verification, altered');
      await follow('See the audit log from that event');
      expect(await h1(page)).toBe('Audit log');
    } finally {
      await t.close();
    }
    expect(t.violations).toEqual([]);
    expect(t.visited).toHaveLength(6);
  }, 480_000);
});
