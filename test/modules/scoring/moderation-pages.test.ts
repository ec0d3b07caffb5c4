import { describe, expect, it } from 'vitest';
import { useTestApp, type TestContext } from '../../helpers/app';
import { seedOrganisation } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';
import { marksSideBySide, readGatewayForm } from '../../../src/modules/scoring/moderation.models';
import { evaluatingWorld } from './evaluating-world';

/** The evaluating world with Alpha's manual question marked 4 and 1 by the evaluators (spread 3); Beta scored automatically. */
async function world(ctx: TestContext, { bothSubmit = true } = {}) {
  const w = await evaluatingWorld(ctx);
  const { call, a, e1, e2, procurementId, org } = w;
  await call('PUT', `/v1/responses/${a.responseId}/marks/a.training_detail`, e1.token, { score: 4, justification: 'Written opt-in per dataset, exemplary.' });
  await call('PUT', `/v1/responses/${a.responseId}/marks/a.training_detail`, e2.token, { score: 1, justification: 'Withdrawal of consent is not described.' });
  expect((await call('POST', `/v1/responses/${a.responseId}/marks/submit`, e1.token)).statusCode).toBe(200);
  if (bothSubmit) expect((await call('POST', `/v1/responses/${a.responseId}/marks/submit`, e2.token)).statusCode).toBe(200);
  const base = (responseId: string) => `/evaluations/${procurementId}/responses/${responseId}/moderation`;
  const evaluation = async (responseId: string) => (await call('GET', `/v1/responses/${responseId}/evaluation`, org.admin.token)).json();
  return { ...w, base, evaluation };
}

