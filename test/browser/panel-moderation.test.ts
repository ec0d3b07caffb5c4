import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../helpers/factories';
import { smallDefinition } from '../modules/questionnaires/fixtures';
import { h1, pressAndLoad, skipWithoutChromium, tabTo, useBrowser } from './browser';
import { keyboardOn, pageChecks, signInWithCookie } from './panel-tour';

/**
 * The moderator's pages in Chromium, by keyboard only: a consensus mark where the evaluators' marks
 * differ by 3, a pending gateway decided, a conditional pass with its action, owner and due date
 * (after the error summary), an amended answer accepted and what the panel did about an integrity
 * flag recorded (each after its error summary), and the evaluation finalised; then a stale tab's
 * change is refused.
 * Every page and state: axe-core at WCAG 2.2 AA (JavaScript on, or the no-JS copy) and no
 * horizontal scrolling at 320 px.
 */

const skip = skipWithoutChromium('test/browser/panel-moderation.test.ts', 'the moderator’s pages in a browser');
const DAY = 24 * 60 * 60 * 1000;
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

/** The small questionnaire with an optional gateway: left unanswered, only the moderator can decide it. */
function moderationDefinition() {
  const definition = smallDefinition();
  const sections = definition.sections as Array<{ questions: unknown[] }>;
  sections[0]!.questions.push({
    key: 'a.certified',
    text: 'Are you certified to ISO 27001?',
    guidance: 'Give the certificate number.',
    type: 'single_choice',
    required: false,
    options: [
      { value: 'yes', label: 'Yes', score: 4 },
      { value: 'no', label: 'No', score: 0 },
    ],
    scoring: { method: 'options' },
    gateway: { pass: { in: { question: 'a.certified', values: ['yes'] } }, failureMessage: 'Certification is needed.' },
    riskAreas: ['data'],
    sources: ['NCSC'],
  });
  return definition;
}

