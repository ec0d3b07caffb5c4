import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedOrganisation } from '../helpers/factories';
import { useSmtpCapture } from '../helpers/smtp';
import { axeViolations, axeViolationsWithoutJs, h1, pressAndLoad, skipWithoutChromium, tabTo, useBrowser } from './browser';
import { answerSection, exampleAnswers, FILE_QUESTIONS, invitedToBuiltIn, submitCompleted, uploadEvidence } from './built-in';

/**
 * The built-in questionnaire completed by a bid team of three: the lead adds two colleagues on its
 * team page (by keyboard alone), each colleague opens its own emailed link in its own browser and
 * answers its sections with their evidence, the lead answers the rest and submits. The team page
 * and a colleague's task list have no WCAG 2.2 AA violations, with JavaScript on or off.
 */

const JO = { name: 'Jo Bloggs', email: 'jo@acme.example', sections: ['fairness', 'security'] };
const SAM = { name: 'Sam Patel', email: 'sam@acme.example', sections: ['data_protection', 'environment'] };

const skip = skipWithoutChromium('test/browser/bid-team.test.ts', 'a bid team completing the built-in questionnaire');

describe.skipIf(skip)('a bid team completing the built-in questionnaire', () => {
  const smtp = useSmtpCapture();
  const ctx = useTestApp({ config: () => ({ SMTP_URL: smtp.url(), MAIL_FROM: 'Due diligence <dd@council.example>' }) });
  const chrome = useBrowser(ctx);

  it('lets the lead add two colleagues, each answer its own sections in its own browser, and the lead submit the whole response', async () => {
    ctx.clock.set(new Date());
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const invitation = await invitedToBuiltIn(ctx, org);
    const answers = await exampleAnswers();
    const base = chrome.base;
    const contexts: BrowserContext[] = [];
    const newPage = async (javaScriptEnabled: boolean): Promise<Page> => {
      const context = await chrome.browser.newContext({ javaScriptEnabled });
      contexts.push(context);
      const page = await context.newPage();
      // A step that cannot happen should fail with its own message, not run out the test's time.
      page.setDefaultTimeout(10_000);
      return page;
    };
    const violations: string[] = [];
    const checker = await newPage(true);
    /** axe on the page with JavaScript on, and on the same state as a browser without JavaScript has it. */
    const axeBoth = async (withJs: Page, withoutJs: Page, state: string) => {
      violations.push(...(await axeViolations(withJs, state)), ...(await axeViolationsWithoutJs(withoutJs, checker, `${state}, without JavaScript`)));
    };

    try {
      // The lead, with JavaScript on, reaches the team page from the task list and works it by keyboard alone;
      // the same lead in a browser without JavaScript shows each state of the page as such a browser has it.
      const lead = await newPage(true);
      const leadForm = await newPage(false);
      await leadForm.goto(`${base}/respond/${invitation.token}`);
      await lead.goto(`${base}/respond/${invitation.token}`);
      await tabTo(lead, lead.getByRole('link', { name: 'Manage your bid team' }));
      await pressAndLoad(lead);
      expect(await h1(lead)).toBe('Your bid team');
      await leadForm.goto(`${base}/respond/team`);
      await axeBoth(lead, leadForm, 'team page, empty');

      await tabTo(lead, lead.getByRole('button', { name: 'Add colleague' }));
      await pressAndLoad(lead);
      expect(await lead.locator('.govuk-error-summary__list a').allInnerTexts()).toEqual([
        'Enter your colleague’s name',
        'Enter your colleague’s email address',
        'Select at least one section for your colleague to answer',
      ]);
      await Promise.all([leadForm.waitForEvent('load'), leadForm.getByRole('button', { name: 'Add colleague' }).click()]);
      expect(await leadForm.title()).toMatch(/^Error: /);
      await axeBoth(lead, leadForm, 'team page, with errors');

      const addByKeyboard = async (person: { name: string; email: string; sections: string[] }) => {
        await tabTo(lead, lead.getByLabel('Full name'));
        await lead.keyboard.type(person.name);
        await tabTo(lead, lead.getByLabel('Email address'));
        await lead.keyboard.type(person.email);
        for (const key of person.sections) {
          await tabTo(lead, lead.locator(`input[name="sections"][value="${key}"]`));
          await lead.keyboard.press('Space');
        }
        await tabTo(lead, lead.getByRole('button', { name: 'Add colleague' }));
        await pressAndLoad(lead);
        expect(await lead.locator('.govuk-notification-banner--success').innerText()).toContain(`${person.name} has been added to your bid team.`);
      };
      await addByKeyboard(JO);
      await addByKeyboard(SAM);
      await leadForm.goto(lead.url());
      await axeBoth(lead, leadForm, 'team page, with colleagues');

      // A third colleague, added and removed again: the removal is announced.
      await addByKeyboard({ name: 'Ali Khan', email: 'ali@acme.example', sections: ['contract'] });
      await tabTo(lead, lead.getByRole('button', { name: 'Remove Ali Khan' }));
      await pressAndLoad(lead);
      expect(await lead.locator('.govuk-notification-banner--success').innerText()).toContain('Ali Khan has been removed from your bid team.');
      expect((await lead.getByRole('button', { name: /^Remove / }).allInnerTexts()).sort()).toEqual(['Remove Jo Bloggs', 'Remove Sam Patel']);
      await leadForm.goto(lead.url());
      await axeBoth(lead, leadForm, 'team page, after removing a colleague');

      // The lead answers its own sections first, in a browser without JavaScript (every follow-up on the page).
      await leadForm.goto(`${base}/respond`);
      const everySection = await leadForm.locator('.govuk-task-list__link').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
      expect(everySection).toHaveLength(11);
      const hints = await leadForm.locator('.govuk-task-list__hint').allInnerTexts();
      expect(hints.filter((h) => h.includes('Assigned to Jo Bloggs'))).toHaveLength(2);
      expect(hints.filter((h) => h.includes('Assigned to Sam Patel'))).toHaveLength(2);
      const colleagues = new Set([...JO.sections, ...SAM.sections]);
      const done = new Set<string>();
      const own = everySection.filter((href) => !colleagues.has(href.split('/').pop()!));
      for (const href of own) await answerSection(leadForm, base, href, answers, done);

      // Each colleague opens its own emailed link in its own browser, sees only its sections, and answers them.
      for (const person of [JO, SAM]) {
        const link = smtp.linkTo(person.email);
        const page = await newPage(false);
        await page.goto(`${base}${link}`);
        const sections = await page.locator('.govuk-task-list__link').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
        expect(sections.map((href) => href.split('/').pop())).toEqual(person.sections);
        expect(await page.locator('main').innerText()).toContain('You are answering these sections for Acme AI Ltd');
        expect(await page.getByRole('link', { name: 'Manage your bid team' }).count()).toBe(0);
        for (const href of sections) await answerSection(page, base, href, answers, done);
        for (const key of FILE_QUESTIONS.filter((k) => person.sections.includes(k.split('.')[0]!))) await uploadEvidence(page, base, key);
        await page.goto(`${base}/respond`);
        expect(await page.locator('.govuk-task-list__status').allInnerTexts()).toEqual(person.sections.map(() => 'Completed'));
        // Its answers, without a declaration or a way to submit.
        await page.goto(`${base}/respond/check`);
        expect(await page.getByRole('button', { name: 'Accept and submit' }).count()).toBe(0);

        // The colleague's task list, with JavaScript on and without it.
        const withJs = await newPage(true);
        await withJs.goto(`${base}${link}`);
        expect(await h1(withJs)).toBe('Your due diligence questionnaire');
        await page.goto(`${base}/respond`);
        await axeBoth(withJs, page, `${person.name}'s task list`);
      }

      // The lead uploads the evidence in its own sections, sees every section complete, and submits.
      for (const key of FILE_QUESTIONS.filter((k) => !colleagues.has(k.split('.')[0]!))) await uploadEvidence(leadForm, base, key);
      await submitCompleted(leadForm, base);

      // What the three of them typed is what was submitted: every answer, and every file.
      const view = (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(invitation.token) })).json();
      expect(view.response.status).toBe('submitted');
      expect(done.size).toBeGreaterThanOrEqual(80);
      for (const key of done) expect(view.answers[key]?.value, key).toEqual(answers[key]!.value);
      expect(view.answers['data_protection.retention_days']).toMatchObject({ value: 30, confidential: true, confidentialReason: 'Commercial terms' });
      expect(view.evidence.map((e: { questionKey: string }) => e.questionKey).sort()).toEqual([...FILE_QUESTIONS].sort());
      expect(violations).toEqual([]);
    } finally {
      for (const context of contexts) await context.close();
    }
  }, 300_000);
});
