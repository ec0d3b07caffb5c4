import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../helpers/app';
import type { QuestionnaireDefinitionInput } from '../../src/modules/questionnaires';
import { evidenceDefinition } from '../modules/questionnaires/fixtures';
import { h1, isFocused, seedEvidenceInvitation, skipWithoutChromium, useBrowser } from './browser';

/**
 * The ways the form used to lose a supplier's words, tried in a real browser with JavaScript on and
 * off: two tabs on one section, the link opened again, a session that ends while a page is open,
 * the comment box, and text typed before going to upload a file. Buttons, radios and the comment
 * disclosure are worked with the keyboard.
 */


/** The evidence questionnaire with a second, optional question in section B, for two tabs on two questions. */
function definition(): QuestionnaireDefinitionInput {
  const d = evidenceDefinition();
  (d.sections[1]!.questions as unknown[]).push({ key: 'b.staff', text: 'How many security staff do you have?', guidance: 'Full-time equivalent.', type: 'number', required: false, limits: { min: 0 }, scoring: { method: 'none' }, riskAreas: ['other'], sources: ['NCSC'] });
  return d;
}

const skip = skipWithoutChromium('test/browser/never-lose-a-word.test.ts', 'the supplier web form keeps every word, in a browser');

describe.skipIf(skip)('the supplier web form keeps every word, in a browser', () => {
  const ctx = useTestApp();
  const chrome = useBrowser(ctx);

  const invited = (c: TestContext) => seedEvidenceInvitation(c, { definition: definition() });

  const answers = async (token: string) => (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(token) })).json().answers as Record<string, { value: unknown; comment: string | null }>;
  const press = async (page: Page, name: string | RegExp, role: 'button' | 'link' = 'button') => {
    await Promise.all([page.waitForEvent('load'), page.getByRole(role, { name }).first().press('Enter')]);
  };
  const hours = (page: Page) => page.getByRole('textbox', { name: 'Incident notification hours?', exact: true });
  const detail = (page: Page) => page.getByRole('textbox', { name: 'Explain the opt-in.', exact: true });

  describe.each([
    { js: true, label: 'on' },
    { js: false, label: 'off' },
  ])('JavaScript $label', ({ js }) => {
    it('keeps both tabs’ answers to different questions, and shows both values when they changed the same one', async () => {
      const { invitation } = await invited(ctx);
      const context = await chrome.browser.newContext({ javaScriptEnabled: js });
      try {
        const tab1 = await context.newPage();
        await tab1.goto(`${chrome.base}/respond/${invitation.token}`);
        await tab1.goto(`${chrome.base}/respond/sections/b`);
        const tab2 = await context.newPage();
        await tab2.goto(`${chrome.base}/respond/sections/b`);

        // Different questions: tab 1 answers the hours, tab 2 (opened before) the staff and a comment on them.
        await hours(tab1).fill('12');
        await press(tab1, 'Save and come back later');
        await tab2.locator('summary', { hasText: 'How many security staff' }).press('Enter');
        await tab2.getByRole('textbox', { name: /^Comment \(optional\) \(How many security staff/ }).fill('Two more from April');
        await tab2.getByRole('textbox', { name: /^How many security staff do you have\?/ }).fill('3');
        await press(tab2, 'Save and come back later');
        expect(await answers(invitation.token)).toMatchObject({ 'b.hours': { value: 12, comment: null }, 'b.staff': { value: 3, comment: 'Two more from April' } });

        // Same field, different values: nothing is overwritten, both are shown, the supplier chooses.
        await tab1.goto(`${chrome.base}/respond/sections/b`);
        await tab2.goto(`${chrome.base}/respond/sections/b`);
        await hours(tab1).fill('24');
        await press(tab1, 'Save and come back later');
        await hours(tab2).fill('6');
        await press(tab2, 'Save and come back later');
        expect(await h1(tab2)).toBe('Section B');
        expect(await tab2.getByRole('alert').getByRole('link', { name: 'This answer was changed by someone else since you opened the page: Incident notification hours?' }).count()).toBe(1);
        expect(await tab2.getByText('Nothing on this page has been saved yet.').count()).toBe(1);
        expect(await tab2.getByText('The answer saved by someone else', { exact: true }).count()).toBe(1);
        expect(await tab2.locator('.govuk-inset-text').innerText()).toContain('24');
        expect(await hours(tab2).inputValue()).toBe('6');
        expect((await answers(invitation.token))['b.hours']?.value).toBe(24);
        await tab2.getByRole('radio', { name: 'Replace it with my answer above' }).press('Space');
        await press(tab2, 'Save and come back later');
        expect(tab2.url()).toBe(`${chrome.base}/respond?saved=b`);
        expect(await answers(invitation.token)).toMatchObject({ 'b.hours': { value: 6 }, 'b.staff': { value: 3, comment: 'Two more from April' } });
      } finally {
        await context.close();
      }
    }, 180_000);

    it('keeps a tab working when the link is opened again, and keeps what was typed after the session ended until the supplier saves it', async () => {
      const { invitation } = await invited(ctx);
      const context = await chrome.browser.newContext({ javaScriptEnabled: js });
      try {
        const page = await context.newPage();
        await page.goto(`${chrome.base}/respond/${invitation.token}`);
        await page.goto(`${chrome.base}/respond/sections/a`);
        // The link opened again in another tab of the same browser.
        const other = await context.newPage();
        await other.goto(`${chrome.base}/respond/${invitation.token}`);
        expect(await h1(other)).toBe('Your due diligence questionnaire');
        await other.close();
        await page.getByRole('radio', { name: 'Never' }).press('Space');
        await press(page, 'Save and come back later');
        expect(page.url()).toBe(`${chrome.base}/respond?saved=a`);
        expect((await answers(invitation.token))['a.training']?.value).toBe('never');

        // Two idle hours later, the supplier finishes typing and saves.
        await page.goto(`${chrome.base}/respond/sections/a`);
        ctx.clock.advance(2 * 60 * 60 * 1000 + 60_000);
        await page.getByRole('radio', { name: 'Only with opt-in' }).press('Space');
        await detail(page).fill('Typed at 11 p.m., before the deadline.');
        await press(page, 'Save and continue');
        expect(await h1(page)).toBe('Your session ended');
        expect(await page.getByText('Your session ended. Open your invitation link again to save the answers you just entered.').count()).toBe(1);
        expect((await answers(invitation.token))['a.training']?.value).toBe('never');

        // Opening the link shows them; saving applies them.
        await page.goto(`${chrome.base}/respond/${invitation.token}`);
        expect(await h1(page)).toBe('Answers you entered that have not been saved');
        expect(await page.locator('.govuk-summary-list').innerText()).toContain('Typed at 11 p.m., before the deadline.');
        await press(page, /^Save these answers/);
        expect(page.url()).toBe(`${chrome.base}/respond?saved=a`);
        expect(await answers(invitation.token)).toMatchObject({ 'a.training': { value: 'opt_in' }, 'a.training_detail': { value: 'Typed at 11 p.m., before the deadline.' } });
      } finally {
        await context.close();
      }
    }, 180_000);

    it('saves a comment with its answer and shows it on check answers; saves typed text before going to upload; Enter in a field saves and continues', async () => {
      const { invitation } = await invited(ctx);
      const context = await chrome.browser.newContext({ javaScriptEnabled: js });
      try {
        const page = await context.newPage();
        await page.goto(`${chrome.base}/respond/${invitation.token}`);
        await page.goto(`${chrome.base}/respond/sections/a`);
        await page.getByRole('radio', { name: 'Never' }).press('Space');
        const summary = page.locator('summary', { hasText: 'Do you train on our data?' });
        await summary.press('Enter');
        const comment = page.getByRole('textbox', { name: /^Comment \(optional\) \(Do you train on our data\?\)/ });
        expect(await comment.isVisible()).toBe(true);
        await comment.fill('Not for any customer, ever.');
        await press(page, 'Save and continue');

        // Section B: the number typed, then "Save and upload a file": the number is saved on the way.
        expect(await h1(page)).toBe('Section B');
        await hours(page).fill('36');
        await press(page, 'Save and upload a file (Incident notification hours?)');
        expect(await h1(page)).toBe('Evidence files');
        expect((await answers(invitation.token))['b.hours']?.value).toBe(36);
        await page.goto(`${chrome.base}/respond/sections/b`);
        expect(await hours(page).inputValue()).toBe('36');

        // Enter in the number field saves with "Save and continue", not with the upload button further down.
        await hours(page).fill('30');
        await Promise.all([page.waitForEvent('load'), hours(page).press('Enter')]);
        expect(new URL(page.url()).pathname).toBe('/respond/check');
        expect((await answers(invitation.token))['b.hours']?.value).toBe(30);
        const row = page.locator('.govuk-summary-list__row', { hasText: 'Do you train on our data?' });
        expect((await row.getByRole('definition').first().innerText()).replace(/\s+/g, ' ').trim()).toBe('Never. Comment: Not for any customer, ever.');
        // "Change" goes back to the question and returns here.
        await Promise.all([page.waitForEvent('load'), row.getByRole('link', { name: /^Change/ }).press('Enter')]);
        expect(new URL(page.url()).search).toBe('?return=check');
        expect(await isFocused(page.locator('#question-a\\.training'))).toBe(false);
        await press(page, 'Save and return to check your answers');
        expect(new URL(page.url()).pathname).toBe('/respond/check');
      } finally {
        await context.close();
      }
    }, 180_000);
  });
});
