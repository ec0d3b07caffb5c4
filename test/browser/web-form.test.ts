import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../helpers/app';
import { seedInvitation } from '../helpers/factories';
import { axeViolations, axeViolationsWithoutJs, chooseFile, description, focusDescription, h1, horizontalOverflow, interceptFileChoosers, isFocused, pressAndLoad, screenshot, seedEvidenceInvitation, skipWithoutChromium, tabTo, useBrowser } from './browser';

/**
 * The supplier web form in a real browser (Debian's Chromium through playwright-core), against
 * the app listening on a loopback port: the whole journey by keyboard alone, with JavaScript on and
 * off; axe-core on every page and state; reflow at 320 CSS px.
 */

const evidenceFile = (name: string) => path.resolve(import.meta.dirname, '../fixtures/evidence', name);

// Without Chromium: skip with the reason outside CI, fail with it in CI (launchChromium throws).
const skip = skipWithoutChromium('test/browser/web-form.test.ts', 'the supplier web form in a browser');

describe.skipIf(skip)('the supplier web form in a browser', () => {
  const ctx = useTestApp();
  const chrome = useBrowser(ctx);

  const invited = (c: TestContext) => seedEvidenceInvitation(c);


  /**
   * Console errors and uncaught exceptions on the page (a CSP refusal shows up as a console error).
   * Chromium also logs the status of a page that is itself an error (400 with errors on the form,
   * 401 for an expired session, 404 for a bad link): those are expected; a failing asset is not.
   */
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

  /** Each summary list row's term and its first definition (the value; the second is the actions). */
  const summaryRows = async (page: Page) =>
    Promise.all(
      (await page.locator('.govuk-summary-list__row').all()).map(async (row) => ({
        key: (await row.getByRole('term').innerText()).replace(/\s+/g, ' ').trim(),
        value: (await row.getByRole('definition').first().innerText()).replace(/\s+/g, ' ').trim(),
      })),
    );

  describe.each([
    { js: true, label: 'on' },
    { js: false, label: 'off' },
  ])('by keyboard only, JavaScript $label', ({ js }) => {
    it('goes from the link to a submitted, read-only response', async () => {
      const { invitation } = await invited(ctx);
      const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width: 1000, height: 800 } });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      interceptFileChoosers(page);
      const errors = watchErrors(page);
      try {
        const errorSummaryFocused = async () => {
          const summary = page.locator('.govuk-error-summary');
          return (await isFocused(summary)) && (await page.locator(':focus').getByRole('alert').getByRole('heading', { name: 'There is a problem' }).count()) === 1;
        };

        // Opening the link (from the email) starts a session and lands on the task list.
        await page.goto(`${chrome.base}/respond/${invitation.token}`);
        expect(page.url()).toBe(`${chrome.base}/respond`);
        expect(await h1(page)).toBe('Your due diligence questionnaire');
        expect(await page.locator('body.govuk-frontend-supported').count()).toBe(js ? 1 : 0);
        // The first Tab reaches GOV.UK's skip link; following it, the next Tab is the first link in the page's content.
        await page.keyboard.press('Tab');
        expect(await isFocused(page.getByRole('link', { name: 'Skip to main content' })), await focusDescription(page)).toBe(true);
        await page.keyboard.press('Enter');
        await page.keyboard.press('Tab');
        expect(await isFocused(page.getByRole('link', { name: 'Section A', exact: true })), await focusDescription(page)).toBe(true);
        await pressAndLoad(page);

        // Section A: choose "Only with opt-in" with the arrow keys and Space; the follow-up inside that
        // choice appears at once with JavaScript (GOV.UK conditional reveal) and is always shown without it.
        expect(await h1(page)).toBe('Section A');
        const training = page.getByRole('group', { name: 'Do you train on our data?' });
        const detail = page.getByRole('textbox', { name: 'Explain the opt-in.', exact: true, includeHidden: true });
        expect(await detail.isVisible()).toBe(!js);
        await tabTo(page, training);
        for (let i = 0; i < 3 && !(await isFocused(training.getByRole('radio', { name: 'Only with opt-in' }))); i += 1) await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Space');
        expect(await training.getByRole('radio', { name: 'Only with opt-in' }).isChecked()).toBe(true);
        expect(await detail.isVisible()).toBe(true);
        await tabTo(page, detail);
        await page.keyboard.type('Each council opts in per dataset, in writing.');

        // Confidential without a reason: refused, with the error summary first and a link to the reason.
        // Each question has these two controls: their names say which question they belong to.
        const confidential = page.getByRole('checkbox', { name: 'This answer is commercially confidential (Explain the opt-in.)', exact: true });
        const reason = page.getByRole('textbox', { name: 'Why is this answer commercially confidential? (Explain the opt-in.)', exact: true, includeHidden: true });
        expect(await reason.isVisible()).toBe(!js); // GOV.UK reveals the conditional field with JavaScript; without it, it is always shown
        await tabTo(page, confidential);
        await page.keyboard.press('Space');
        expect(await confidential.isChecked()).toBe(true);
        expect(await reason.isVisible()).toBe(true);
        await tabTo(page, page.getByRole('button', { name: 'Save and continue' }));
        await pressAndLoad(page);
        expect(await page.title()).toMatch(/^Error: Section A – /);
        expect(await errorSummaryFocused(), await focusDescription(page)).toBe(js);
        const reasonError = page.getByRole('alert').getByRole('link', { name: 'Enter why your answer to “Explain the opt-in.” is commercially confidential' });
        await tabTo(page, reasonError);
        await page.keyboard.press('Enter');
        expect(await isFocused(reason), await focusDescription(page)).toBe(true);
        // GOV.UK's script moves the focus itself; without it, the browser follows the link to the field's id.
        expect(new URL(page.url()).hash).toBe(js ? '' : '#a.training_detail--reason');
        expect(await detail.inputValue()).toBe('Each council opts in per dataset, in writing.');
        await page.keyboard.type('Names our process');
        await tabTo(page, page.getByRole('button', { name: 'Save and continue' }));
        await pressAndLoad(page);

        // Section B: a number that is not one is refused and kept as typed; the error link leads back to it.
        expect(page.url()).toBe(`${chrome.base}/respond/sections/b?saved=a`);
        const hours = page.getByRole('textbox', { name: 'Incident notification hours?', exact: true });
        await tabTo(page, hours);
        await page.keyboard.type('twelve');
        await tabTo(page, page.getByRole('button', { name: 'Save and come back later' }));
        await pressAndLoad(page);
        expect(await page.title()).toMatch(/^Error: /);
        expect(await errorSummaryFocused(), await focusDescription(page)).toBe(js);
        await tabTo(page, page.getByRole('alert').getByRole('link', { name: 'Enter a number for “Incident notification hours?”, like 24' }));
        await page.keyboard.press('Enter');
        expect(await isFocused(hours), await focusDescription(page)).toBe(true);
        expect(await hours.inputValue()).toBe('twelve');
        await page.keyboard.press('ControlOrMeta+A');
        await page.keyboard.type('12');
        await tabTo(page, page.getByRole('button', { name: 'Save and come back later' }));
        await pressAndLoad(page);
        expect(page.url()).toBe(`${chrome.base}/respond?saved=b`);
        const saved = page.getByRole('alert').filter({ hasText: 'Your answers to Section B have been saved' });
        expect(await saved.count()).toBe(1);
        expect(await isFocused(saved), await focusDescription(page)).toBe(js); // GOV.UK focuses a success banner

        // Evidence for b.hours: the file chooser opened with Space, the upload sent with Enter.
        await tabTo(page, page.getByRole('link', { name: 'Section B', exact: true }));
        await pressAndLoad(page);
        // The upload button saves the section first, so nothing typed is lost on the way.
        await tabTo(page, page.getByRole('button', { name: 'Save and upload a file (Incident notification hours?)' }));
        await pressAndLoad(page);
        expect(await h1(page)).toBe('Evidence files');
        expect(await page.title()).toBe('Evidence files for Incident notification hours? – AI supplier due diligence – Example Borough Council');
        expect(await description(page.getByLabel('Upload a file'))).toBe('PDF, Word (DOCX), Excel (XLSX), OpenDocument text, PNG, JPEG, plain text or CSV, up to 20 MB each.');
        await tabTo(page, page.getByLabel('Upload a file'));
        await chooseFile(page, evidenceFile('dpia.pdf'));
        await tabTo(page, page.getByRole('button', { name: 'Upload file' }));
        await pressAndLoad(page);
        expect(await summaryRows(page)).toEqual([{ key: 'dpia.pdf', value: '125 bytes' }]);
        expect(await page.getByRole('button', { name: 'Remove dpia.pdf' }).count()).toBe(1);
        // A file of a kind that is not accepted: the error is summarised and linked to the file input.
        await tabTo(page, page.getByLabel('Upload a file'));
        await chooseFile(page, evidenceFile('program.exe'));
        await tabTo(page, page.getByRole('button', { name: 'Upload file' }));
        await pressAndLoad(page);
        expect(await errorSummaryFocused(), await focusDescription(page)).toBe(js);
        await tabTo(page, page.getByRole('alert').getByRole('link', { name: 'The selected file must be a PDF, DOCX, XLSX, ODT, PNG, JPEG, TXT or CSV' }));
        await page.keyboard.press('Enter');
        expect(await isFocused(page.getByLabel('Upload a file')), await focusDescription(page)).toBe(true);
        await tabTo(page, page.getByRole('main').getByRole('button', { name: 'Continue' }));
        await pressAndLoad(page);

        // Evidence for the file question b.policy.
        expect(await page.getByText('Files uploaded: 1.').count()).toBe(1);
        await tabTo(page, page.getByRole('button', { name: 'Save and upload a file (Upload your AI use policy.)' }));
        await pressAndLoad(page);
        await tabTo(page, page.getByLabel('Upload a file'));
        await chooseFile(page, evidenceFile('policy.docx'));
        await tabTo(page, page.getByRole('button', { name: 'Upload file' }));
        await pressAndLoad(page);
        expect(await page.getByRole('button', { name: 'Remove policy.docx' }).count()).toBe(1);
        await tabTo(page, page.getByRole('main').getByRole('button', { name: 'Continue' }));
        await pressAndLoad(page);
        await tabTo(page, page.getByRole('button', { name: 'Save and continue' }));
        await pressAndLoad(page);

        // Check answers, then the declaration is required, then submit.
        expect(page.url()).toBe(`${chrome.base}/respond/check?saved=b`);
        expect(await h1(page)).toBe('Check your answers before submitting');
        expect(await summaryRows(page)).toEqual([
          { key: 'Do you train on our data?', value: 'Only with opt-in' },
          { key: 'Explain the opt-in.', value: 'Each council opts in per dataset, in writing. (commercially confidential)' },
          { key: 'Incident notification hours?', value: '12. Evidence: dpia.pdf' },
          { key: 'Upload your AI use policy.', value: 'policy.docx' },
        ]);
        await tabTo(page, page.getByRole('button', { name: 'Accept and submit' }));
        await pressAndLoad(page);
        expect(await errorSummaryFocused(), await focusDescription(page)).toBe(js);
        await tabTo(page, page.getByRole('alert').getByRole('link', { name: 'Confirm the declaration to submit your response' }));
        await page.keyboard.press('Enter');
        const declaration = page.getByRole('checkbox', { name: /^I confirm that, to the best of my knowledge/ });
        expect(await isFocused(declaration), await focusDescription(page)).toBe(true);
        await page.keyboard.press('Space');
        expect(await declaration.isChecked()).toBe(true);
        await tabTo(page, page.getByRole('button', { name: 'Accept and submit' }));
        await pressAndLoad(page);

        // Confirmation.
        expect(page.url()).toBe(`${chrome.base}/respond/confirmation`);
        expect(await h1(page)).toBe('Response submitted');
        expect((await page.getByRole('main').innerText()).replace(/\s+/g, ' ')).toMatch(/Your reference SUB-[0-9A-F]{8}-\d{3}/);

        // Read-only from now on: back to the task list through the header, and section B shows answers, not a form.
        await tabTo(page, page.getByRole('banner').getByRole('link', { name: 'Example Borough Council' }), { back: true });
        await pressAndLoad(page);
        expect(await page.getByText('You submitted your response on').count()).toBe(1);
        await tabTo(page, page.getByRole('link', { name: 'Section B', exact: true }));
        await pressAndLoad(page);
        expect(await h1(page)).toBe('Section B');
        expect(await page.getByText(/You submitted your response on .* You can no longer change your answers\./).count()).toBe(1);
        expect(await page.getByRole('button').count()).toBe(0);
        expect(await page.getByRole('textbox').count()).toBe(0);
        expect(await summaryRows(page)).toEqual([
          { key: 'Incident notification hours?', value: '12. Evidence: dpia.pdf' },
          { key: 'Upload your AI use policy.', value: 'policy.docx' },
        ]);

        const view = (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(invitation.token) })).json();
        expect(view.response.status).toBe('submitted');
        expect(view.answers['b.hours'].value).toBe(12);
        expect(view.answers['a.training_detail']).toMatchObject({ confidential: true, confidentialReason: 'Names our process' });
        expect(view.evidence.map((e: { filename: string }) => e.filename).sort()).toEqual(['dpia.pdf', 'policy.docx']);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 180_000);
  });

  /**
   * Every page and state of the form, reached the short way: addresses typed in, fields filled,
   * keys pressed on controls (no clicks here either; the keyboard-only path is the journey above).
   * `at` runs at each state; `shot` names the screenshot to take there.
   */
  async function tour(page: Page, at: (state: string, shot?: string) => Promise<void>) {
    const { invitation, org, procurementId } = await invited(ctx);
    const go = async (url: string) => {
      await page.goto(`${chrome.base}${url}`);
    };
    const activate = async (target: Locator) => {
      await Promise.all([page.waitForEvent('load'), target.press('Enter')]);
    };
    const save = () => activate(page.getByRole('button', { name: 'Save and continue' }));
    const upload = () => activate(page.getByRole('button', { name: 'Upload file' }));

    await go('/respond/aidd_inv_notarealtoken');
    expect(await h1(page)).toBe('This link does not work');
    // No council to name: the header names the service, once.
    expect(await page.getByRole('banner').getByRole('link').allInnerTexts()).toEqual(['AI supplier due diligence']);
    await at('invalid link', 'invalid-link');

    await go(`/respond/${invitation.token}`);
    await at('task list, nothing answered');

    await go('/respond/sections/a');
    await at('section A, empty');
    await page.getByRole('radio', { name: 'Only with opt-in' }).press('Space');
    await page.getByRole('textbox', { name: 'Explain the opt-in.', exact: true }).fill('Each council opts in per dataset, in writing.');
    await page.getByRole('checkbox', { name: 'This answer is commercially confidential (Explain the opt-in.)' }).press('Space');
    await at('section A, filled in, confidential reason revealed');
    await save();
    expect(await page.title()).toMatch(/^Error: /);
    await at('section A, with an error', 'section-with-errors');
    await page.getByRole('textbox', { name: 'Why is this answer commercially confidential? (Explain the opt-in.)' }).fill('Names our process');
    await save();

    expect(await h1(page)).toBe('Section B');
    await at('section B, empty');
    await page.getByRole('textbox', { name: 'Incident notification hours?', exact: true }).fill('twelve');
    await save();
    await at('section B, with an error');
    await page.getByRole('textbox', { name: 'Incident notification hours?', exact: true }).fill('12');
    await activate(page.getByRole('button', { name: 'Save and come back later' }));
    await at('task list, in progress, saved banner', 'task-list');

    await go('/respond/sections/b');
    await page.locator('summary', { hasText: 'Add a comment' }).first().press('Enter');
    await at('section B, comment box open');
    await activate(page.getByRole('button', { name: 'Save and upload a file (Incident notification hours?)' }));
    await at('evidence, no files');
    await upload();
    expect(await page.getByRole('alert').getByRole('link', { name: 'Select a file' }).count()).toBe(1);
    await at('evidence, with an error (no file chosen)');
    await page.getByLabel('Upload a file').setInputFiles(evidenceFile('dpia.pdf'));
    await upload();
    await at('evidence, with a file', 'evidence-with-a-file');
    await page.getByLabel('Upload a file').setInputFiles(evidenceFile('program.exe'));
    await upload();
    await at('evidence, with a file and an error (unsupported type)');
    await go('/respond/sections/b');
    await at('section B, filled in, with a file');

    await go('/respond/check');
    expect(await page.getByRole('heading', { name: 'Before you can submit' }).count()).toBe(1);
    await at('check answers, with something missing');

    // Two tabs changed the same answer: the second is shown both, and chooses.
    await go('/respond/sections/a');
    const otherTab = await page.context().newPage();
    await otherTab.goto(`${chrome.base}/respond/sections/a`);
    await otherTab.getByRole('textbox', { name: 'Explain the opt-in.', exact: true }).fill('Changed in the other tab.');
    await Promise.all([otherTab.waitForEvent('load'), otherTab.getByRole('button', { name: 'Save and come back later' }).press('Enter')]);
    await otherTab.close();
    await page.getByRole('textbox', { name: 'Explain the opt-in.', exact: true }).fill('Changed in this tab.');
    await save();
    expect(await page.getByRole('alert').getByRole('link', { name: /^This answer was changed by someone else/ }).count()).toBe(1);
    await at('section A, changed in another tab: both answers shown', 'section-conflict');
    await page.getByRole('radio', { name: 'Keep the answer saved by someone else' }).press('Space');
    await save();
    await go('/respond/sections/b/evidence/b.policy');
    await page.getByLabel('Upload a file').setInputFiles(evidenceFile('policy.docx'));
    await upload();
    await go('/respond/check');
    await at('check answers, complete', 'check-answers');
    await activate(page.getByRole('button', { name: 'Accept and submit' }));
    await at('check answers, declaration error');
    await page.getByRole('checkbox', { name: /^I confirm that/ }).press('Space');
    await activate(page.getByRole('button', { name: 'Accept and submit' }));
    expect(await h1(page)).toBe('Response submitted');
    await at('confirmation', 'confirmation');

    await go('/respond/sections/b');
    await at('section B, read-only', 'read-only-section');
    await go('/respond/check');
    await at('your answers, read-only');

    // The officer asks a question about an answer through the API; the supplier reads it on its page.
    const asked = await ctx.app.inject({
      method: 'POST',
      url: `/v1/responses/${invitation.responseId}/clarifications`,
      headers: bearer(org.admin.token),
      payload: { questionKey: 'b.hours', question: 'Are those 12 calendar hours or 12 working hours?', allowAmend: true },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    await go('/respond');
    await at('task list, read-only, with a question from the council');
    await activate(page.getByRole('link', { name: /The council has asked you 1 question/ }));
    expect(await h1(page)).toBe('Questions from the council');
    await at('clarifications, awaiting a reply', 'clarifications');
    await activate(page.getByRole('button', { name: 'Send reply' }));
    await at('clarifications, with an error');
    await page.getByRole('textbox', { name: 'Your reply' }).fill('Calendar hours, every day of the year.');
    await page.getByRole('textbox', { name: /Your amended answer/ }).fill('abc');
    await activate(page.getByRole('button', { name: 'Send reply' }));
    await at('clarifications, with an error on the amended answer');
    await page.getByRole('textbox', { name: /Your amended answer/ }).fill('');
    await activate(page.getByRole('button', { name: 'Send reply' }));
    await at('clarifications, replied');

    // A session ends after two hours without activity.
    ctx.clock.advance(3 * 60 * 60 * 1000);
    await go('/respond');
    expect(await h1(page)).toBe('Open your invitation link again');
    await at('session expired', 'session-expired');

    // A second supplier's form posted after its session ended: kept, shown when the link is opened again, then saved.
    const second = await seedInvitation(ctx, org, procurementId, { supplierName: 'Bright Analytics Ltd' });
    await go(`/respond/${second.token}`);
    await go('/respond/sections/b');
    ctx.clock.advance(3 * 60 * 60 * 1000);
    await page.getByRole('textbox', { name: 'Incident notification hours?', exact: true }).fill('48');
    await activate(page.getByRole('button', { name: 'Save and come back later' }));
    expect(await h1(page)).toBe('Your session ended');
    await at('session ended, answers kept', 'session-ended');
    await go(`/respond/${second.token}`);
    expect(await h1(page)).toBe('Answers you entered that have not been saved');
    await at('answers entered after the session ended, to confirm', 'unsaved');
    await activate(page.getByRole('button', { name: /^Save these answers/ }));
    await at('task list, saved banner with required questions outstanding');
    await activate(page.getByRole('link', { name: 'Go to Section B' }));
    await at('section B, unanswered required questions marked');
  }

  it('has no WCAG 2.2 AA violations that axe-core can find, on any page or state, with JavaScript on', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors = watchErrors(page);
    const violations: string[] = [];
    const states: string[] = [];
    try {
      await tour(page, async (state, shot) => {
        states.push(state);
        violations.push(...(await axeViolations(page, state)));
        if (shot) await screenshot(page, shot);
      });
    } finally {
      await context.close();
    }
    expect(states.length).toBeGreaterThanOrEqual(25);
    expect(violations, `axe-core found:\n${violations.join('\n')}`).toEqual([]);
    expect(errors).toEqual([]);
  }, 300_000);

  // Without JavaScript, GOV.UK's components render differently: conditional fields always shown, a static character-count hint.
  const differsWithoutJs = new Set([
    'section A, filled in, confidential reason revealed',
    'section A, with an error',
    'section B, with an error',
    'evidence, with a file and an error (unsupported type)',
    'section A, changed in another tab: both answers shown',
    'check answers, declaration error',
    'clarifications, with an error on the amended answer',
  ]);

  it('has no WCAG 2.2 AA violations that axe-core can find with JavaScript off, on the forms it changes', async () => {
    const context = await chrome.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1000, height: 800 } });
    const checkerContext = await chrome.browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    const violations: string[] = [];
    const checked: string[] = [];
    try {
      await tour(page, async (state) => {
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
      await tour(page, async (state, shot) => {
        states.push(state);
        const { overflow, culprits } = await horizontalOverflow(page);
        if (overflow > 0) overflowing.push(`[${state}] ${overflow}px too wide: ${culprits.join(', ')}`);
        if (shot === 'section-with-errors' || shot === 'check-answers') await screenshot(page, `${shot}-320`);
      });
    } finally {
      await context.close();
    }
    expect(states).toEqual(expect.arrayContaining(['task list, in progress, saved banner', 'section A, with an error', 'evidence, with a file', 'check answers, complete', 'confirmation']));
    expect(overflowing, overflowing.join('\n')).toEqual([]);
  }, 300_000);
});
