import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedOrganisation } from '../helpers/factories';
import { skipWithoutChromium, useBrowser } from './browser';
import { answerSection, exampleAnswers, FILE_QUESTIONS, invitedToBuiltIn, root, submitCompleted } from './built-in';

/**
 * The built-in questionnaire, every section, completed and submitted in a browser with JavaScript
 * off, from the same answers the README's worked example imports: the form must carry a real
 * supplier through all of it without scripts.
 */

const skip = skipWithoutChromium('test/browser/built-in-questionnaire.test.ts', 'the built-in questionnaire in a browser without JavaScript');

describe.skipIf(skip)('the built-in questionnaire in a browser without JavaScript', () => {
  const ctx = useTestApp();
  const chrome = useBrowser(ctx);

  it('completes every section, uploads the evidence asked for, and submits', async () => {
    ctx.clock.set(new Date());
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const invitation = await invitedToBuiltIn(ctx, org);
    const answers = await exampleAnswers();

    const context = await chrome.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // A step that cannot happen should fail with its own message, not run out the test's time.
    page.setDefaultTimeout(10_000);
    try {
      await page.goto(`${chrome.base}/respond/${invitation.token}`);
      const sections = await page.locator('.govuk-task-list__link').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
      expect(sections).toHaveLength(11);
      const done = new Set<string>();
      for (const href of sections) await answerSection(page, chrome.base, href, answers, done);
      for (const key of FILE_QUESTIONS) {
        // "Save and upload a file" saves the section on the way to the question's evidence page.
        const link = page.locator(`button[name="action"][value="evidence:${key}"]`);
        const section = sections.find((s) => s.endsWith(`/${key.split('.')[0]}`))!;
        await page.goto(`${chrome.base}${section}`);
        await Promise.all([page.waitForEvent('load'), link.click()]);
        await page.setInputFiles('input[name="file"]', path.join(root, 'test/fixtures/evidence/dpia.pdf'));
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Upload file' }).click()]);
        expect(await page.locator('.govuk-summary-list__key').allInnerTexts(), key).toContain('dpia.pdf');
      }
      await submitCompleted(page, chrome.base);

      const view = (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(invitation.token) })).json();
      expect(view.response.status).toBe('submitted');
      expect(done.size).toBeGreaterThanOrEqual(80);
      // What the browser sent is what was saved, including the confidential answer and its reason.
      expect(view.answers['data_protection.retention_days']).toMatchObject({ value: 30, confidential: true, confidentialReason: 'Commercial terms' });
      for (const key of ['data_protection.training_on_council_data', 'security.cyber_essentials', 'contract.exit_days']) expect(view.answers[key]?.value, key).toEqual(answers[key]!.value);
      expect(view.evidence).toHaveLength(FILE_QUESTIONS.length);
    } finally {
      await context.close();
    }
  }, 120_000);
});