describe('moderation pages', () => {
  // supertest's jar sends no Secure cookie over http, and the flash after each change is one.
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('shows the marks side by side with the spread highlighted, names who has not submitted, and records the consensus', async () => {
    const w = await world(ctx, { bothSubmit: false });
    const agent = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    // Before declaring, the moderator is sent to the declaration.
    const undeclared = await agent.get(w.base(w.a.responseId));
    expect([undeclared.status, undeclared.headers.location]).toEqual([303, `/evaluations/${w.procurementId}/declaration`]);
    await w.declare();

    let question = readPage((await agent.get(`${w.base(w.a.responseId)}/questions/a.training_detail`)).text);
    expect(question.text).toContain('Not submitted yet: Evan Two.');
    expect(readPage((await agent.get(w.base(w.a.responseId))).text).text).toContain('Not submitted their marks yet: Evan Two.');
    expect(question.text).not.toContain('Withdrawal of consent is not described.');
    await w.call('POST', `/v1/responses/${w.a.responseId}/marks/submit`, w.e2.token);

    const overview = readPage((await agent.get(w.base(w.a.responseId))).text);
    expect(overview.h1).toEqual(['Moderate Alpha AI’s response']);
    expect(overview.text).toContain('Consensus needed');
    expect(overview.text).toContain('Marks differ by 2 or more');
    // Side by side in the evaluators' name order: Evan Two (1) before Eve One (4).
    expect(overview.text).toContain('Spread 3 (1, 4)');
    expect(overview.link('Finalise evaluation')).toBeUndefined();

    const res = await agent.get(`${w.base(w.a.responseId)}/questions/a.training_detail`);
    question = readPage(res.text);
    const cards = [...question.document.querySelectorAll('.govuk-summary-card')].map((c) => (c.textContent ?? '').replace(/\s+/g, ' '));
    expect(cards).toEqual([expect.stringMatching(/Evan Two.*Mark 1 of 4.*Withdrawal of consent/), expect.stringMatching(/Eve One.*Mark 4 of 4.*Written opt-in per dataset/)]);
    expect(question.document.querySelector('.govuk-inset-text .govuk-tag')?.textContent?.trim()).toBe('Spread 3');
    expect(question.byLabel(/^3 – Good/)?.getAttribute('value')).toBe('3');
    expect(question.text).toContain('Clear.');
    expect(question.text).toContain('Each council opts in per dataset, in writing.');

    const empty = await agent.post(`${w.base(w.a.responseId)}/questions/a.training_detail`).type('form').send({ _csrf: csrfFrom(res.text), score: '', rationale: 'Typed\u0000 so far' });
    expect(empty.status).toBe(400);
    const errorPage = readPage(empty.text);
    expect(errorPage.errorSummary()).toEqual([{ href: '#score', text: 'Select a mark from 0 to 4' }]);
    expect(errorPage.byLabel('Rationale')?.textContent).toBe('Typed so far');

    const saved = await agent.post(`${w.base(w.a.responseId)}/questions/a.training_detail`).type('form').send({ _csrf: csrfFrom(res.text), score: '3', rationale: 'Agreed after discussion: the DPA covers withdrawal.' });
    expect([saved.status, saved.headers.location]).toEqual([303, w.base(w.a.responseId)]);
    const after = readPage((await agent.get(w.base(w.a.responseId))).text);
    expect(after.text).toContain('Consensus mark 3 recorded. The evaluation has been updated.');
    expect(after.text).toContain('Consensus recorded');
    const evaluation = await w.evaluation(w.a.responseId);
    expect(evaluation.provisional).toBe(false);
    expect(evaluation.questions.find((q: { key: string }) => q.key === 'a.training_detail')).toMatchObject({ status: 'scored', score: 3 });
  });

  it('overrides an automatic score only with a rationale, and shows the override', async () => {
    const w = await world(ctx);
    await w.declare();
    const agent = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const list = readPage((await agent.get(`${w.base(w.b.responseId)}/overrides`)).text);
    const link = list.link(/Hours/i) ?? list.link(/b\.hours/);
    expect(link).toBeDefined();
    expect(list.text).toMatch(/Score: 0 of 4/);
    const form = await agent.get(link!.getAttribute('href')!);
    expect(readPage(form.text).h1[0]).toMatch(/^Override the automatic score for/);
    const missing = await agent.post(link!.getAttribute('href')!).type('form').send({ _csrf: csrfFrom(form.text), score: '2', rationale: '  ' });
    expect(readPage(missing.text).errorSummary()).toEqual([{ href: '#rationale', text: 'Enter the rationale for this mark' }]);
    expect(readPage(missing.text).byLabel(/^2 – /)?.hasAttribute('checked')).toBe(true);
    expect((await w.evaluation(w.b.responseId)).questions.find((q: { key: string }) => q.key === 'b.hours').override).toBe(false);
    const done = await agent.post(link!.getAttribute('href')!).type('form').send({ _csrf: csrfFrom(form.text), score: '2', rationale: 'Clarified: 100 calendar hours covers weekends only.' });
    expect(done.status).toBe(303);
    expect((await w.evaluation(w.b.responseId)).questions.find((q: { key: string }) => q.key === 'b.hours')).toMatchObject({ override: true, score: 2, automaticScore: 0 });
    const shown = readPage((await agent.get(`${w.base(w.b.responseId)}/overrides`)).text);
    expect(shown.text).toContain('2 of 4 (overridden; automatic score 0 of 4)');
    const audit = (await w.call('GET', `/v1/audit-events?subjectId=${w.b.responseId}&limit=100`, w.org.admin.token)).json().items.find((e: { action: string }) => e.action === 'evaluation.score_overridden');
    expect(audit.details).toMatchObject({ rationale: 'Clarified: 100 calendar hours covers weekends only.', score: 2 });
  });

  it('decides gateways: a conditional pass needs action, owner and date (errors keep what was typed), then pass and fail', async () => {
    const w = await world(ctx);
    await w.declare();
    const agent = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const url = `${w.base(w.b.responseId)}/gateways/a.training`;
    const form = await agent.get(url);
    const csrf = csrfFrom(form.text);
    const incomplete = await agent.post(url).type('form').send({ _csrf: csrf, outcome: 'conditional', rationale: 'Needs a DPA schedule.', action: 'Sign the schedule', owner: '', 'dueDate-day': '31', 'dueDate-month': '13', 'dueDate-year': '2027' });
    expect(incomplete.status).toBe(400);
    const page = readPage(incomplete.text);
    expect(page.errorSummary()).toEqual([
      { href: '#owner', text: 'Enter who owns the action' },
      { href: '#dueDate-day', text: 'The due date must be a real date, like 31 1 2027' },
    ]);
    expect(page.byLabel('Action the supplier must take')?.textContent).toBe('Sign the schedule');
    expect(page.byLabel('Month')?.getAttribute('value')).toBe('13');
    expect(page.byLabel('Pass with conditions')?.hasAttribute('checked')).toBe(true);
    expect((await w.evaluation(w.b.responseId)).gateways[0].decidedBy).toBe('rule');

    const conditional = await agent.post(url).type('form').send({ _csrf: csrf, outcome: 'conditional', rationale: 'Needs a DPA schedule.', action: 'Sign the schedule', owner: 'Information governance', 'dueDate-day': '31', 'dueDate-month': '1', 'dueDate-year': '2027' });
    expect(conditional.status).toBe(303);
    expect((await w.evaluation(w.b.responseId)).gateways[0]).toMatchObject({ outcome: 'conditional', action: 'Sign the schedule', owner: 'Information governance', dueDate: '2027-01-31' });
    const overview = readPage((await agent.get(w.base(w.b.responseId))).text);
    expect(overview.text).toContain('Condition: Sign the schedule. Owner: Information governance. Due 31 January 2027');
    const reopened = readPage((await agent.get(url)).text);
    expect(reopened.summary()).toEqual(expect.arrayContaining([{ key: 'Owner', value: 'Information governance' }, { key: 'Due', value: '31 January 2027' }]));
    expect(reopened.byLabel('Day')?.getAttribute('value')).toBe('31');

    for (const [outcome, tag] of [['pass', 'Passed'], ['fail', 'Failed']] as const) {
      expect((await agent.post(url).type('form').send({ _csrf: csrf, outcome, rationale: `Decided ${outcome}.` })).status).toBe(303);
      const g = (await w.evaluation(w.b.responseId)).gateways[0];
      expect([g.outcome, g.owner]).toEqual([outcome, undefined]);
      expect(readPage((await agent.get(url)).text).summary().slice(0, 2)).toEqual([{ key: 'The supplier’s answer', value: 'Never' }, { key: 'Now', value: tag }]);
    }
  });

  it('refuses to finalise with items outstanding, then finalises, and a stale tab’s later change gets the refusal page', async () => {
    const w = await world(ctx);
    await w.declare();
    const agent = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const confirm = readPage((await agent.get(`${w.base(w.a.responseId)}/finalise`)).text);
    expect(confirm.text).toContain('You cannot finalise the evaluation yet');
    expect(confirm.text).toContain('Explain the opt-in.');
    expect(confirm.button('Finalise evaluation')).toBeUndefined();
    // A forged POST is refused with the list, and nothing is recorded.
    const staleForm = await agent.get(`${w.base(w.a.responseId)}/questions/a.training_detail`);
    const early = await agent.post(`${w.base(w.a.responseId)}/finalise`).type('form').send({ _csrf: csrfFrom(staleForm.text) });
    expect(early.status).toBe(409);
    expect((await w.evaluation(w.a.responseId)).finalisedAt).toBeNull();

    await agent.post(`${w.base(w.a.responseId)}/questions/a.training_detail`).type('form').send({ _csrf: csrfFrom(staleForm.text), score: '3', rationale: 'Consensus.' });
    const ready = await agent.get(`${w.base(w.a.responseId)}/finalise`);
    expect(readPage(ready.text).button('Finalise evaluation')).toBeDefined();
    const finalised = await agent.post(`${w.base(w.a.responseId)}/finalise`).type('form').send({ _csrf: csrfFrom(ready.text) });
    expect(finalised.status).toBe(303);
    const overview = readPage((await agent.get(w.base(w.a.responseId))).text);
    expect(overview.text).toContain('The evaluation has been finalised.');
    expect(overview.text).toMatch(/Finalised on .* \(UK time\)/);
    expect((await w.evaluation(w.a.responseId)).finalisedAt).not.toBeNull();

    // The older tab still holds the question form: its post is refused, and the mark stays 3.
    const stale = await agent.post(`${w.base(w.a.responseId)}/questions/a.training_detail`).type('form').send({ _csrf: csrfFrom(staleForm.text), score: '1', rationale: 'Changed my mind.' });
    expect(stale.status).toBe(409);
    const refusal = readPage(stale.text);
    expect(refusal.h1).toEqual(['Your change was not saved']);
    expect(refusal.text).toContain('This evaluation has been finalised');
    expect((await w.evaluation(w.a.responseId)).questions.find((q: { key: string }) => q.key === 'a.training_detail').score).toBe(3);
    const gateway = await agent.post(`${w.base(w.a.responseId)}/gateways/a.training`).type('form').send({ _csrf: csrfFrom(staleForm.text), outcome: 'fail', rationale: 'x' });
    expect(gateway.status).toBe(409);
    // The form pages no longer offer a change.
    expect(readPage((await agent.get(`${w.base(w.a.responseId)}/gateways/a.training`)).text).button('Record the decision')).toBeUndefined();
  });

  it('keeps the pages to the moderator: another council 404, others on the staff 403, unknown ids 404, CSRF missing 403', async () => {
    const w = await world(ctx);
    await w.declare();
    const url = `${w.base(w.a.responseId)}/questions/a.training_detail`;
    const other = await seedOrganisation(ctx);
    const foreign = await signedInAgent({ app: ctx.app, userId: other.admin.id });
    expect((await foreign.get(w.base(w.a.responseId))).status).toBe(404);
    for (const userId of [w.org.admin.id, w.e1.id]) {
      const agent = await signedInAgent({ app: ctx.app, userId });
      const res = await agent.get(w.base(w.a.responseId));
      expect([res.status, readPage(res.text).h1[0]]).toEqual([403, 'Only the moderator can moderate this evaluation']);
    }
    const agent = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    for (const bad of [
      `/evaluations/not-a-uuid/responses/${w.a.responseId}/moderation`,
      `/evaluations/${w.procurementId}/responses/00000000-0000-4000-8000-000000000000/moderation`,
      `/evaluations/00000000-0000-4000-8000-000000000000/responses/${w.a.responseId}/moderation`,
      `${w.base(w.a.responseId)}/questions/no.such.question`,
      `${w.base(w.a.responseId)}/gateways/b.hours`,
    ]) expect([bad, (await agent.get(bad)).status]).toEqual([bad, 404]);
    const noCsrf = await agent.post(url).type('form').send({ score: '3', rationale: 'x' });
    expect([noCsrf.status, readPage(noCsrf.text).h1[0]]).toEqual([403, 'This page has expired']);
    expect((await w.evaluation(w.a.responseId)).provisional).toBe(true);
    const finaliseNoCsrf = await agent.post(`${w.base(w.b.responseId)}/finalise`).type('form').send({});
    expect(finaliseNoCsrf.status).toBe(403);
    expect((await w.evaluation(w.b.responseId)).finalisedAt).toBeNull();
  });
});

