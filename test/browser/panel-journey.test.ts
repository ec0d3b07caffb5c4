import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { QuestionnaireDefinitionInput } from '../../src/modules/questionnaires';
import { useTestApp } from '../helpers/app';
import { readPdf } from '../helpers/pdf';
import { useSmtpCapture } from '../helpers/smtp';
import { until } from '../helpers/wait';
import { panelDefinition, panelWorld } from '../modules/scoring/panel-world';
import { h1, skipWithoutChromium, tabTo, useBrowser } from './browser';
import { keyboardOn, pageChecks, signInWithCookie } from './panel-tour';

/**
 * The evaluation panel's whole journey in Chromium (issue 18), as one story, by keyboard alone and
 * with JavaScript off, each person in their own browser: two evaluators sign in by emailed link and
 * land on "Your evaluations"; the first declares a conflict and is kept from the responses until an
 * officer records how it is mitigated; the second declares none. Both mark the same response blind,
 * question by question with "Save and next" — neither sees the other's marks nor any score until
 * they have submitted their own, and then both see the marks side by side. The moderator sees the
 * spread, records the consensus mark, decides a gateway only a person may decide ("review") and
 * makes another a conditional pass, and finalises. The officer's results page and the evaluation
 * report (PDF) then show the outcome. axe-core at WCAG 2.2 AA on every page and state (on the no-JS
 * copy), and no horizontal scrolling at 320 px.
 */

const skip = skipWithoutChromium('test/browser/panel-journey.test.ts', 'the evaluation panel’s journey in a browser');

/** The panel questionnaire with a gateway whose answer "Working towards it" no rule decides: the moderator does, with a reason. */
function journeyDefinition(): QuestionnaireDefinitionInput {
  const definition = panelDefinition();
  (definition.sections[0]!.questions as unknown[]).splice(1, 0, {
    key: 'a.certified',
    text: 'Are you certified to ISO 27001?',
    guidance: 'Give the certificate number, or when the audit is booked.',
    type: 'single_choice',
    required: true,
    options: [
      { value: 'yes', label: 'Yes', score: 4 },
      { value: 'in_progress', label: 'Working towards it', score: 1, gatewayOutcome: 'review', usualOutcome: 'conditional' },
      { value: 'no', label: 'No', score: 0 },
    ],
    scoring: { method: 'options' },
    gateway: { pass: { in: { question: 'a.certified', values: ['yes'] } }, failureMessage: 'Certification is needed.' },
    riskAreas: ['data'],
    sources: ['NCSC'],
  });
  return definition;
}

type Person = { context: BrowserContext; page: Page; keys: ReturnType<typeof keyboardOn> };
const WIDTH = 320;

