import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { multipart } from '../helpers/multipart';
import { readPdf } from '../helpers/pdf';
import { axeViolations, axeViolationsWithoutJs, focusDescription, h1, isFocused, pressAndLoad, screenshot, seedEvidenceInvitation, skipWithoutChromium, tabTo, useBrowser } from './browser';

/**
 * The evidence page after an upload, signing out, and the confirmation page with its receipt, in
 * Chromium: axe-core at WCAG 2.2 AA with JavaScript on and on the page as a browser without it
 * shows it, and the receipt downloaded by keyboard alone.
 */

const skip = skipWithoutChromium('test/browser/receipt-and-evidence.test.ts', 'the receipt, the evidence page and signing out in a browser');

describe.skipIf(skip)('the receipt, the evidence page and signing out in a browser', () => {
  const ctx = useTestApp();
  const chrome = useBrowser(ctx);

  it.each([
    { js: true, label: 'on' },
    { js: false, label: 'off' },
  ])('passes axe on each page and downloads the receipt by keyboard, JavaScript $label', async ({ js }) => {
    const { invitation } = await seedEvidenceInvitation(ctx);
    const api = (method: 'PUT' | 'POST', url: string, payload: object) => ctx.app.inject({ method, url, headers: bearer(invitation.token), payload });
    await api('PUT', '/v1/supplier/response/answers/a.training', { value: 'never' });
    await api('PUT', '/v1/supplier/response/answers/b.hours', { value: 12 });
    const policy = multipart({ fields: { questionKey: 'b.policy' }, files: [{ filename: 'policy.docx', bytes: await readFile(path.resolve(import.meta.dirname, '../fixtures/evidence/policy.docx')) }] });
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(invitation.token), ...policy.headers }, payload: policy.payload })).statusCode).toBe(201);

    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width: 1000, height: 800 }, acceptDownloads: true });
    // axe-core needs JavaScript: without it, the page as that browser shows it is checked in another page that has it.
    const checkerContext = await chrome.browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    const violations: string[] = [];
    const check = async (state: string, shot: string) => {
      violations.push(...(js ? await axeViolations(page, `${state}, JavaScript on`) : await axeViolationsWithoutJs(page, checker, `${state}, without JavaScript`)));
      await screenshot(page, `${shot}-js-${js ? 'on' : 'off'}`);
    };
    try {
      await page.goto(`${chrome.base}/respond/${invitation.token}`);

      // The evidence page after an upload: the success banner, the file with its real kind and size.
      await page.goto(`${chrome.base}/respond/sections/b/evidence/b.hours`);
      await page.getByLabel('Upload a file for Incident notification hours?').setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('hello\n') });
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Upload file' }).press('Enter')]);
      const banner = page.getByRole('alert').filter({ hasText: 'notes.pdf has been uploaded' });
      expect(await banner.count()).toBe(1);
      expect(await isFocused(banner), await focusDescription(page)).toBe(js); // GOV.UK's script focuses a success banner
      expect((await page.locator('.govuk-summary-list__row').innerText()).replace(/\s+/g, ' ')).toContain('notes.pdf (a plain text file) 6 bytes');
      await check('evidence page after an upload', 'evidence-uploaded');
      await tabTo(page, page.getByRole('main').getByRole('button', { name: 'Continue' }));
      await pressAndLoad(page);
      expect(new URL(page.url()).pathname + new URL(page.url()).hash).toBe('/respond/sections/b#question-b.hours');

      // Submitted: the confirmation page links the receipt, which downloads with Enter.
      expect((await api('POST', '/v1/supplier/response/submit', { declaration: true })).statusCode).toBe(200);
      await page.goto(`${chrome.base}/respond/confirmation`);
      expect(await h1(page)).toBe('Response submitted');
      await check('confirmation with the receipt link', 'confirmation-receipt');
      const link = page.getByRole('link', { name: 'Download a receipt of your submitted response (PDF)' });
      await tabTo(page, link);
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      expect(download.suggestedFilename()).toMatch(/^receipt-SUB-[0-9A-F]{8}-\d{3}\.pdf$/);
      const pdf = await readFile((await download.path())!);
      const text = (await readPdf(pdf)).text.replace(/\s+/g, ' ');
      expect(text).toContain('Supplier Acme AI Ltd');
      expect(text).toContain('notes.pdf (a plain text file), 6 bytes');

      // Signing out from the header, by keyboard: asked first, then told how to come back.
      await signOut(page, check);
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(violations, `axe-core found:\n${violations.join('\n')}`).toEqual([]);
  }, 90_000);

  async function signOut(page: Page, check: (state: string, shot: string) => Promise<void>) {
    await tabTo(page, page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign out' }), { back: true });
    await pressAndLoad(page);
    expect(await h1(page)).toBe('Are you sure you want to sign out?');
    await check('sign-out confirmation', 'sign-out');
    await tabTo(page, page.getByRole('button', { name: 'Sign out' }));
    await pressAndLoad(page);
    expect(new URL(page.url()).pathname).toBe('/respond/signed-out');
    expect(await h1(page)).toBe('You have signed out');
    await check('signed out', 'signed-out');
    await page.goto(`${chrome.base}/respond`);
    expect(await h1(page)).toBe('Open your invitation link again');
  }
});