describe('moderation pages: amended answers and integrity flags', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  /** The world with Alpha's "b.hours", submitted as 12 (4 of 4), amended to 48 (2 of 4) in reply to a clarification; the amendment raises a flag. */
  async function amendedWorld() {
    const w = await world(ctx);
    await w.declare();
    // A minute after submission, so the amendment is after it and raises its flag.
    ctx.clock.advance(60_000);
    const asked = await w.call('POST', `/v1/responses/${w.a.responseId}/clarifications`, w.org.admin.token, { questionKey: 'b.hours', question: 'Working or calendar hours?', allowAmend: true });
    expect(asked.statusCode, asked.body).toBe(201);
    const clarificationId = asked.json().id as string;
    const replied = await w.call('POST', `/v1/supplier/response/clarifications/${clarificationId}/reply`, w.a.token, { reply: 'Working hours; 48 in calendar hours.', amendedAnswer: { value: 48 } });
    expect(replied.statusCode, replied.body).toBe(200);
    const hours = async () => (await w.evaluation(w.a.responseId)).questions.find((q: { key: string }) => q.key === 'b.hours');
    const flags = async () => (await w.call('GET', `/v1/responses/${w.a.responseId}/integrity-flags`, w.org.admin.token)).json().flags as Array<{ id: string; rule: string; action: { text: string } | null }>;
    return { ...w, clarificationId, hours, flags, amendmentUrl: `${w.base(w.a.responseId)}/amendments/${clarificationId}` };
  }

  it('lists the amended answer with both answers and scores, and the moderator accepts it with a reason (errors keep what was typed)', async () => {
    const w = await amendedWorld();
    const agent = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const overview = readPage((await agent.get(w.base(w.a.responseId))).text);
    const card = [...overview.document.querySelectorAll('.govuk-summary-card')].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ')).find((t) => t.includes('Incident notification hours?'));
    expect(card).toMatch(/Decision needed.*As submitted 12 \(scores 4 of 4\).*As amended 48 \(scores 2 of 4\)/);
    // Pending, it is outstanding and keeps the evaluation from being finalised.
    expect(overview.text).toContain('Question "Incident notification hours?": an amended answer awaits the moderator’s decision.');
    const link = overview.link(/^Accept or reject/);
    expect(link?.getAttribute('href')).toBe(w.amendmentUrl);

    const form = await agent.get(w.amendmentUrl);
    expect(form.status).toBe(200);
    const formPage = readPage(form.text);
    expect(formPage.h1).toEqual(['Decide the amended answer to Incident notification hours?']);
    expect(formPage.text).toContain('Reply: Working hours; 48 in calendar hours.');
    const csrf = csrfFrom(form.text);

    const noDecision = await agent.post(w.amendmentUrl).type('form').send({ _csrf: csrf, decision: '', reason: 'Typed\u0000 so far' });
    expect(noDecision.status).toBe(400);
    expect(readPage(noDecision.text).errorSummary()).toEqual([{ href: '#decision', text: 'Select whether to accept or reject the amended answer' }]);
    expect(readPage(noDecision.text).byLabel('Reason')?.textContent).toBe('Typed so far');
    const noReason = await agent.post(w.amendmentUrl).type('form').send({ _csrf: csrf, decision: 'accept', reason: '   ' });
    expect(noReason.status).toBe(400);
    expect(readPage(noReason.text).errorSummary()).toEqual([{ href: '#reason', text: 'Enter why the amendment is or is not a clarification of the tender' }]);
    expect(readPage(noReason.text).byLabel(/^Accept/)?.hasAttribute('checked')).toBe(true);
    expect((await w.hours()).amendment.status).toBe('pending');

    const saved = await agent.post(w.amendmentUrl).type('form').send({ _csrf: csrf, decision: 'accept', reason: 'States in calendar hours the figure already given.' });
    expect([saved.status, saved.headers.location]).toEqual([303, w.base(w.a.responseId)]);
    expect(await w.hours()).toMatchObject({ score: 2, amendment: { status: 'accepted', decidedBy: w.moderator.id, reason: 'States in calendar hours the figure already given.' } });
    const after = readPage((await agent.get(w.base(w.a.responseId))).text);
    expect(after.text).toContain('Amended answer accepted: it now counts. The evaluation has been updated.');
    expect(after.text).toContain('Accepted by Mo Derator: States in calendar hours the figure already given.');
    expect(after.text).not.toContain('an amended answer awaits');
    expect(after.link(/^Accept or reject/)).toBeUndefined();
    expect(readPage((await agent.get(w.amendmentUrl)).text).button('Record the decision')).toBeUndefined();

    // A stale tab's second decision is refused, and the first stands.
    const again = await agent.post(w.amendmentUrl).type('form').send({ _csrf: csrf, decision: 'reject', reason: 'Changed my mind.' });
    expect(again.status).toBe(409);
    expect(readPage(again.text).h1).toEqual(['Your change was not saved']);
    expect(readPage(again.text).text).toContain('This amended answer has already been accepted or rejected');
    expect((await w.hours()).amendment.status).toBe('accepted');
  });

  it('keeps the amendment page to the moderator: CSRF missing 403, another council 404, others on the staff 403, unknown ids 404', async () => {
    const w = await amendedWorld();
    const agent = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const noCsrf = await agent.post(w.amendmentUrl).type('form').send({ decision: 'reject', reason: 'No.' });
    expect([noCsrf.status, readPage(noCsrf.text).h1[0]]).toEqual([403, 'This page has expired']);
    const csrf = csrfFrom((await agent.get('/sign-out')).text);
    for (const bad of [`${w.base(w.a.responseId)}/amendments/00000000-0000-4000-8000-000000000000`, `${w.base(w.a.responseId)}/amendments/not-a-uuid`, `${w.base(w.b.responseId)}/amendments/${w.clarificationId}`]) {
      expect([bad, (await agent.get(bad)).status]).toEqual([bad, 404]);
      expect([bad, (await agent.post(bad).type('form').send({ _csrf: csrf, decision: 'reject', reason: 'No.' })).status]).toEqual([bad, 404]);
    }
    const other = await seedOrganisation(ctx);
    const foreign = await signedInAgent({ app: ctx.app, userId: other.admin.id });
    expect((await foreign.get(w.amendmentUrl)).status).toBe(404);
    expect((await foreign.post(w.amendmentUrl).type('form').send({ _csrf: csrfFrom((await foreign.get('/sign-out')).text), decision: 'reject', reason: 'No.' })).status).toBe(404);
    for (const userId of [w.org.admin.id, w.e1.id]) {
      const staffAgent = await signedInAgent({ app: ctx.app, userId });
      const res = await staffAgent.get(w.amendmentUrl);
      expect([res.status, readPage(res.text).h1[0]]).toEqual([403, 'Only the moderator can moderate this evaluation']);
      const post = await staffAgent.post(w.amendmentUrl).type('form').send({ _csrf: csrfFrom((await staffAgent.get('/sign-out')).text), decision: 'reject', reason: 'No.' });
      expect(post.status).toBe(403);
    }
    expect((await w.hours()).amendment.status).toBe('pending');
  });

  it('lists each integrity flag with its rule, and records what the panel did (required), only for the moderator', async () => {
    const w = await amendedWorld();
    const [flag] = await w.flags();
    expect(flag!.rule).toBe('amended_after_submission');
    const flagUrl = `${w.base(w.a.responseId)}/flags/${encodeURIComponent(flag!.id)}`;
    const agent = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const overview = readPage((await agent.get(w.base(w.a.responseId))).text);
    expect(overview.summary()).toEqual(expect.arrayContaining([{ key: 'Rule', value: 'An answer was amended after the response was submitted.' }, { key: 'What the panel did', value: 'Nothing recorded yet' }]));
    expect(overview.link(/^Record what the panel did/)?.getAttribute('href')).toBe(flagUrl);

    const form = await agent.get(flagUrl);
    expect(form.status).toBe(200);
    expect(readPage(form.text).summary()[1]).toEqual({ key: 'Rule', value: 'An answer was amended after the response was submitted.' });
    const csrf = csrfFrom(form.text);
    const empty = await agent.post(flagUrl).type('form').send({ _csrf: csrf, action: ' \r\n ' });
    expect(empty.status).toBe(400);
    expect(readPage(empty.text).errorSummary()).toEqual([{ href: '#action', text: 'Enter what the panel did about the flag' }]);

    // Refusals first: nothing is saved by any of them.
    const noCsrf = await agent.post(flagUrl).type('form').send({ action: 'Forged.' });
    expect([noCsrf.status, readPage(noCsrf.text).h1[0]]).toEqual([403, 'This page has expired']);
    for (const bad of [`${w.base(w.a.responseId)}/flags/${encodeURIComponent('evidence_reused:0000')}`, `${w.base(w.b.responseId)}/flags/${encodeURIComponent(flag!.id)}`, `${w.base(w.a.responseId)}/flags/no-such-flag`]) {
      expect([bad, (await agent.get(bad)).status]).toEqual([bad, 404]);
      expect([bad, (await agent.post(bad).type('form').send({ _csrf: csrf, action: 'Noted.' })).status]).toEqual([bad, 404]);
    }
    const other = await seedOrganisation(ctx);
    const foreign = await signedInAgent({ app: ctx.app, userId: other.admin.id });
    expect((await foreign.get(flagUrl)).status).toBe(404);
    expect((await foreign.post(flagUrl).type('form').send({ _csrf: csrfFrom((await foreign.get('/sign-out')).text), action: 'Foreign.' })).status).toBe(404);
    for (const userId of [w.org.admin.id, w.e1.id]) {
      const staffAgent = await signedInAgent({ app: ctx.app, userId });
      const res = await staffAgent.get(flagUrl);
      expect([res.status, readPage(res.text).h1[0]]).toEqual([403, 'Only the moderator can moderate this evaluation']);
      expect((await staffAgent.post(flagUrl).type('form').send({ _csrf: csrfFrom((await staffAgent.get('/sign-out')).text), action: 'Not mine to say.' })).status).toBe(403);
    }
    expect((await w.flags())[0]!.action).toBeNull();

    const saved = await agent.post(flagUrl).type('form').send({ _csrf: csrf, action: 'Read the clarification: a unit correction, no new offer.' });
    expect([saved.status, saved.headers.location]).toEqual([303, w.base(w.a.responseId)]);
    expect((await w.flags())[0]!.action).toMatchObject({ text: 'Read the clarification: a unit correction, no new offer.' });
    const after = readPage((await agent.get(w.base(w.a.responseId))).text);
    expect(after.text).toContain('What the panel did about the integrity flag has been recorded.');
    expect(after.summary().find((r) => r.key === 'What the panel did')?.value).toMatch(/^Read the clarification: a unit correction, no new offer\. \(Recorded by Mo Derator on .* \(UK time\)\)$/);
    expect(after.link(/^Change what the panel did/)).toBeDefined();
    // The form opens on what was recorded.
    expect(readPage((await agent.get(flagUrl)).text).byLabel('What the panel did')?.textContent).toBe('Read the clarification: a unit correction, no new offer.');
  });
});