describe.skipIf(skip)('the evaluation panel’s journey in a browser', () => {
  const smtp = useSmtpCapture();
  const ctx = useTestApp({ config: () => ({ COOKIE_SECURE: 'false', SMTP_URL: smtp.url() }) });
  const chrome = useBrowser(ctx);

  it('declare, mitigate, mark blind, moderate, finalise, and see the outcome in the results and the report: by keyboard, JavaScript off', async () => {
    const w = await panelWorld(ctx, { definition: journeyDefinition(), answers: { 'a.certified': { value: 'in_progress' } } });
    const r = w.responses[0]!;
    const contexts: BrowserContext[] = [];
    const checkerContext = await chrome.browser.newContext({ viewport: { width: WIDTH, height: 900 } });
    contexts.push(checkerContext);
    const { violations, check } = pageChecks({ js: false, width: WIDTH, checker: await checkerContext.newPage(), prefix: 'panel-journey' });

    /** Someone at their own browser: JavaScript off, 320 px wide. */
    const person = async (): Promise<Person> => {
      const context = await chrome.browser.newContext({ javaScriptEnabled: false, viewport: { width: WIDTH, height: 900 }, acceptDownloads: true });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      return { context, page, keys: keyboardOn(page) };
    };
    const pathOf = (page: Page) => new URL(page.url()).pathname;
    const main = async (page: Page) => (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    const link = (who: Person, name: string | RegExp) => who.page.getByRole('link', { name });
    const button = (who: Person, name: string | RegExp) => who.page.getByRole('button', { name, exact: typeof name === 'string' });

    /** The emailed link's path, once the email to `email` has arrived. */
    const signInLink = async (email: string) => {
      const mail = await until(`a sign-in email to ${email}`, () => smtp.received.find((m) => m.to.includes(email)), Boolean, { guardMs: 30_000 });
      return /\/sign-in\/link\/aidd_signin_[A-Za-z0-9_-]{43}/.exec(mail!.text)![0];
    };
    /** The sign-in pages: the email address (Enter in the field sends it), "check your email", the link and its button; then "Your evaluations". */
    const signInByEmail = async (who: Person, email: string, label: string) => {
      await who.page.goto(`${chrome.base}/`);
      expect(pathOf(who.page)).toBe('/sign-in');
      await check(who.page, `${label}, sign in`);
      await who.keys.type('Email address', email);
      await Promise.all([who.page.waitForEvent('load'), who.page.keyboard.press('Enter')]);
      expect(await h1(who.page)).toBe('Check your email');
      await check(who.page, `${label}, check your email`);
      await who.page.goto(`${chrome.base}${await signInLink(email)}`);
      expect(await h1(who.page)).toBe('Sign in to Example Borough Council');
      await check(who.page, `${label}, the emailed link`);
      await who.keys.follow(button(who, 'Sign in'));
      expect(pathOf(who.page)).toBe('/evaluations');
      expect(await h1(who.page)).toBe('Your evaluations');
    };

    const marking = `/evaluations/${w.procurementId}/responses/${r.responseId}`;
    const titles = { 'a.plan': '1.2 Describe your data protection plan.', 'a.retention': '1.3 How long do you keep council data?', 'b.support': '2.2 Describe your support model.' } as const;
    type Key = keyof typeof titles;
    const eve = { name: 'Eve One', marks: { 'a.plan': 4, 'a.retention': 3, 'b.support': 2 } as Record<Key, number>, says: (key: Key) => `Eve: ${key} meets the descriptor.` };
    const evan = { name: 'Evan Two', marks: { 'a.plan': 1, 'a.retention': 3, 'b.support': 2 } as Record<Key, number>, says: (key: Key) => `Evan: ${key} falls short.` };
    const keys = Object.keys(titles) as Key[];

    /**
     * Blind marking: the page shows nothing of the other evaluator (neither name nor justification)
     * and no score: no mark "n of 4", no score out of 100, no rating.
     */
    const expectBlind = async (page: Page, other: typeof eve, state: string) => {
      const text = await main(page);
      expect(text, `${state}: the other evaluator's name`).not.toContain(other.name);
      for (const key of keys) expect(text, `${state}: the other evaluator's justification`).not.toContain(other.says(key));
      // A mark is "n of 4" and an overall score "nn.n" (out of 100); the question refs (1.2) are shorter, and
      // the scale's own words ("2 – Acceptable") are the descriptors every evaluator marks against.
      expect(text, `${state}: a score`).not.toMatch(/\b[0-4] of 4\b|out of 100|\b\d{2,3}\.\d\b|score:|overall|rating|acceptable with conditions|significant concerns|not acceptable|spread/i);
    };

    /** From "Your evaluations": the response, then each question in turn, marked with "Save and next" (one key press, one page). */
    const markEveryQuestion = async (who: Person, me: typeof eve, other: typeof eve, label: string) => {
      await who.keys.follow(link(who, /^Mark/));
      expect(pathOf(who.page)).toBe(marking);
      await expectBlind(who.page, other, `${label}, overview`);
      await check(who.page, `${label}, overview, nothing marked`);
      await who.keys.follow(button(who, 'Continue marking'));
      for (const key of keys) {
        expect(await h1(who.page)).toBe(titles[key]);
        await expectBlind(who.page, other, `${label}, ${key}`);
        await check(who.page, `${label}, marking ${key}`);
        await who.keys.type('Justification', me.says(key));
        // Back into the radio group (Shift+Tab from the textarea), then "Save and next".
        await who.keys.pick('score', String(me.marks[key]), { back: true });
        await who.keys.follow(button(who, 'Save and next'));
      }
      expect(pathOf(who.page)).toBe(marking);
      expect(await who.keys.banner()).toContain('You have marked every question');
      await expectBlind(who.page, other, `${label}, all marked`);
      await check(who.page, `${label}, overview, all marked`);
    };

    /** "Check and submit your marks", then "Submit my marks", then the marks side by side. */
    const submitMarks = async (who: Person, other: typeof eve, label: string) => {
      await who.keys.follow(button(who, 'Check and submit your marks'));
      await expectBlind(who.page, other, `${label}, submit`);
      await check(who.page, `${label}, submit`);
      await who.keys.follow(button(who, 'Submit my marks'));
      expect(await who.page.locator('.govuk-panel__title').innerText()).toBe('Marks submitted');
      await check(who.page, `${label}, marks submitted`);
      await who.keys.follow(link(who, 'See the marks side by side'));
    };
    /** The side-by-side table of one question, a row per evaluator who has submitted. */
    const sideBySide = async (page: Page, key: Key) =>
      (await page.locator('table', { has: page.locator('caption', { hasText: titles[key] }) }).locator('tbody tr').allInnerTexts()).map((row) => row.replace(/\s+/g, ' ').trim());

    /**
     * The officer's results page: the supplier's row, the section scores, and a question's row of
     * "Scores for each question" (a details element, opened with Enter on its summary).
     */
    const results = async (who: Person) => {
      const tidy = (rows: string[]) => rows.map((row) => row.replace(/\s+/g, ' ').trim());
      const table = (caption: string) => who.page.locator('table', { has: who.page.locator('caption', { hasText: caption }) }).locator('tbody tr');
      const row = tidy(await table('Results').allInnerTexts());
      expect(row).toHaveLength(1);
      const sections = tidy(await table('Section scores').allInnerTexts());
      await tabTo(who.page, who.page.locator('summary', { hasText: 'Scores for each question' }), { max: 100 });
      await who.page.keyboard.press('Enter');
      const questions = tidy(await table('Question scores').allInnerTexts());
      return { row: row[0]!, sections, question: (ref: string) => questions.find((q) => q.startsWith(`${ref} `)) };
    };

    try {
      // ── Eve signs in by emailed link, lands on her evaluations, declares a conflict and is kept from the responses.
      const e1 = await person();
      await signInByEmail(e1, w.e1.email, 'evaluator 1');
      await check(e1.page, 'evaluator 1, my evaluations, to declare');
      await e1.keys.follow(link(e1, /Declare your interests/));
      await check(e1.page, 'evaluator 1, declaration');
      await e1.keys.pick('conflict', 'yes');
      await e1.keys.type('What is your conflict of interest?', 'My partner works for Alpha AI.');
      await e1.keys.follow(button(e1, 'Declare'));
      expect(await main(e1.page)).toContain('An officer must record how this is mitigated before you can see responses');
      await check(e1.page, 'evaluator 1, conflict declared, blocked');
      expect((await e1.page.goto(`${chrome.base}/evaluations`))?.status()).toBe(200);
      expect(await main(e1.page)).toContain('Waiting for mitigation');
      expect(await link(e1, /^Mark/).count()).toBe(0);
      await check(e1.page, 'evaluator 1, my evaluations, waiting for mitigation');

      // ── The officer, in their own browser, records how the conflict is mitigated.
      const officer = await person();
      await signInWithCookie({ context: officer.context, app: ctx.app, base: chrome.base, userId: w.officer.id });
      expect((await officer.page.goto(`${chrome.base}/procurements/${w.procurementId}/declarations`))?.status()).toBe(200);
      expect(await main(officer.page)).toContain('My partner works for Alpha AI.');
      await check(officer.page, 'officer, declarations');
      await officer.keys.follow(link(officer, /Record mitigation/));
      await check(officer.page, 'officer, mitigation');
      await officer.keys.type('How is the conflict mitigated?', 'The moderator reads every mark Eve gives Alpha AI against the other evaluator’s.');
      await officer.keys.follow(button(officer, 'Record mitigation'));
      expect(await officer.keys.banner()).toContain('The mitigation is recorded');
      await check(officer.page, 'officer, mitigation recorded');

      // ── Evan signs in the same way, declares no conflict and marks every question (not yet submitted).
      const e2 = await person();
      await signInByEmail(e2, w.e2.email, 'evaluator 2');
      await e2.keys.follow(link(e2, /Declare your interests/));
      await e2.keys.pick('conflict', 'no');
      await e2.keys.follow(button(e2, 'Declare'));
      expect(pathOf(e2.page)).toBe('/evaluations');
      await check(e2.page, 'evaluator 2, my evaluations, to mark');
      await markEveryQuestion(e2, evan, eve, 'evaluator 2');

      // ── Eve, now mitigated, goes on: Evan's saved marks are nowhere on her pages.
      await e1.page.reload();
      await check(e1.page, 'evaluator 1, my evaluations, to mark');
      await markEveryQuestion(e1, eve, evan, 'evaluator 1');
      await submitMarks(e1, evan, 'evaluator 1');
      // Submitted, she sees the marks of those who have submitted: Evan has not yet.
      expect(await sideBySide(e1.page, 'a.plan')).toEqual([`Eve One (you) 4 ${eve.says('a.plan')}`]);
      await expectBlind(e1.page, evan, 'evaluator 1, side by side before Evan submits');
      await check(e1.page, 'evaluator 1, side by side, alone');

      // ── Evan, before submitting, still sees nothing of Eve's submitted marks; then submits and sees both.
      await e2.page.reload();
      await expectBlind(e2.page, eve, 'evaluator 2, after Eve submitted');
      expect((await e2.page.goto(`${chrome.base}${marking}/questions/a.plan`))?.status()).toBe(200);
      await expectBlind(e2.page, eve, 'evaluator 2, a question after Eve submitted');
      await e2.keys.follow(link(e2, 'All questions'));
      await submitMarks(e2, eve, 'evaluator 2');
      for (const key of keys) {
        expect(await sideBySide(e2.page, key)).toEqual(expect.arrayContaining([`Evan Two (you) ${evan.marks[key]} ${evan.says(key)}`, `Eve One ${eve.marks[key]} ${eve.says(key)}`]));
      }
      await check(e2.page, 'evaluator 2, side by side');
      await e1.page.reload();
      expect(await sideBySide(e1.page, 'a.plan')).toEqual(expect.arrayContaining([`Eve One (you) 4 ${eve.says('a.plan')}`, `Evan Two 1 ${evan.says('a.plan')}`]));
      await check(e1.page, 'evaluator 1, side by side, both');

      // ── The officer's results before moderation: provisional, not ranked.
      expect((await officer.page.goto(`${chrome.base}/procurements/${w.procurementId}/results`))?.status()).toBe(200);
      const before = await results(officer);
      expect(before.row).toMatch(/^– Not ranked Alpha AI Gateways: 1 awaiting a decision, 1 passed Provisional: 4 items outstanding .*77\.5 significant concerns$/);
      // Until moderated, the marked questions count for nothing: section A is the two automatic scores alone.
      expect(before.sections).toEqual(expect.arrayContaining(['Section A Weight 60 62.5', 'Section B Weight 40 100.0', 'Overall score 77.5']));
      expect(before.question('1.2')).toBe('1.2 Awaiting a mark');
      await check(officer.page, 'officer, results, provisional');

      // ── The moderator, in their own browser: declares, sees the spread, records the consensus.
      const mo = await person();
      await signInWithCookie({ context: mo.context, app: ctx.app, base: chrome.base, userId: w.moderator.id });
      // An officer's home is the procurements; the panel's work is one link away, in the navigation.
      await mo.page.goto(`${chrome.base}/`);
      expect(pathOf(mo.page)).toBe('/procurements');
      await mo.keys.follow(link(mo, 'Evaluations'));
      expect(await h1(mo.page)).toBe('Your evaluations');
      await mo.keys.follow(link(mo, /Declare your interests/));
      await mo.keys.pick('conflict', 'no');
      await mo.keys.follow(button(mo, 'Declare'));
      await check(mo.page, 'moderator, my evaluations');
      await mo.keys.follow(link(mo, /^Moderate/));
      expect(await h1(mo.page)).toBe('Moderate Alpha AI’s response');
      expect(await main(mo.page)).toContain('Marks differ by 2 or more');
      await check(mo.page, 'moderator, overview, provisional');
      await mo.keys.follow(link(mo, /Describe your data protection plan/));
      expect(await mo.page.locator('.govuk-summary-card').allInnerTexts()).toEqual(
        expect.arrayContaining([expect.stringMatching(/Eve One[\s\S]*4 of 4[\s\S]*Eve: a\.plan/), expect.stringMatching(/Evan Two[\s\S]*1 of 4[\s\S]*Evan: a\.plan/)]),
      );
      expect(await mo.page.locator('.govuk-inset-text .govuk-tag').innerText()).toMatch(/spread 3/i);
      await check(mo.page, 'moderator, consensus, spread 3');
      await mo.keys.pick('score', '3');
      await mo.keys.type('Rationale', 'Agreed after discussion: encryption at rest is shown, key management is not.');
      await mo.keys.follow(button(mo, 'Record the consensus mark'));
      expect(await mo.keys.banner()).toContain('Consensus mark 3 recorded');
      await check(mo.page, 'moderator, overview, consensus recorded');

      // The two questions the evaluators agreed on still need the moderator's mark.
      for (const [key, score] of [['a.retention', '3'], ['b.support', '2']] as const) {
        await mo.keys.follow(link(mo, titles[key]));
        await mo.keys.pick('score', score);
        await mo.keys.type('Rationale', `Both evaluators gave ${score}; the panel agrees.`);
        await mo.keys.follow(button(mo, 'Record the consensus mark'));
        expect(await mo.keys.banner()).toContain(`Consensus mark ${score} recorded`);
      }

      // The conflict Eve declared is an integrity flag: what the panel did about it is recorded.
      expect(await main(mo.page)).toContain('A member of the panel declared a conflict of interest in this procurement.');
      await mo.keys.follow(link(mo, 'Record what the panel did about flag 1'));
      await check(mo.page, 'moderator, integrity flag');
      await mo.keys.type('What the panel did', 'Compared every mark Eve gave with Evan’s: the one spread of 3 was moderated.');
      await mo.keys.follow(button(mo, 'Save what the panel did'));
      expect(await mo.keys.banner()).toContain('What the panel did about the integrity flag has been recorded');

      // The gateway only a person decides ("Working towards it"): passed, with the reason.
      await mo.keys.follow(link(mo, 'Are you certified to ISO 27001?'));
      expect(await main(mo.page)).toContain('is one the panel decides');
      await check(mo.page, 'moderator, review gateway, pending');
      await mo.keys.pick('outcome', 'pass');
      await mo.keys.type('Reasons for the decision', 'Stage 2 audit booked for 12 January 2027 with a UKAS body; letter seen.');
      await mo.keys.follow(button(mo, 'Record the decision'));
      expect(await mo.keys.banner()).toContain('Gateway decision recorded: passed');

      // The gateway the rule passed is made a conditional pass: an action, its owner and its due date.
      await mo.keys.follow(link(mo, 'Do you train on our data?'));
      await check(mo.page, 'moderator, gateway passed by the rule');
      await mo.keys.pick('outcome', 'conditional');
      await mo.keys.type('Action the supplier must take', 'Sign the DPA schedule that rules out training on council data');
      await mo.keys.type('Owner', 'Information governance team');
      await mo.keys.type('Day', '31');
      await mo.keys.type('Month', '1');
      await mo.keys.type('Year', '2027');
      await mo.keys.type('Reasons for the decision', 'The answer is right but must be binding.');
      await mo.keys.follow(button(mo, 'Record the decision'));
      expect(await mo.keys.banner()).toContain('Gateway decision recorded: passed with conditions');
      expect(await main(mo.page)).toContain('Condition: Sign the DPA schedule that rules out training on council data. Owner: Information governance team. Due 31 January 2027');
      expect(await main(mo.page)).toContain('Nothing is outstanding.');
      await check(mo.page, 'moderator, overview, nothing outstanding');

      await mo.keys.follow(button(mo, 'Finalise evaluation'));
      expect(await h1(mo.page)).toBe('Finalise the evaluation');
      await check(mo.page, 'moderator, finalise');
      await mo.keys.follow(button(mo, 'Finalise evaluation'));
      expect(await mo.keys.banner()).toContain('The evaluation has been finalised');
      await check(mo.page, 'moderator, finalised');

      // ── The officer's results now: final, ranked, the gateways as decided, the consensus mark counted.
      await officer.page.reload();
      const after = await results(officer);
      expect(after.row).toMatch(/^1 Alpha AI Gateways: 1 passed with conditions, 1 passed Finalised by Mo Derator on .+ 71\.3 significant concerns$/);
      // The consensus marks count now: 1.2 is the moderator's 3, not Eve's 4 or Evan's 1; section A = mean(3, 3, 1, 4).
      expect(after.question('1.2')).toBe('1.2 3 of 4');
      expect(after.sections).toEqual(expect.arrayContaining(['Section A Weight 60 68.8', 'Section B Weight 40 75.0', 'Overall score 71.3']));
      await check(officer.page, 'officer, results, final');

      // ── The evaluation report, downloaded from the reports page with Enter, read back with pdf.js.
      await officer.keys.follow(link(officer, 'Reports and exports'), { max: 100 });
      await check(officer.page, 'officer, reports');
      await tabTo(officer.page, link(officer, /^Evaluation report/), { max: 100 });
      const [download] = await Promise.all([officer.page.waitForEvent('download'), officer.page.keyboard.press('Enter')]);
      const pdf = (await readPdf(await readFile((await download.path())!))).text.replace(/\s+/g, ' ');
      expect(pdf).toContain('Finalised Yes, by Mo Derator');
      expect(pdf).toContain('Gateways 1 passed, 1 passed with conditions');
      expect(pdf).toMatch(/1\.2 Describe your data protection plan\. .*?Score 3 of 4 \(Good\), weight 1/);
      expect(pdf).toContain('Evaluator Eve One: 4 of 4 (Excellent)');
      expect(pdf).toContain('Evaluator Evan Two: 1 of 4 (Poor)');
      expect(pdf).toMatch(/Moderated mark by Mo Derator: 3 of 4 \(Good\) \(.+?\)\. Agreed after discussion: encryption at rest is shown, key management is not\./);
      expect(pdf).toContain('Are you certified to ISO 27001? Pass Moderator Moderator decision: Stage 2 audit booked for 12 January 2027 with a UKAS body; letter seen.');
      expect(pdf).toContain(
        'Do you train on our data? Conditional pass Moderator Moderator decision: The answer is right but must be binding. Action: Sign the DPA schedule that rules out training on council data Due: 31 January 2027',
      );
    } finally {
      for (const context of contexts) await context.close();
    }
    expect(violations).toEqual([]);
  }, 600_000);
});
