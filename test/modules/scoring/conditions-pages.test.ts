import { describe, expect, it } from 'vitest';
import { useTestApp, type TestContext } from '../../helpers/app';
import { seedOrganisation, seedUser } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';
import { conditionsCountWords, ratingWords, readConditionForm, readDueDate, registerCards } from '../../../src/modules/scoring/conditions.pages.models';
import { evaluatingWorld } from './evaluating-world';

/**
 * The console's conditions register and condition pages, over HTTP with a signed-in agent. Beta
 * Bots (scored automatically, high tier) raises `residual_risk:a`: section A is critical and at the
 * high tier carries at least medium residual risk.
 */

type ConditionJson = { id: string; number: number; status: string; owner: string | null; dueDate: string | null; reason: string | null; version: number; updatedBy: string | null };

async function world(ctx: TestContext) {
  const w = await evaluatingWorld(ctx);
  expect((await w.declare()).statusCode).toBe(201);
  const register = `/procurements/${w.procurementId}/responses/${w.b.responseId}/conditions`;
  const conditionUrl = `${register}/${encodeURIComponent('residual_risk:a')}`;
  const list = async () => {
    const res = await w.call('GET', `/v1/responses/${w.b.responseId}/conditions`, w.org.admin.token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().conditions as ConditionJson[];
  };
  const residual = async () => (await list()).find((c) => c.id === 'residual_risk:a')!;
  return { ...w, register, conditionUrl, list, residual };
}

const cardTexts = (page: ReturnType<typeof readPage>) => [...page.document.querySelectorAll('.govuk-summary-card')].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim());