describe('moderation view models', () => {
  const conditional = { outcome: 'conditional', rationale: 'Why.', action: 'Do it', owner: 'IG team' };
  it.each([
    ['a real date', { 'dueDate-day': '31', 'dueDate-month': '1', 'dueDate-year': '2027' }, '2027-01-31', []],
    ['a leap day in a leap year', { 'dueDate-day': '29', 'dueDate-month': '2', 'dueDate-year': '2028' }, '2028-02-29', []],
    ['29 February in a common year', { 'dueDate-day': '29', 'dueDate-month': '2', 'dueDate-year': '2027' }, undefined, ['#dueDate-day']],
    ['no date at all', {}, undefined, ['#dueDate-day']],
    ['a two-digit year', { 'dueDate-day': '1', 'dueDate-month': '2', 'dueDate-year': '27' }, undefined, ['#dueDate-day']],
  ])('a conditional pass with %s', (_name, date, dueDate, errors) => {
    const read = readGatewayForm({ ...conditional, ...date });
    expect(read.errors.map((e) => e.href)).toEqual(errors);
    expect(read.input?.dueDate).toBe(dueDate);
  });

  it('a pass or a fail needs no condition, and drops one typed before the outcome changed', () => {
    expect(readGatewayForm({ outcome: 'pass', rationale: 'Fine.', action: 'Left over', owner: 'Someone' }).input).toEqual({ outcome: 'pass', rationale: 'Fine.' });
    expect(readGatewayForm({ outcome: 'maybe', rationale: '' }).errors.map((e) => e.href)).toEqual(['#outcome', '#rationale']);
  });

  it('counts only submitted marks in the spread, and names who has not submitted', () => {
    const mark = (evaluatorId: string, score: number) => ({ questionKey: 'q', evaluatorId, score, justification: `${evaluatorId} says ${score}`, updatedAt: '2026-12-01T00:00:00.000Z' });
    const names = new Map([['e1', 'Ann'], ['e2', 'Bo'], ['e3', 'Cy']]);
    const side = marksSideBySide({ questionKey: 'q', marks: [mark('e1', 1), mark('e2', 2), mark('e3', 4)], evaluatorIds: ['e1', 'e2', 'e3'], submittedBy: ['e1', 'e2'], names });
    expect(side).toMatchObject({ spread: 1, highSpread: false, notSubmitted: ['Cy'] });
    expect(side.rows.map((r) => r.evaluator)).toEqual(['Ann', 'Bo']);
    expect(marksSideBySide({ questionKey: 'q', marks: [mark('e1', 1), mark('e3', 3)], evaluatorIds: ['e1', 'e3'], submittedBy: ['e1', 'e3'], names })).toMatchObject({ spread: 2, highSpread: true, notSubmitted: [] });
    expect(marksSideBySide({ questionKey: 'q', marks: [mark('e1', 1)], evaluatorIds: ['e1'], submittedBy: ['e1'], names }).spread).toBeNull();
  });
});
