import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedOrganisation } from '../helpers/factories';
import { useOidcProvider } from '../helpers/oidc-provider';
import { staffCookie } from '../helpers/staff';
import { axeViolations, axeViolationsWithoutJs, freePort, h1, horizontalOverflow, launchChromium, screenshot, skipWithoutChromium } from './browser';

/**
 * Single sign-on in Chromium with JavaScript off: from the sign-in page, through the organisation's
 * OpenID provider (oidc-provider on loopback) and back, signed in. The service listens on the port
 * its PUBLIC_BASE_URL names, since the provider sends the browser back there. Every page of ours on
 * the way, the refusal page and the identity provider admin page (with its error summary) pass axe
 * at WCAG 2.2 AA and reflow at 320 px.
 */

const skip = skipWithoutChromium('test/browser/oidc-sign-in.test.ts', 'single sign-on in a browser');
const DOMAIN = 'borsetshire.gov.uk';


describe.skipIf(skip)('single sign-on in a browser without JavaScript', () => {
  const held = {} as { port: number; base: string; browser: Browser };
  beforeAll(async () => {
    held.port = await freePort();
    held.base = `http://127.0.0.1:${held.port}`;
  });
  const idp = useOidcProvider({
    redirectUri: () => `${held.base}/sign-in/oidc/callback`,
    accounts: {
      ada: { sub: 'sub-ada', email: `ada@${DOMAIN}`, email_verified: true, name: 'Ada Lovelace' },
      unverified: { email: `unverified@${DOMAIN}`, email_verified: false },
    },
  });
  const ctx = useTestApp({ config: () => ({ COOKIE_SECURE: 'false', PUBLIC_BASE_URL: held.base, SIGN_IN_LIMIT_PER_MINUTE: '100000', SIGN_IN_EMAIL_LIMIT_PER_HOUR: '100000' }) });
  beforeAll(async () => {
    held.browser = await launchChromium();
    await ctx.app.listen({ port: held.port, host: '127.0.0.1' });
  });
  afterAll(async () => held.browser?.close());

  const setUp = async () => {
    // The browser keeps cookies by the wall clock, so the app's clock runs from now.
    ctx.clock.set(new Date());
    const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
    const registered = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/identity-provider',
      headers: bearer(org.admin.token),
      payload: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, allowedDomains: [DOMAIN] },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const user = await ctx.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(org.admin.token), payload: { email: `ada@${DOMAIN}`, name: 'Ada Lovelace', role: 'officer' } });
    expect(user.statusCode).toBe(201);
    return org;
  };

  /** axe (on a copy without scripts, as axe needs them) and reflow, for the page as it is now. */
  const check = async (page: Page, checker: Page, state: string, violations: string[]) => {
    violations.push(...(await axeViolationsWithoutJs(page, checker, state)));
    const { overflow, culprits } = await horizontalOverflow(page);
    expect(overflow, `${state}: ${culprits.join(', ')}`).toBe(0);
    await screenshot(page, `oidc-${state.replace(/\W+/g, '-')}`);
  };

  it('an officer signs in through the provider and lands on the page they asked for', async () => {
    await setUp();
    const violations: string[] = [];
    for (const width of [1000, 320]) {
      const context = await held.browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 800 } });
      const checkerContext = await held.browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      const checker = await checkerContext.newPage();
      // The copy axe checks must stay in place too, whatever its refresh says.
      await checker.route(`${idp.issuer}/**`, (route) => route.fulfill({ status: 204 }));
      page.setDefaultTimeout(15_000);
      try {
        await page.goto(`${held.base}/account`);
        expect(new URL(page.url()).pathname).toBe('/sign-in');
        await page.getByLabel('Email address').fill(`ada@${DOMAIN}`);

        // The page between the form and the provider. Its refresh to the provider is answered 204
        // here, which keeps the page in place (a navigation to a 204 goes nowhere) for a look.
        await page.route(`${idp.issuer}/**`, (route) => route.fulfill({ status: 204 }));
        await Promise.all([page.waitForURL(`${held.base}/sign-in/email`), page.getByRole('button', { name: 'Continue' }).click()]);
        expect(await h1(page)).toBe('Continue to sign in');
        // A GOV.UK start button: a link in the look (and role) of a button, for a browser that does not refresh.
        const onwards = page.getByRole('button', { name: "Continue to your organisation's sign-in" });
        expect(await onwards.getAttribute('href')).toMatch(new RegExp(`^${idp.issuer}/auth\\?`));
        await check(page, checker, `continue to sign in at ${width} px`, violations);
        await page.unrouteAll({ behavior: 'ignoreErrors' });
        await Promise.all([page.waitForURL(`${idp.issuer}/interaction/**`), onwards.click()]);

        await page.getByLabel('Account').fill('ada');
        await Promise.all([page.waitForURL(`${held.base}/account`), page.getByRole('button', { name: 'Sign in' }).click()]);
        expect(await h1(page)).toBe('Your account');
        expect(await page.locator('.govuk-summary-list').innerText()).toContain(`ada@${DOMAIN}`);
        await check(page, checker, `signed in at ${width} px`, violations);
      } finally {
        await context.close();
        await checkerContext.close();
      }
    }
    expect(violations).toEqual([]);
  }, 240_000);

  it('a refused sign-in is a clear page that passes axe and reflows', async () => {
    await setUp();
    const violations: string[] = [];
    const context = await held.browser.newContext({ javaScriptEnabled: false, viewport: { width: 320, height: 800 } });
    const checkerContext = await held.browser.newContext({ viewport: { width: 320, height: 800 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    try {
      await page.goto(`${held.base}/sign-in`);
      await page.getByLabel('Email address').fill(`unverified@${DOMAIN}`);
      await Promise.all([page.waitForURL(`${idp.issuer}/interaction/**`), page.getByRole('button', { name: 'Continue' }).click()]);
      await page.getByLabel('Account').fill('unverified');
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().startsWith(`${held.base}/sign-in/oidc/callback`)), page.getByRole('button', { name: 'Sign in' }).click()]);
      expect(response.status()).toBe(403);
      await page.waitForLoadState('load');
      expect(await h1(page)).toBe('Your email address has not been verified');
      await check(page, checker, 'refused at 320 px', violations);
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(violations).toEqual([]);
  }, 120_000);

  it('the identity provider admin page, and its error summary, pass axe and reflow, with JavaScript on', async () => {
    const org = await setUp();
    const violations: string[] = [];
    for (const width of [1000, 320]) {
      const context = await held.browser.newContext({ viewport: { width, height: 800 } });
      const { cookie } = await staffCookie({ app: ctx.app, userId: org.admin.id });
      await context.addCookies([{ name: cookie.name, value: cookie.value, url: held.base }]);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const look = async (state: string) => {
        violations.push(...(await axeViolations(page, `${state} at ${width} px`)));
        const { overflow, culprits } = await horizontalOverflow(page);
        expect(overflow, `${state} at ${width} px: ${culprits.join(', ')}`).toBe(0);
        await screenshot(page, `oidc-${state.replace(/\W+/g, '-')}-${width}`);
      };
      try {
        await page.goto(`${held.base}/admin/identity-provider`);
        expect(await h1(page)).toBe('Identity provider');
        await look('identity provider settings');
        await page.getByLabel('Issuer URL').fill('not a url');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.waitForSelector('.govuk-error-summary');
        // GOV.UK's script moves the focus to the summary, so a screen reader hears it first.
        expect(await page.evaluate('document.activeElement && document.activeElement.classList.contains("govuk-error-summary")')).toBe(true);
        await look('identity provider settings with errors');
        await page.goto(`${held.base}/admin/identity-provider/remove`);
        await look('remove the identity provider');
      } finally {
        await context.close();
      }
    }
    expect(violations).toEqual([]);
  }, 240_000);
});