describe.skipIf(skip)('the moderator’s pages in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const chrome = useBrowser(ctx);

  it.each([
    { js: false, width: 320, label: 'off' },
    { js: true, width: 1000, label: 'on' },
  ])('moderates, decides gateways and finalises by keyboard, JavaScript $label', async ({ js, width }) => {
    const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const e1 = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve One' });
    const e2 = await seedUser(ctx, org, { role: 'evaluator', name: 'Evan Two' });
    const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
    const deadline = new Date(ctx.clock.now().getTime() + 14 * DAY).toISOString();
    const procurementId = await seedOpenProcurement(ctx, org, { definition: moderationDefinition(), triage, title: 'Council tax chatbot', deadline, evaluatorIds: [e1.id, e2.id], moderatorId: moderator.id });
    const acme = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
    const imported = await call('PUT', '/v1/supplier/response/import', acme.token, {
      answers: { 'a.training': { value: 'opt_in' }, 'a.training_detail': { value: 'Each dataset only after the council opts in, in writing.' }, 'b.hours': { value: 48 } },
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect((await call('POST', '/v1/supplier/response/submit', acme.token, { declaration: true })).statusCode).toBe(200);
    await call('POST', `/v1/procurements/${procurementId}/close`, org.admin.token);
    await call('POST', `/v1/procurements/${procurementId}/start-evaluation`, org.admin.token);
    for (const member of [e1, e2, moderator]) expect((await call('POST', `/v1/procurements/${procurementId}/declarations`, member.token, { hasConflict: false, details: 'None' })).statusCode).toBe(201);
    // The two evaluators mark first, 3 apart, and submit.
    for (const [evaluator, score, justification] of [[e1, 4, 'Written opt-in per dataset.'], [e2, 1, 'Withdrawal of consent is not described.']] as const) {
      expect((await call('PUT', `/v1/responses/${acme.responseId}/marks/a.training_detail`, evaluator.token, { score, justification })).statusCode).toBe(200);
      expect((await call('POST', `/v1/responses/${acme.responseId}/marks/submit`, evaluator.token)).statusCode).toBe(200);
    }
    // A minute later the supplier amends "b.hours" (48, 2 of 4) to 12 (4 of 4) in reply to a clarification: an amendment to decide and a flag to act on.
    ctx.clock.advance(60_000);
    const asked = await call('POST', `/v1/responses/${acme.responseId}/clarifications`, org.admin.token, { questionKey: 'b.hours', question: 'Working or calendar hours?', allowAmend: true });
    expect(asked.statusCode, asked.body).toBe(201);
    const replied = await call('POST', `/v1/supplier/response/clarifications/${asked.json().id}/reply`, acme.token, { reply: 'Calendar hours; we meant 12.', amendedAnswer: { value: 12 } });
    expect(replied.statusCode, replied.body).toBe(200);
    const evaluation = async () => (await call('GET', `/v1/responses/${acme.responseId}/evaluation`, org.admin.token)).json();
    expect((await evaluation()).gateways.find((g: { questionKey: string }) => g.questionKey === 'a.certified').outcome).toBe('pending');

    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
    const checkerContext = await chrome.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    await signInWithCookie({ context, app: ctx.app, base: chrome.base, userId: moderator.id });
    const { violations, check } = pageChecks({ js, width, checker, prefix: 'panel-moderation' });
    const { errorSummary, banner, follow, type, pick } = keyboardOn(page);
    const overview = `/evaluations/${procurementId}/responses/${acme.responseId}/moderation`;

    try {
      expect((await page.goto(`${chrome.base}${overview}`))?.status()).toBe(200);
      expect(await h1(page)).toBe('Moderate Acme AI Ltd’s response');
      expect(await page.locator('main').innerText()).toContain('Marks differ by 2 or more');
      await check(page, 'overview, provisional');

      // A second tab, opened now on the gateway form, is used after finalising.
      const stale = await context.newPage();
      await stale.goto(`${chrome.base}${overview}/gateways/a.training`);

      await follow(page.getByRole('link', { name: 'Explain the opt-in.' }));
      expect(await h1(page)).toBe('Consensus mark for Explain the opt-in.');
      expect(await page.locator('.govuk-summary-card').allInnerTexts()).toEqual([expect.stringMatching(/Evan Two[\s\S]*1 of 4/), expect.stringMatching(/Eve One[\s\S]*4 of 4/)]);
      expect(await page.locator('.govuk-inset-text .govuk-tag').innerText()).toMatch(/spread 3/i);
      await check(page, 'question, spread 3');
      await follow(page.getByRole('button', { name: 'Record the consensus mark' }));
      expect(await errorSummary()).toEqual(['Select a mark from 0 to 4', 'Enter the rationale for this mark']);
      await check(page, 'question, with errors');
      await pick('score', '3');
      await type('Rationale', 'Agreed after discussion: the DPA covers withdrawal.');
      await follow(page.getByRole('button', { name: 'Record the consensus mark' }));
      expect(await banner()).toContain('Consensus mark 3 recorded');
      await check(page, 'overview, consensus recorded');

      // The amended answer: both answers and scores on the overview, then accepted (after the error summary).
      expect(await page.locator('main').innerText()).toMatch(/As submitted\s+48 \(scores 2 of 4\)[\s\S]*As amended\s+12 \(scores 4 of 4\)/);
      await follow(page.getByRole('link', { name: 'Accept or reject the amended answer to Incident notification hours?' }));
      expect(await h1(page)).toBe('Decide the amended answer to Incident notification hours?');
      await check(page, 'amendment, pending');
      await follow(page.getByRole('button', { name: 'Record the decision' }));
      expect(await errorSummary()).toEqual(['Select whether to accept or reject the amended answer', 'Enter why the amendment is or is not a clarification of the tender']);
      await check(page, 'amendment, with errors');
      await pick('decision', 'accept');
      await type('Reason', 'States in calendar hours the figure already given; nothing new is offered.');
      await follow(page.getByRole('button', { name: 'Record the decision' }));
      expect(await banner()).toContain('Amended answer accepted');
      expect((await evaluation()).questions.find((q: { key: string }) => q.key === 'b.hours')).toMatchObject({ score: 4, amendment: { status: 'accepted' } });
      await check(page, 'overview, amendment accepted');

      // The flag the amendment raised: what the panel did is required, then recorded.
      expect(await page.locator('main').innerText()).toContain('Nothing recorded yet');
      await follow(page.getByRole('link', { name: 'Record what the panel did about flag 1' }));
      await check(page, 'integrity flag');
      await follow(page.getByRole('button', { name: 'Save what the panel did' }));
      expect(await errorSummary()).toEqual(['Enter what the panel did about the flag']);
      await check(page, 'integrity flag, with errors');
      await type('What the panel did', 'Read the clarification: a unit correction, no new offer.');
      await follow(page.getByRole('button', { name: 'Save what the panel did' }));
      expect(await banner()).toContain('What the panel did about the integrity flag has been recorded');
      expect(await page.locator('main').innerText()).toContain('Read the clarification: a unit correction, no new offer. (Recorded by Mo Derator on');

      // The pending gateway is listed first; pass it.
      const gatewayLinks = await page.locator('main ul.govuk-list a[href*="/gateways/"]').allInnerTexts();
      expect(gatewayLinks[0]).toBe('Are you certified to ISO 27001?');
      await follow(page.getByRole('link', { name: 'Are you certified to ISO 27001?' }));
      expect(await page.locator('.govuk-summary-list').innerText()).toContain('Decision needed');
      await check(page, 'gateway, pending');
      await pick('outcome', 'pass');
      await type('Reasons for the decision', 'Certificate IS 123456 checked with the certification body.');
      await follow(page.getByRole('button', { name: 'Record the decision' }));
      expect(await banner()).toContain('Gateway decision recorded: passed');

      // The other gateway, passed by its rule, is made a conditional pass: first without its details.
      await follow(page.getByRole('link', { name: 'Do you train on our data?' }));
      await check(page, 'gateway, passed by the rule');
      await pick('outcome', 'conditional');
      await type('Reasons for the decision', 'Opt-in needs a signed schedule.');
      await follow(page.getByRole('button', { name: 'Record the decision' }));
      expect(await errorSummary()).toEqual(['Enter what the supplier must do', 'Enter who owns the action', 'Enter the date the action is due']);
      expect(await page.getByLabel('Pass with conditions').isChecked()).toBe(true);
      expect(await page.getByLabel('Reasons for the decision').inputValue()).toBe('Opt-in needs a signed schedule.');
      await check(page, 'gateway, conditional with errors');
      await type('Action the supplier must take', 'Sign the DPA schedule on training data');
      await type('Owner', 'Information governance team');
      await type('Day', '31');
      await type('Month', '1');
      await type('Year', '2027');
      await follow(page.getByRole('button', { name: 'Record the decision' }));
      expect(await banner()).toContain('Gateway decision recorded: passed with conditions');
      expect(await page.locator('main').innerText()).toContain('Condition: Sign the DPA schedule on training data. Owner: Information governance team. Due 31 January 2027');
      await check(page, 'overview, nothing outstanding');
      expect((await evaluation()).gateways.find((g: { questionKey: string }) => g.questionKey === 'a.training')).toMatchObject({ outcome: 'conditional', owner: 'Information governance team', dueDate: '2027-01-31' });

      await page.goto(`${chrome.base}${overview}/overrides`);
      await check(page, 'automatic scores');
      await follow(page.getByRole('link', { name: 'Incident notification hours?' }));
      await check(page, 'override form');
      await page.goto(`${chrome.base}${overview}`);

      // A start button: a link with the button role.
      await follow(page.getByRole('button', { name: 'Finalise evaluation' }));
      expect(await h1(page)).toBe('Finalise the evaluation');
      await check(page, 'finalise, confirmation');
      await follow(page.getByRole('button', { name: 'Finalise evaluation' }));
      expect(await banner()).toContain('The evaluation has been finalised');
      await check(page, 'overview, finalised');
      expect((await evaluation()).finalisedAt).not.toBeNull();

      // The stale tab still shows the gateway form: its change is refused, and nothing changes.
      await stale.bringToFront();
      await tabTo(stale, stale.locator('input[name="outcome"]').first());
      await stale.keyboard.press('ArrowDown');
      await tabTo(stale, stale.getByLabel('Reasons for the decision'));
      await stale.keyboard.type('Changed my mind.');
      await tabTo(stale, stale.getByRole('button', { name: 'Record the decision' }));
      await pressAndLoad(stale);
      expect(await h1(stale)).toBe('Your change was not saved');
      await check(stale, 'refused after finalising');
      expect((await evaluation()).gateways.find((g: { questionKey: string }) => g.questionKey === 'a.training').outcome).toBe('conditional');

      // An evaluator is not the moderator.
      const evaluatorContext = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
      await signInWithCookie({ context: evaluatorContext, app: ctx.app, base: chrome.base, userId: e1.id });
      const evaluatorPage = await evaluatorContext.newPage();
      expect((await evaluatorPage.goto(`${chrome.base}${overview}`))?.status()).toBe(403);
      await check(evaluatorPage, 'not the moderator');
      await evaluatorContext.close();
    } finally {
      await context.close();
      await checkerContext.close();
    }
    expect(violations).toEqual([]);
  }, 300_000);
});