describe('the console’s conditions pages', () => {
  // supertest's jar sends no Secure cookie over http, and the flash after each change is one.
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('lists the numbered register with the rating, each condition linked to its page, and is linked from the results and the moderation overview', async () => {
    const w = await world(ctx);
    const conditions = await w.list();
    expect(conditions.length).toBeGreaterThan(0);
    const agent = await signedInAgent({ app: ctx.app, userId: w.org.admin.id });

    const results = readPage((await agent.get(`/procurements/${w.procurementId}/results`)).text);
    const link = results.link(`Conditions for Beta Bots (${conditions.length} open)`);
    expect(link?.getAttribute('href')).toBe(w.register);

    const evaluation = (await w.call('GET', `/v1/responses/${w.b.responseId}/evaluation`, w.org.admin.token)).json();
    const res = await agent.get(w.register);
    expect(res.status).toBe(200);
    const page = readPage(res.text);
    expect(page.h1).toEqual(['Conditions for Beta Bots']);
    expect(page.summary().slice(0, 2)).toEqual([
      { key: 'Rating', value: ratingWords(evaluation) },
      { key: 'Conditions', value: `${conditions.length} ${conditions.length === 1 ? 'condition' : 'conditions'}, ${conditions.length} open` },
    ]);
    const cards = cardTexts(page);
    expect(cards.map((c) => c.match(/^Condition \d+/)?.[0])).toEqual(conditions.map((c) => `Condition ${c.number}`));
    const residual = conditions.find((c) => c.id === 'residual_risk:a')!;
    expect(cards[residual.number - 1]).toMatch(/Raised by Medium or high residual risk in a critical section Owner Not set Due Not set Status Open Last changed Not changed since the evaluation raised it/);
    expect(page.link(`Change (Condition ${residual.number})`)?.getAttribute('href')).toBe(w.conditionUrl);

    // The moderator reaches it from the moderation overview.
    const moderator = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const overview = readPage((await moderator.get(`/evaluations/${w.procurementId}/responses/${w.b.responseId}/moderation`)).text);
    expect(overview.link('See the conditions register')?.getAttribute('href')).toBe(w.register);
    expect((await moderator.get(w.register)).status).toBe(200);
  });

  it('marks a condition met with how, its owner and due date, then shows it in the register with a success banner', async () => {
    const w = await world(ctx);
    const agent = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const form = await agent.get(w.conditionUrl);
    expect(form.status).toBe(200);
    const formPage = readPage(form.text);
    expect(formPage.byLabel('Open')?.hasAttribute('checked')).toBe(true);
    expect(formPage.document.querySelector('input[name="version"]')?.getAttribute('value')).toBe('0');
    ctx.clock.advance(60_000);
    const saved = await agent.post(w.conditionUrl).type('form').send({
      ...formPage.formValues(),
      status: 'met',
      metReason: 'Quarterly review agreed in the contract.',
      reason: 'Typed under waived, then changed my mind',
      owner: 'Head of digital',
      'dueDate-day': '1',
      'dueDate-month': '3',
      'dueDate-year': '2027',
    });
    expect([saved.status, saved.headers.location]).toEqual([303, w.register]);
    expect(await w.residual()).toMatchObject({ status: 'met', owner: 'Head of digital', dueDate: '2027-03-01', reason: 'Quarterly review agreed in the contract.', version: 1, updatedBy: w.moderator.id });

    const page = readPage((await agent.get(w.register)).text);
    const number = (await w.residual()).number;
    expect(page.text).toContain(`Condition ${number} saved: it is met.`);
    expect(cardTexts(page)[number - 1]).toMatch(
      /Owner Head of digital Due 1 March 2027 Status Met How it was met Quarterly review agreed in the contract\. Last changed Mo Derator, .* \(UK time\)/,
    );
    // The form reopens on what was recorded.
    const reopened = readPage((await agent.get(w.conditionUrl)).text);
    expect(reopened.byLabel('Met')?.hasAttribute('checked')).toBe(true);
    expect(reopened.byLabel('How it was met (optional)')?.textContent).toBe('Quarterly review agreed in the contract.');
    expect(reopened.byLabel('Month')?.getAttribute('value')).toBe('3');
    expect(reopened.document.querySelector('input[name="version"]')?.getAttribute('value')).toBe('1');
  });

  it('refuses a waiver without a reason and a due date that is not a real date, keeping what was typed and saving nothing', async () => {
    const w = await world(ctx);
    const agent = await signedInAgent({ app: ctx.app, userId: w.org.admin.id });
    const form = await agent.get(w.conditionUrl);
    const values = readPage(form.text).formValues();

    const noReason = await agent.post(w.conditionUrl).type('form').send({ ...values, status: 'waived', reason: ' \r\n ', owner: 'Board' });
    expect(noReason.status).toBe(400);
    const noReasonPage = readPage(noReason.text);
    expect(noReasonPage.title).toMatch(/^Error: /);
    expect(noReasonPage.errorSummary()).toEqual([{ href: '#reason', text: 'Enter why the council waives this condition' }]);
    expect(noReasonPage.inlineErrors()).toEqual(['Error: Enter why the council waives this condition']);
    expect(noReasonPage.byLabel('Waived')?.hasAttribute('checked')).toBe(true);
    expect(noReasonPage.byLabel('Owner')?.getAttribute('value')).toBe('Board');

    const badDate = await agent.post(w.conditionUrl).type('form').send({ ...values, status: 'met', 'dueDate-day': '31', 'dueDate-month': '2', 'dueDate-year': '2027' });
    expect(badDate.status).toBe(400);
    const badDatePage = readPage(badDate.text);
    expect(badDatePage.errorSummary()).toEqual([{ href: '#dueDate-day', text: 'Due date must be a real date' }]);
    expect(badDatePage.byLabel('Day')?.getAttribute('value')).toBe('31');

    const noMonth = await agent.post(w.conditionUrl).type('form').send({ ...values, status: 'met', 'dueDate-day': '3', 'dueDate-month': '', 'dueDate-year': '2027' });
    const noMonthPage = readPage(noMonth.text);
    expect(noMonthPage.errorSummary()).toEqual([{ href: '#dueDate-month', text: 'Due date must include a month' }]);
    // Only the part at fault is marked.
    expect([...noMonthPage.document.querySelectorAll('.govuk-date-input .govuk-input--error')].map((i) => i.getAttribute('name'))).toEqual(['dueDate-month']);

    expect(await w.residual()).toMatchObject({ status: 'open', version: 0, owner: null, reason: null });
  });

  it('keeps the first of two tabs’ changes: the second is shown what was recorded, keeps what it typed, and saves nothing until sent again', async () => {
    const w = await world(ctx);
    const first = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const second = await signedInAgent({ app: ctx.app, userId: w.org.admin.id });
    const firstForm = readPage((await first.get(w.conditionUrl)).text);
    const secondForm = readPage((await second.get(w.conditionUrl)).text);

    ctx.clock.advance(60_000);
    const kept = await first.post(w.conditionUrl).type('form').send({ ...firstForm.formValues(), status: 'met', metReason: 'Controls in the contract.', owner: 'Head of digital' });
    expect(kept.status).toBe(303);

    const stale = await second.post(w.conditionUrl).type('form').send({ ...secondForm.formValues(), status: 'waived', reason: 'Accepted by the board.', owner: 'Board' });
    expect(stale.status).toBe(409);
    const page = readPage(stale.text);
    expect(page.text).toContain('Your changes were not saved: someone else changed this condition after you opened it');
    expect(page.text).toMatch(/Last changed by Mo Derator, .* \(UK time\)\. What they recorded is shown below and has been kept\./);
    expect(page.summary()).toEqual(expect.arrayContaining([{ key: 'Status', value: 'Met' }, { key: 'Owner', value: 'Head of digital' }, { key: 'How it was met', value: 'Controls in the contract.' }]));
    // What the second tab typed is still in its form, now at the version stored.
    expect(page.byLabel('Waived')?.hasAttribute('checked')).toBe(true);
    expect(page.byLabel('Why the council waives this condition')?.textContent).toBe('Accepted by the board.');
    expect(page.byLabel('Owner')?.getAttribute('value')).toBe('Board');
    expect(page.document.querySelector('input[name="version"]')?.getAttribute('value')).toBe('1');
    expect(await w.residual()).toMatchObject({ status: 'met', owner: 'Head of digital', reason: 'Controls in the contract.', version: 1, updatedBy: w.moderator.id });

    // Sent again, knowingly, it replaces the first.
    const again = await second.post(w.conditionUrl).type('form').send(page.formValues());
    expect(again.status).toBe(303);
    expect(await w.residual()).toMatchObject({ status: 'waived', owner: 'Board', reason: 'Accepted by the board.', version: 2, updatedBy: w.org.admin.id });
  });

  it('keeps the pages to the council: another council 404, an evaluator who is not the moderator 403, a viewer reads only, unknown ids 404, CSRF missing 403', async () => {
    const w = await world(ctx);
    const moderator = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    const csrf = csrfFrom((await moderator.get(w.conditionUrl)).text);

    const other = await seedOrganisation(ctx);
    const foreign = await signedInAgent({ app: ctx.app, userId: other.admin.id });
    expect((await foreign.get(w.register)).status).toBe(404);
    expect((await foreign.get(w.conditionUrl)).status).toBe(404);
    expect((await foreign.post(w.conditionUrl).type('form').send({ _csrf: csrfFrom((await foreign.get('/sign-out')).text), status: 'met', version: '0' })).status).toBe(404);

    const evaluator = await signedInAgent({ app: ctx.app, userId: w.e1.id });
    for (const url of [w.register, w.conditionUrl]) {
      const res = await evaluator.get(url);
      expect([url, res.status]).toEqual([url, 403]);
    }
    const evaluatorPost = await evaluator.post(w.conditionUrl).type('form').send({ _csrf: csrfFrom((await evaluator.get('/sign-out')).text), status: 'met', version: '0' });
    expect(evaluatorPost.status).toBe(403);

    const viewer = await seedUser(ctx, w.org, { role: 'viewer', name: 'Vic Viewer' });
    const viewerAgent = await signedInAgent({ app: ctx.app, userId: viewer.id });
    const read = readPage((await viewerAgent.get(w.register)).text);
    expect(read.h1).toEqual(['Conditions for Beta Bots']);
    expect(read.link(/^Change/)).toBeUndefined();
    const viewerForm = await viewerAgent.get(w.conditionUrl);
    expect([viewerForm.status, readPage(viewerForm.text).h1[0]]).toEqual([403, 'Only officers and the moderator can change conditions']);
    expect((await viewerAgent.post(w.conditionUrl).type('form').send({ _csrf: csrfFrom((await viewerAgent.get('/sign-out')).text), status: 'met', version: '0' })).status).toBe(403);

    for (const bad of [
      `/procurements/${w.procurementId}/responses/${w.b.responseId}/conditions/${encodeURIComponent('gateway:nowhere')}`,
      `/procurements/00000000-0000-4000-8000-000000000000/responses/${w.b.responseId}/conditions`,
      `/procurements/${w.procurementId}/responses/00000000-0000-4000-8000-000000000000/conditions`,
      `/procurements/not-a-uuid/responses/${w.b.responseId}/conditions`,
    ]) {
      expect([bad, (await moderator.get(bad)).status]).toEqual([bad, 404]);
    }
    const unknownPost = await moderator.post(`${w.register}/${encodeURIComponent('gateway:nowhere')}`).type('form').send({ _csrf: csrf, status: 'met', version: '0' });
    expect(unknownPost.status).toBe(404);

    const noCsrf = await moderator.post(w.conditionUrl).type('form').send({ status: 'met', version: '0' });
    expect([noCsrf.status, readPage(noCsrf.text).h1[0]]).toEqual([403, 'This page has expired']);
    expect(await w.residual()).toMatchObject({ status: 'open', version: 0 });
  });
});

