import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { queryRows } from '../../../src/platform/db';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../../helpers/factories';
import { readPage, webAgent } from '../../helpers/web';
import { evidenceDefinition } from '../questionnaires/fixtures';

/**
 * The supplier web form never loses what a supplier typed, and never says "saved" unless it was:
 * two tabs on one section, the link opened twice, a session that ends while a page is open, the
 * comment box, text typed before an upload, follow-ups, "Change" from check answers, and error
 * messages that name their question. Each test here failed before the fix it covers.
 */

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

/** The evidence questionnaire with references, a unit, a comment-box question and an optional note beside the choice. */
function definition(): QuestionnaireDefinitionInput {
  const d = evidenceDefinition();
  const [a, b] = d.sections as Array<{ questions: Array<Record<string, unknown>> } & Record<string, unknown>>;
  a!.ref = '1';
  a!.questions[0] = { ...a!.questions[0], ref: '1.1', guidance: 'If you train on it in some other way, explain in the comment box.' };
  // An `in` condition: the follow-up is not nested inside the choice, so it appears only after saving.
  a!.questions[1] = { ...a!.questions[1], ref: '1.3', showIf: { in: { question: 'a.training', values: ['opt_in'] } } };
  a!.questions.splice(1, 0, { key: 'a.notes', ref: '1.2', text: 'Who is your data protection officer?', guidance: 'Their name.', type: 'short_text', required: false, scoring: { method: 'none' }, riskAreas: ['data'], sources: ['LGA'] });
  b!.ref = '2';
  b!.questions[0] = { ...b!.questions[0], ref: '2.1', limits: { min: 0, max: 1000, unit: 'hours' } };
  b!.questions[1] = { ...b!.questions[1], ref: '2.2' };
  b!.questions.push({ key: 'b.staff', ref: '2.3', text: 'How many security staff do you have?', guidance: 'Full-time equivalent.', type: 'number', required: false, limits: { min: 0, integer: true }, scoring: { method: 'none' }, riskAreas: ['other'], sources: ['NCSC'] });
  return d;
}

async function invited(ctx: TestContext) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: definition(), triage, title: 'Council tax chatbot' });
  const invitation = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
  return { org, procurementId, invitation };
}

const answersOf = async (ctx: TestContext, token: string) => (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(token) })).json().answers as Record<string, { value: unknown; comment: string | null }>;