describe('conditions page view models', () => {
  it.each([
    ['nothing, which clears it', { day: '', month: '', year: '' }, null, null],
    ['a real date', { day: '31', month: '1', year: '2027' }, '2027-01-31', null],
    ['a leap day in a leap year', { day: '29', month: '2', year: '2028' }, '2028-02-29', null],
    ['29 February in a common year', { day: '29', month: '2', year: '2027' }, null, { text: 'Due date must be a real date', parts: ['day', 'month', 'year'] }],
    ['no month', { day: '3', month: '', year: '2027' }, null, { text: 'Due date must include a month', parts: ['month'] }],
    ['no day and no year', { day: '', month: '3', year: '' }, null, { text: 'Due date must include a day and year', parts: ['day', 'year'] }],
    ['letters for the month', { day: '3', month: 'March', year: '2027' }, null, { text: 'Due date must be a real date', parts: ['month'] }],
    ['a two-digit year', { day: '3', month: '3', year: '27' }, null, { text: 'Year must include 4 numbers', parts: ['year'] }],
    ['month 13', { day: '1', month: '13', year: '2027' }, null, { text: 'Due date must be a real date', parts: ['day', 'month', 'year'] }],
  ])('a due date of %s', (_name, typed, dueDate, problem) => {
    expect(readDueDate(typed)).toEqual({ dueDate, problem });
  });

  it('needs a reason only to waive, drops a reason typed under the other status, and clears an emptied owner', () => {
    expect(readConditionForm({ status: 'waived', reason: '', version: '2' }).errors).toEqual([{ href: '#reason', text: 'Enter why the council waives this condition' }]);
    expect(readConditionForm({ status: 'met', reason: 'Left over', metReason: '', owner: '', version: '2' }).input).toEqual({ status: 'met', reason: null, owner: null, dueDate: null, version: 2 });
    expect(readConditionForm({ status: 'open', reason: 'x', metReason: 'y', owner: 'IG', version: '0' }).input).toMatchObject({ status: 'open', reason: null, owner: 'IG' });
    expect(readConditionForm({ status: 'maybe', version: '0' }).errors.map((e) => e.href)).toEqual(['#status']);
    // A page that lost its version is treated as stale, never as the current one.
    expect(readConditionForm({ status: 'open' }).input?.version).toBe(-1);
  });

  it('says "No conditions" for an empty register, and links cards only for who may change them', () => {
    expect(conditionsCountWords({ total: 0, open: 0 })).toBe('No conditions');
    expect(ratingWords({ rating: 'acceptable_with_conditions', overallScore: 72.45 })).toBe('Acceptable with conditions (score 72.5 out of 100)');
    expect(conditionsCountWords({ total: 2, open: 1 })).toBe('2 conditions, 1 open');
    expect(registerCards({ base: '/b', conditions: [], names: new Map(), mayChange: true })).toEqual([]);
    const condition = {
      id: 'gateway:a.x',
      source: 'gateway' as const,
      ref: '1.1',
      questionKey: 'a.x',
      sectionKey: 'a',
      text: 'Sign the DPA',
      owner: 'IG',
      dueDate: '2027-01-31',
      number: 1,
      status: 'waived' as const,
      reason: 'Board.',
      updatedBy: 'u1',
      updatedAt: '2026-12-01T10:00:00.000Z',
      version: 1,
    };
    const [card] = registerCards({ base: '/b', conditions: [condition], names: new Map([['u1', 'Ann']]), mayChange: true });
    expect(card!.href).toBe('/b/gateway%3Aa.x');
    expect(card!.rows.map((r) => r.key.text)).toEqual(['Condition', 'Raised by', 'Owner', 'Due', 'Status', 'Why it was waived', 'Last changed']);
    expect(card!.rows.at(-1)!.value).toEqual({ text: 'Ann, 1 December 2026, 10:00 (UK time)' });
    expect(registerCards({ base: '/b', conditions: [condition], names: new Map(), mayChange: false })[0]!.href).toBeNull();
  });
});