describe('the supplier web form keeps every word', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  describe('two tabs on one section', () => {
    it('keeps both answers when each tab changed a different question', async () => {
      const { invitation } = await invited(ctx);
      const web = webAgent(ctx.app);
      await web.get(`/respond/${invitation.token}`);
      const tab1 = readPage((await web.get('/respond/sections/a')).body);
      const tab2 = readPage((await web.get('/respond/sections/a')).body);

      expect((await web.post('/respond/sections/a', { ...tab1.formValues(), 'a.training': 'never', action: 'later' })).statusCode).toBe(303);
      // Tab 2 was rendered before 1.1 was answered: its blank 1.1 is not a request to clear it.
      const second = await web.post('/respond/sections/a', { ...tab2.formValues(), 'a.notes': 'Dana Data', action: 'later' });

      const answers = await answersOf(ctx, invitation.token);
      expect(answers['a.training']?.value).toBe('never');
      expect(answers['a.notes']?.value).toBe('Dana Data');
      expect([second.statusCode, second.headers.location]).toEqual([303, '/respond?saved=a']);
    });

    it('shows both values when both tabs changed the same answer, overwrites nothing, and lets the supplier choose', async () => {
      const { invitation } = await invited(ctx);
      const web = webAgent(ctx.app);
      await web.get(`/respond/${invitation.token}`);
      const tab1 = readPage((await web.get('/respond/sections/a')).body);
      const tab2 = readPage((await web.get('/respond/sections/a')).body);
      await web.post('/respond/sections/a', { ...tab1.formValues(), 'a.notes': 'Dana Data', action: 'later' });

      const clash = await web.post('/respond/sections/a', { ...tab2.formValues(), 'a.notes': 'Sam Secure', action: 'later' });
      expect(clash.statusCode).toBe(409);
      let page = readPage(clash.body);
      expect(page.errorSummary()).toEqual([{ href: '#a.notes--keep', text: 'This answer was changed by someone else since you opened the page: question 1.2' }]);
      expect(page.text).toContain('Nothing on this page has been saved yet.');
      expect(page.text).toContain('The answer saved by someone elseDana Data');
      expect(page.byLabel(/^1\.2 Who is your data protection officer\?/)?.getAttribute('value')).toBe('Sam Secure');
      expect((await answersOf(ctx, invitation.token))['a.notes']?.value).toBe('Dana Data');

      // Saving again without choosing asks again, and still writes nothing.
      const unchosen = await web.post('/respond/sections/a', { ...page.formValues(), action: 'later' });
      expect(unchosen.statusCode).toBe(400);
      expect(readPage(unchosen.body).errorSummary()).toEqual([{ href: '#a.notes--keep', text: 'Choose which answer to keep for question 1.2' }]);
      expect((await answersOf(ctx, invitation.token))['a.notes']?.value).toBe('Dana Data');

      // Choosing "mine" replaces it; nothing else on the page changed.
      page = readPage(unchosen.body);
      const chosen = await web.post('/respond/sections/a', { ...page.formValues(), 'a.notes--keep': 'mine', action: 'later' });
      expect(chosen.statusCode).toBe(303);
      const answers = await answersOf(ctx, invitation.token);
      expect(answers['a.notes']?.value).toBe('Sam Secure');
      expect(answers['a.training']).toBeUndefined();
    });

    it('keeps the other answer when the supplier chooses theirs, and clears only what this page had filled', async () => {
      const { invitation } = await invited(ctx);
      const web = webAgent(ctx.app);
      await web.get(`/respond/${invitation.token}`);
      let page = readPage((await web.get('/respond/sections/a')).body);
      await web.post('/respond/sections/a', { ...page.formValues(), 'a.notes': 'Dana Data', action: 'later' });
      const tab1 = readPage((await web.get('/respond/sections/a')).body);
      const tab2 = readPage((await web.get('/respond/sections/a')).body);
      await web.post('/respond/sections/a', { ...tab1.formValues(), 'a.notes': 'Sam Secure', action: 'later' });

      // Tab 2 empties the field it saw filled with Dana Data: someone changed it since, so it asks.
      page = readPage((await web.post('/respond/sections/a', { ...tab2.formValues(), 'a.notes': '', action: 'later' })).body);
      expect(page.errorSummary().map((e) => e.href)).toEqual(['#a.notes--keep']);
      expect((await web.post('/respond/sections/a', { ...page.formValues(), 'a.notes--keep': 'theirs', action: 'later' })).statusCode).toBe(303);
      expect((await answersOf(ctx, invitation.token))['a.notes']?.value).toBe('Sam Secure');

      // Emptying a field this page saw filled, with nobody else involved, clears it.
      page = readPage((await web.get('/respond/sections/a')).body);
      await web.post('/respond/sections/a', { ...page.formValues(), 'a.notes': '', action: 'later' });
      expect((await answersOf(ctx, invitation.token))['a.notes']).toBeUndefined();
    });
  });

  describe('the link opened more than once', () => {
    it('keeps the tab already open working when the link is opened again in the same browser', async () => {
      const { invitation } = await invited(ctx);
      const web = webAgent(ctx.app);
      await web.get(`/respond/${invitation.token}`);
      const tab1 = readPage((await web.get('/respond/sections/a')).body);
      const again = await web.get(`/respond/${invitation.token}`);
      expect(again.statusCode).toBe(303);
      expect(again.headers['set-cookie']).toBeUndefined();
      const saved = await web.post('/respond/sections/a', { ...tab1.formValues(), 'a.training': 'never', action: 'later' });
      expect([saved.statusCode, saved.headers.location]).toEqual([303, '/respond?saved=a']);
      expect((await answersOf(ctx, invitation.token))['a.training']?.value).toBe('never');
    });

    it('lets a bid team use one link on several machines at once, and revoking the link ends them all', async () => {
      const { org, invitation } = await invited(ctx);
      const laptop = webAgent(ctx.app);
      const desktop = webAgent(ctx.app);
      await laptop.get(`/respond/${invitation.token}`);
      const onLaptop = readPage((await laptop.get('/respond/sections/a')).body);
      await desktop.get(`/respond/${invitation.token}`);
      const onDesktop = readPage((await desktop.get('/respond/sections/a')).body);
      expect((await laptop.post('/respond/sections/a', { ...onLaptop.formValues(), 'a.training': 'never', action: 'later' })).statusCode).toBe(303);
      expect((await desktop.post('/respond/sections/a', { ...onDesktop.formValues(), 'a.notes': 'Dana Data', action: 'later' })).statusCode).toBe(303);
      const answers = await answersOf(ctx, invitation.token);
      expect([answers['a.training']?.value, answers['a.notes']?.value]).toEqual(['never', 'Dana Data']);

      await ctx.app.inject({ method: 'POST', url: `/v1/invitations/${invitation.id}/revoke`, headers: bearer(org.admin.token) });
      expect((await laptop.get('/respond')).statusCode).toBe(401);
      expect((await desktop.get('/respond')).statusCode).toBe(401);
    });
  });

  describe('a session that ends while a page is open', () => {
    it('slides with activity, and ends after two idle hours or a day in all', async () => {
      const { invitation } = await invited(ctx);
      const web = webAgent(ctx.app);
      await web.get(`/respond/${invitation.token}`);
      for (let i = 0; i < 13; i += 1) {
        ctx.clock.advance(HOUR + 50 * MINUTE);
        expect((await web.get('/respond')).statusCode, `after ${i + 1} active spells`).toBe(200);
      }
      // 23 hours 50 minutes of steady work so far; the day's limit ends it even with activity.
      ctx.clock.advance(HOUR + 50 * MINUTE);
      expect((await web.get('/respond')).statusCode).toBe(401);

      const idle = webAgent(ctx.app);
      await idle.get(`/respond/${invitation.token}`);
      ctx.clock.advance(2 * HOUR + MINUTE);
      expect((await idle.get('/respond')).statusCode).toBe(401);
    });

    it('keeps what was posted after the session ended, sealed, and applies it only after the link is opened and the supplier confirms', async () => {
      const { invitation } = await invited(ctx);
      const web = webAgent(ctx.app);
      await web.get(`/respond/${invitation.token}`);
      const form = readPage((await web.get('/respond/sections/a')).body).formValues();
      ctx.clock.advance(2 * HOUR + MINUTE);

      const late = await web.post('/respond/sections/a', { ...form, 'a.training': 'never', 'a.notes': 'Words typed at 11 p.m.', action: 'continue' });
      expect(late.statusCode).toBe(401);
      let page = readPage(late.body);
      expect(page.text).toContain('Your session ended. Open your invitation link again to save the answers you just entered.');
      expect(page.text).not.toMatch(/have been saved/);
      expect(await answersOf(ctx, invitation.token)).toEqual({});
      // Kept sealed: the typed words are nowhere in the database as text.
      const rows = await queryRows<{ sealed: string; kind: string }>(ctx.database.db, sql`select sealed, kind from pending_answers`);
      expect(rows.map((r) => r.kind)).toEqual(['expired_session']);
      expect(rows[0]!.sealed).not.toContain('11 p.m.');
      expect(Buffer.from(rows[0]!.sealed.split('.')[3]!, 'base64url').toString('utf8')).not.toContain('11 p.m.');

      // Opening the link shows them first; nothing is applied until the supplier says so.
      const reopened = await web.get(`/respond/${invitation.token}`);
      expect(reopened.headers.location).toBe('/respond/unsaved');
      page = readPage((await web.get('/respond/unsaved')).body);
      expect(page.h1).toEqual(['Answers you entered that have not been saved']);
      expect(page.summary()).toEqual([
        { key: '1.1 Do you train on our data?', value: 'Never' },
        { key: '1.2 Who is your data protection officer?', value: 'Words typed at 11 p.m.' },
      ]);
      expect(await answersOf(ctx, invitation.token)).toEqual({});
      const id = /\/respond\/unsaved\/([0-9a-f-]{36})/.exec(late.body + (await web.get('/respond/unsaved')).body)![1]!;
      const applied = await web.post(`/respond/unsaved/${id}`, { ...page.formValues(page.button(/^Save these answers/)), action: 'save' });
      expect([applied.statusCode, applied.headers.location]).toEqual([303, '/respond?saved=a']);
      const answers = await answersOf(ctx, invitation.token);
      expect([answers['a.training']?.value, answers['a.notes']?.value]).toEqual(['never', 'Words typed at 11 p.m.']);
      expect(await queryRows(ctx.database.db, sql`select id from pending_answers`)).toEqual([]);
    });

    it('keeps a form from before the link was opened again (its session had ended) and lets the supplier save it at once', async () => {
      const { invitation } = await invited(ctx);
      const web = webAgent(ctx.app);
      await web.get(`/respond/${invitation.token}`);
      const oldTab = readPage((await web.get('/respond/sections/a')).body).formValues();
      ctx.clock.advance(3 * HOUR);
      // The supplier opens the link in a new tab (a new session), then saves the old tab.
      expect((await web.get(`/respond/${invitation.token}`)).headers.location).toBe('/respond');
      const late = await web.post('/respond/sections/a', { ...oldTab, 'a.notes': 'From the old tab', action: 'later' });
      expect(late.statusCode).toBe(409);
      const page = readPage(late.body);
      expect(page.h1).toEqual(['Your answers have not been saved yet']);
      expect(page.link('Review and save the answers you just entered')?.getAttribute('href')).toBe('/respond/unsaved');
      const unsaved = readPage((await web.get('/respond/unsaved')).body);
      const id = /\/respond\/unsaved\/([0-9a-f-]{36})/.exec((await web.get('/respond/unsaved')).body)![1]!;
      await web.post(`/respond/unsaved/${id}`, { _csrf: unsaved.formValues()._csrf as string, action: 'save' });
      expect((await answersOf(ctx, invitation.token))['a.notes']?.value).toBe('From the old tab');
    });

    it('keeps a form posted after signing out in another tab, and discards it when asked', async () => {
      const { invitation } = await invited(ctx);
      const web = webAgent(ctx.app);
      await web.get(`/respond/${invitation.token}`);
      const tab1 = readPage((await web.get('/respond/sections/a')).body).formValues();
      await web.post('/respond/sign-out', { _csrf: tab1._csrf as string });
      const late = await web.post('/respond/sections/a', { ...tab1, 'a.notes': 'Kept after sign-out', action: 'later' });
      expect(late.statusCode).toBe(401);
      expect(readPage(late.body).text).toContain('Open your invitation link again to save the answers you just entered');

      await web.get(`/respond/${invitation.token}`);
      const page = readPage((await web.get('/respond/unsaved')).body);
      expect(page.summary()).toEqual([{ key: '1.2 Who is your data protection officer?', value: 'Kept after sign-out' }]);
      const id = /\/respond\/unsaved\/([0-9a-f-]{36})/.exec((await web.get('/respond/unsaved')).body)![1]!;
      expect((await web.post(`/respond/unsaved/${id}`, { _csrf: page.formValues()._csrf as string, action: 'discard' })).headers.location).toBe('/respond');
      expect(await answersOf(ctx, invitation.token)).toEqual({});
      expect((await web.get('/respond/unsaved')).headers.location).toBe('/respond');
    });

    it('forgets kept answers after 24 hours, and never keeps one for a form without its sealed resume token or for a revoked link', async () => {
      const { org, invitation } = await invited(ctx);
      const web = webAgent(ctx.app);
      await web.get(`/respond/${invitation.token}`);
      const form = readPage((await web.get('/respond/sections/a')).body).formValues();
      ctx.clock.advance(3 * HOUR);
      await web.post('/respond/sections/a', { ...form, 'a.notes': 'Old words', action: 'later' });
      const { _resume: resume, ...bare } = form;
      expect((await web.post('/respond/sections/a', { ...bare, 'a.notes': 'No resume token', action: 'later' })).statusCode).toBe(401);
      expect((await web.post('/respond/sections/a', { ...bare, _resume: `${String(resume).slice(0, -4)}AAAA`, 'a.notes': 'Forged', action: 'later' })).statusCode).toBe(401);
      expect((await queryRows(ctx.database.db, sql`select id from pending_answers`)).length).toBe(1);

      ctx.clock.advance(24 * HOUR);
      expect((await web.get(`/respond/${invitation.token}`)).headers.location).toBe('/respond');
      expect(await queryRows(ctx.database.db, sql`select id from pending_answers`)).toEqual([]);

      await ctx.app.inject({ method: 'POST', url: `/v1/invitations/${invitation.id}/revoke`, headers: bearer(org.admin.token) });
      expect((await web.post('/respond/sections/a', { ...form, 'a.notes': 'After revocation', action: 'later' })).statusCode).toBe(401);
      expect(await queryRows(ctx.database.db, sql`select id from pending_answers`)).toEqual([]);
    });
  });

  it('has a comment box on every question, open where the question asks for one, saved with the answer and shown on check answers', async () => {
    const { invitation } = await invited(ctx);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${invitation.token}`);
    let page = readPage((await web.get('/respond/sections/a')).body);
    // 1.1 asks for the comment box in its guidance: the box is on the page. 1.2 does not: behind "Add a comment".
    const asked = page.byLabel(/^Comment \(optional\) \(1\.1 Do you train on our data\?\)/);
    expect(asked?.tagName).toBe('TEXTAREA');
    expect(asked?.closest('details')).toBeNull();
    const behind = page.byLabel(/^Comment \(optional\) \(1\.2 Who is your data protection officer\?/);
    expect(behind?.closest('details')?.querySelector('summary')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('Add a comment (1.2 Who is your data protection officer? (optional))');

    await web.post('/respond/sections/a', { ...page.formValues(), 'a.training': 'never', 'a.training--comment': 'We never fine-tune on customer data.', action: 'later' });
    expect((await answersOf(ctx, invitation.token))['a.training']?.comment).toBe('We never fine-tune on customer data.');
    page = readPage((await web.get('/respond/check')).body);
    expect(page.summary()).toContainEqual({ key: '1.1 Do you train on our data?', value: 'Never. Comment: We never fine-tune on customer data.' });

    // A comment on a question left blank is not dropped silently.
    page = readPage((await web.get('/respond/sections/a')).body);
    const stray = await web.post('/respond/sections/a', { ...page.formValues(), 'a.notes--comment': 'Appointed next month', action: 'later' });
    expect(stray.statusCode).toBe(400);
    page = readPage(stray.body);
    expect(page.errorSummary()).toEqual([{ href: '#a.notes--comment', text: 'Answer question 1.2 to save your comment, or delete the comment' }]);
    expect(page.byLabel(/^Comment \(optional\) \(1\.2/)?.textContent?.trim()).toBe('Appointed next month');
  });

  it('saves what was typed before going to upload a file', async () => {
    const { invitation } = await invited(ctx);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${invitation.token}`);
    const page = readPage((await web.get('/respond/sections/b')).body);
    const upload = page.button(/^Save and upload a file \(2\.1 Incident notification hours\?\)/);
    expect(upload?.getAttribute('type')).toBe('submit');
    const went = await web.post('/respond/sections/b', { ...page.formValues(), 'b.hours': '12', action: upload!.getAttribute('value')! });
    expect([went.statusCode, went.headers.location]).toEqual([303, '/respond/sections/b/evidence/b.hours']);
    expect((await answersOf(ctx, invitation.token))['b.hours']?.value).toBe(12);
  });

  it('says why a section comes back with new questions, and marks them', async () => {
    const { invitation } = await invited(ctx);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${invitation.token}`);
    const page = readPage((await web.get('/respond/sections/a')).body);
    const saved = await web.post('/respond/sections/a', { ...page.formValues(), 'a.training': 'opt_in', action: 'continue' });
    expect(saved.headers.location).toBe('/respond/sections/a?new=a.training_detail#question-a.training_detail');
    const again = readPage((await web.get('/respond/sections/a?new=a.training_detail')).body);
    expect(again.text).toContain('You have new questions to answer in this section because of your answer to 1.1');
    expect(again.link('1.3 Explain the opt-in.')?.getAttribute('href')).toBe('#question-a.training_detail');
    expect(again.document.getElementById('question-a.training_detail')?.textContent).toContain('New question');
  });

  it('returns to check answers after "Change", and puts what blocks submission at the top', async () => {
    const { invitation } = await invited(ctx);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${invitation.token}`);
    let page = readPage((await web.get('/respond/check')).body);
    const headings = [...page.document.querySelectorAll('h2')].map((h) => (h.textContent ?? '').trim());
    expect(headings[0]).toBe('Before you can submit');
    expect(headings.indexOf('Before you can submit')).toBeLessThan(headings.indexOf('1. Section A'));
    const change = page.link('Change Who is your data protection officer?')!.getAttribute('href')!;
    expect(change).toBe('/respond/sections/a?return=check#question-a.notes');

    page = readPage((await web.get(change)).body);
    expect(page.link('Back to check your answers')).toBeDefined();
    const saved = await web.post('/respond/sections/a', { ...page.formValues(), 'a.notes': 'Dana Data', action: 'continue' });
    expect(saved.headers.location).toBe('/respond/check?saved=a');
    page = readPage((await web.get('/respond/check?saved=a')).body);
    expect(page.text).toContain('Your answers to 1. Section A have been saved');
    expect(page.text).toContain('You have not answered 1 required question in that section yet');
    // "Save and come back later" from the section goes to the task list, with the same count and a link that marks them.
    page = readPage((await web.get('/respond/sections/a?unanswered=1')).body);
    expect(page.text).toContain('You have not answered 1 required question in this section');
    expect(page.document.getElementById('question-a.training')?.textContent).toContain('Not answered yet');
    expect(page.document.getElementById('question-a.notes')?.textContent).not.toContain('Not answered yet');
  });

  it('takes a pasted NUL character without an error, keeping the rest of the text', async () => {
    const { invitation } = await invited(ctx);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${invitation.token}`);
    const page = readPage((await web.get('/respond/sections/a')).body);
    const saved = await web.post('/respond/sections/a', { ...page.formValues(), 'a.notes': 'Dana\u0000 Data', 'a.notes--comment': 'Pasted\u0000', action: 'later' });
    expect(saved.statusCode).toBe(303);
    expect((await answersOf(ctx, invitation.token))['a.notes']).toMatchObject({ value: 'Dana Data', comment: 'Pasted' });
  });

  it('names the question and gives an example in each error message', async () => {
    const { invitation } = await invited(ctx);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${invitation.token}`);
    const page = readPage((await web.get('/respond/sections/b')).body);
    const refused = await web.post('/respond/sections/b', { ...page.formValues(), 'b.hours': 'a day', 'b.staff': '2.5', action: 'later' });
    expect(refused.statusCode).toBe(400);
    expect(readPage(refused.body).errorSummary()).toEqual([
      { href: '#b.hours', text: 'Enter the number of hours for question 2.1, like 24' },
      { href: '#b.staff', text: 'Enter a whole number for question 2.3, like 24' },
    ]);
    const tooMany = await web.post('/respond/sections/b', { ...page.formValues(), 'b.hours': '5000', action: 'later' });
    expect(readPage(tooMany.body).errorSummary()).toEqual([{ href: '#b.hours', text: 'The number for question 2.1 must be 1000 or less' }]);
    expect(await answersOf(ctx, invitation.token)).toEqual({});
  });
});
