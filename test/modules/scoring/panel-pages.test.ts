import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app';
import { seedOrganisation, seedUser } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';
import { panelWorld } from './panel-world';

type Agent = Awaited<ReturnType<typeof signedInAgent>>;
const get = (agent: Agent, url: string) => agent.get(url).set('accept', 'text/html').redirects(0);
const post = (agent: Agent, url: string, form: Record<string, string>) => agent.post(url).set('accept', 'text/html').type('form').send(form).redirects(0);

/** Posts the page's own form (with its CSRF token) after changing some fields, as a browser would. */
async function submitForm(agent: Agent, url: string, changes: Record<string, string>) {
  const page = await get(agent, url);
  expect(page.status, page.text.slice(0, 300)).toBe(200);
  return post(agent, url, { _csrf: csrfFrom(page.text), ...changes });
}

// Words that would give away a score or another evaluator's view before the evaluator has submitted.
const SCORE_WORDS = /overall score|rating|out of 100|automatic|moderated|consensus mark|Evan Two|Eve One \(you\)/i;

describe('the evaluation panel’s pages', { timeout: 120_000 }, () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('asks for a declaration first, keeps it read-only, and lists what is left to do', async () => {
    const w = await panelWorld(ctx);
    const r = w.responses[0]!;
    const e1 = await signedInAgent({ app: ctx.app, userId: w.e1.id });
    const home = await get(e1, '/');
    expect([home.status, home.headers.location]).toEqual([303, '/evaluations']);

    const list = readPage((await get(e1, '/evaluations')).text);
    expect(list.link('Evaluations')?.getAttribute('href')).toBe('/evaluations');
    expect(list.text).toContain('AI chatbot for housing');
    expect(list.text).toContain('Declare any conflict of interest');
    expect(list.link(/Declare your interests/)?.getAttribute('href')).toBe(`/evaluations/${w.procurementId}/declaration`);

    // Every panel page before declaring goes to the declaration.
    for (const url of [`/evaluations/${w.procurementId}/responses/${r.responseId}`, `/evaluations/${w.procurementId}/responses/${r.responseId}/questions/a.plan`, `/evaluations/${w.procurementId}/responses/${r.responseId}/submit`]) {
      const res = await get(e1, url);
      expect([res.status, res.headers.location]).toEqual([303, `/evaluations/${w.procurementId}/declaration`]);
    }

    const declaration = `/evaluations/${w.procurementId}/declaration`;
    const csrf = csrfFrom((await get(e1, declaration)).text);
    const none = await submitForm(e1, declaration, {});
    expect(none.status).toBe(400);
    expect(readPage(none.text).errorSummary()).toEqual([{ href: '#conflict', text: 'Select whether you have a conflict of interest in this procurement' }]);
    const declared = await submitForm(e1, declaration, { conflict: 'no', noConflictDetails: '' });
    expect([declared.status, declared.headers.location]).toEqual([303, '/evaluations']);
    const after = readPage((await get(e1, '/evaluations')).text);
    expect(after.text).toContain('Your declaration of interests is recorded');
    expect(after.text).toContain('1 response to mark');
    expect(after.link(/^Mark/)?.getAttribute('href')).toBe(`/evaluations/${w.procurementId}/responses/${r.responseId}`);

    const readOnly = await get(e1, declaration);
    const page = readPage(readOnly.text);
    expect(page.summary()).toEqual(expect.arrayContaining([{ key: 'Conflict of interest', value: 'No' }, { key: 'Details', value: 'No conflict of interest.' }]));
    expect(readOnly.text).not.toContain('name="conflict"');
    // Declaring again (an older tab) changes nothing.
    const again = await post(e1, declaration, { _csrf: csrf, conflict: 'yes', details: 'Changed my mind' });
    expect(again.status).toBe(303);
    expect(readPage((await get(e1, declaration)).text).summary()).toEqual(expect.arrayContaining([{ key: 'Conflict of interest', value: 'No' }]));
  });

  it('blocks a declared conflict until an officer records the mitigation', async () => {
    const w = await panelWorld(ctx);
    const r = w.responses[0]!;
    const e2 = await signedInAgent({ app: ctx.app, userId: w.e2.id });
    const declaration = `/evaluations/${w.procurementId}/declaration`;
    const noDetails = await submitForm(e2, declaration, { conflict: 'yes', details: '' });
    expect(noDetails.status).toBe(400);
    expect(readPage(noDetails.text).errorSummary()).toEqual([{ href: '#details', text: 'Enter what your conflict of interest is' }]);
    expect(readPage(noDetails.text).document.querySelector('input[value="yes"]')?.hasAttribute('checked')).toBe(true);
    const declared = await submitForm(e2, declaration, { conflict: 'yes', details: 'My partner works for Alpha AI' });
    expect([declared.status, declared.headers.location]).toEqual([303, declaration]);
    const blocked = readPage((await get(e2, declaration)).text);
    expect(blocked.text).toContain('An officer must record how this is mitigated before you can see responses');
    const overview = `/evaluations/${w.procurementId}/responses/${r.responseId}`;
    expect((await get(e2, overview)).headers.location).toBe(declaration);
    expect(readPage((await get(e2, '/evaluations')).text).text).toContain('Waiting for mitigation');

    // The officer's side: linked from the procurement, lists declarations, records a mitigation.
    const officer = await signedInAgent({ app: ctx.app, userId: w.officer.id });
    const summary = readPage((await get(officer, `/procurements/${w.procurementId}`)).text);
    const declarations = `/procurements/${w.procurementId}/declarations`;
    expect(summary.link('Panel’s declarations of interest')?.getAttribute('href')).toBe(declarations);
    const listed = readPage((await get(officer, declarations)).text);
    expect(listed.text).toContain('Evan Two (Evaluator)');
    expect(listed.text).toContain('My partner works for Alpha AI');
    expect(listed.text).toMatch(/Not declared yet.*Eve One.*Mo Derator/);
    const mitigateHref = listed.link(/Record mitigation/)!.getAttribute('href')!;
    const csrf = csrfFrom((await get(officer, mitigateHref)).text);
    const noCsrf = await post(officer, mitigateHref, { mitigation: 'Second marker' });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.text).toContain('This page has expired');
    const empty = await post(officer, mitigateHref, { _csrf: csrf, mitigation: '  ' });
    expect([empty.status, readPage(empty.text).errorSummary()[0]?.href]).toEqual([400, '#mitigation']);
    expect((await get(e2, overview)).status).toBe(303);
    const done = await post(officer, mitigateHref, { _csrf: csrf, mitigation: 'A second evaluator reviews every mark for Alpha AI' });
    expect([done.status, done.headers.location]).toEqual([303, declarations]);
    expect(readPage((await get(officer, declarations)).text).text).toContain('A second evaluator reviews every mark for Alpha AI');
    expect((await get(e2, overview)).status).toBe(200);

    // An evaluator cannot reach the officer's pages.
    expect((await get(e2, declarations)).status).toBe(403);
  });

  it('marks blind, question by question, then shows every submitted mark side by side', async () => {
    const w = await panelWorld(ctx);
    const r = w.responses[0]!;
    const [e1, e2] = [await signedInAgent({ app: ctx.app, userId: w.e1.id }), await signedInAgent({ app: ctx.app, userId: w.e2.id })];
    for (const agent of [e1, e2]) await submitForm(agent, `/evaluations/${w.procurementId}/declaration`, { conflict: 'no' });
    const base = `/evaluations/${w.procurementId}/responses/${r.responseId}`;
    const q = (key: string) => `${base}/questions/${key}`;
    const csrf = csrfFrom((await get(e1, q('a.plan'))).text);

    const overview = readPage((await get(e1, base)).text);
    expect(overview.text).toContain('You have marked 0 of 3 questions');
    expect(overview.link('1.2 Describe your data protection plan.')?.getAttribute('href')).toBe(q('a.plan'));
    expect(overview.text).not.toMatch(SCORE_WORDS);

    // The question page: the question, guidance, answer and comment, evidence opening in a new tab, the descriptors as radios.
    const question = await get(e1, q('b.support'));
    const page = readPage(question.text);
    expect(page.h1).toEqual(['2.2 Describe your support model.']);
    expect(page.text).toContain('Guidance for describe your support model.');
    expect(page.summary()).toEqual([{ key: 'Answer', value: 'A named engineer, 9 to 5.' }]);
    const evidence = page.link('support-plan.pdf (opens in new tab)');
    expect(evidence?.getAttribute('target')).toBe('_blank');
    expect(evidence?.getAttribute('href')).toBe(`${base}/evidence/${r.evidenceId}`);
    const file = await e1.get(evidence!.getAttribute('href')!).buffer(true);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('application/pdf');
    expect(page.text).toContain('b.support clear.');
    expect([...page.document.querySelectorAll('input[name="score"]')].map((i) => i.getAttribute('value'))).toEqual(['0', '1', '2', '3', '4']);
    expect(page.button('Save and next')).toBeDefined();
    expect(page.link(/^Previous/)?.getAttribute('href')).toBe(q('a.retention'));
    expect(page.text).not.toMatch(SCORE_WORDS);
    const plan = readPage((await get(e1, q('a.plan'))).text);
    expect(plan.summary()).toEqual([{ key: 'Answer', value: 'Alpha AI encrypts everything at rest.' }, { key: 'Comment', value: 'See our DPIA.' }]);

    // Save and next: to the next question without a mark, then the overview when all are marked.
    const mark = (agent: Agent, key: string, score: string, justification: string) => submitForm(agent, q(key), { score, justification });
    expect((await mark(e1, 'a.plan', '3', 'Eve: clear plan.')).headers.location).toBe(q('a.retention'));
    expect((await mark(e1, 'b.support', '2', 'Eve: thin support.')).headers.location).toBe(q('a.retention'));
    expect((await mark(e1, 'a.retention', '4', 'Eve: short retention.')).headers.location).toBe(base);
    for (const [key, score] of [['a.plan', '1'], ['a.retention', '2'], ['b.support', '0']] as const) await mark(e2, key, score, `Evan: ${key} marked ${score}.`);

    // The existing mark is prefilled; Evan's marks appear nowhere on Eve's pages before she submits.
    const prefilled = readPage((await get(e1, q('a.plan'))).text);
    expect(prefilled.document.querySelector('input[name="score"][value="3"]')?.hasAttribute('checked')).toBe(true);
    expect(prefilled.document.querySelector('textarea[name="justification"]')?.textContent).toBe('Eve: clear plan.');
    for (const url of [base, q('a.plan'), q('a.retention'), q('b.support'), `${base}/submit`]) {
      const text = (await get(e1, url)).text;
      expect(text).not.toContain('Evan:');
      expect(text).not.toMatch(SCORE_WORDS);
    }
    const marked = readPage((await get(e1, base)).text);
    expect(marked.text).toContain('You have marked 3 of 3 questions');
    expect(marked.text).toContain('Your mark: 3');

    // Evan submits first; Eve still sees only her own.
    const evanSubmitted = await submitForm(e2, `${base}/submit`, {});
    expect([evanSubmitted.status, evanSubmitted.headers.location]).toEqual([303, `${base}/submit`]);
    expect((await get(e1, base)).text).not.toContain('Evan:');
    const confirm = readPage((await get(e1, `${base}/submit`)).text);
    expect(confirm.text).toContain('You have marked all 3 questions');
    expect((await submitForm(e1, `${base}/submit`, {})).status).toBe(303);
    const confirmation = readPage((await get(e1, `${base}/submit`)).text);
    expect(confirmation.document.querySelector('.govuk-panel__title')?.textContent?.trim()).toBe('Marks submitted');

    const sideBySide = await get(e1, base);
    expect(readPage(sideBySide.text).h1).toEqual(['Marks for Alpha AI’s response']);
    const rows = [...readPage(sideBySide.text).document.querySelectorAll('table')].map((t) => ({
      caption: t.querySelector('caption')?.textContent?.trim(),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())),
    }));
    expect(rows[0]).toEqual({ caption: '1.2 Describe your data protection plan.', rows: [['Eve One (you)', '3', 'Eve: clear plan.'], ['Evan Two', '1', 'Evan: a.plan marked 1.']] });
    expect(rows.map((t) => t.caption)).toEqual(['1.2 Describe your data protection plan.', '1.3 How long do you keep council data?', '2.2 Describe your support model.']);

    // Saving after submission (an older tab): the use case's refusal, as an error summary, and nothing changes.
    const stale = await post(e1, q('a.plan'), { _csrf: csrf, score: '0', justification: 'Changed' });
    expect(stale.status).toBe(409);
    expect(readPage(stale.text).errorSummary()[0]?.text).toContain('You have submitted your marks for this response');
    const marks = (await w.api('GET', `/v1/responses/${r.responseId}/marks`, w.e1.token)).json().marks;
    expect(marks.find((m: { questionKey: string; evaluatorId: string }) => m.questionKey === 'a.plan' && m.evaluatorId === w.e1.id)).toMatchObject({ score: 3, justification: 'Eve: clear plan.' });

    // After submitting, the justification can still be reworded (the score is a hidden field with the mark given), never the score.
    const reword = readPage((await get(e1, q('a.plan'))).text);
    expect(reword.document.querySelector('input[type="hidden"][name="score"]')?.getAttribute('value')).toBe('3');
    expect(reword.document.querySelectorAll('input[type="radio"][name="score"]')).toHaveLength(0);
    expect(reword.button('Save the new wording')).toBeDefined();
    const hiddenScore = reword.document.querySelector('input[type="hidden"][name="score"]')!.getAttribute('value')!;
    const saved = await submitForm(e1, q('a.plan'), { score: hiddenScore, justification: 'Eve: the plan names the encryption at rest and the DPIA it follows.' });
    expect([saved.status, saved.headers.location]).toEqual([303, base]);
    expect(readPage((await get(e1, base)).text).text).toContain('Your justification is reworded; your mark is unchanged.');
    const after = (await w.api('GET', `/v1/responses/${r.responseId}/marks`, w.e1.token)).json().marks;
    expect(after.find((m: { questionKey: string; evaluatorId: string }) => m.questionKey === 'a.plan' && m.evaluatorId === w.e1.id)).toMatchObject({
      score: 3,
      justification: 'Eve: the plan names the encryption at rest and the DPIA it follows.',
    });
  });

  it('keeps what was typed when a mark is missing, out of range or unjustified, and refuses to submit an incomplete set', async () => {
    const w = await panelWorld(ctx);
    const r = w.responses[0]!;
    const e1 = await signedInAgent({ app: ctx.app, userId: w.e1.id });
    await submitForm(e1, `/evaluations/${w.procurementId}/declaration`, { conflict: 'no' });
    const base = `/evaluations/${w.procurementId}/responses/${r.responseId}`;
    const noJustification = await submitForm(e1, `${base}/questions/a.plan`, { score: '2', justification: '   ' });
    expect(noJustification.status).toBe(400);
    const one = readPage(noJustification.text);
    expect(one.title).toMatch(/^Error: /);
    expect(one.errorSummary()).toEqual([{ href: '#justification', text: 'Enter why you gave this mark, against the descriptors' }]);
    expect(one.inlineErrors()).toEqual(['Error: Enter why you gave this mark, against the descriptors']);
    expect(one.document.querySelector('input[name="score"][value="2"]')?.hasAttribute('checked')).toBe(true);

    const outOfRange = await submitForm(e1, `${base}/questions/a.plan`, { score: '7', justification: 'Typed with care.' });
    expect(outOfRange.status).toBe(400);
    const two = readPage(outOfRange.text);
    expect(two.errorSummary()).toEqual([{ href: '#score', text: 'The mark must be a whole number from 0 to 4' }]);
    expect(two.document.querySelector('textarea[name="justification"]')?.textContent).toBe('Typed with care.');
    const none = readPage((await submitForm(e1, `${base}/questions/a.plan`, { justification: 'Still here.' })).text);
    expect(none.errorSummary()).toEqual([{ href: '#score', text: 'Select a mark from 0 to 4' }]);
    expect((await w.api('GET', `/v1/responses/${r.responseId}/marks`, w.e1.token)).json().marks).toEqual([]);

    // A NUL in the justification is dropped; the mark is saved.
    expect((await submitForm(e1, `${base}/questions/a.plan`, { score: '2', justification: 'Reasonable\u0000 plan.' })).status).toBe(303);
    expect((await w.api('GET', `/v1/responses/${r.responseId}/marks`, w.e1.token)).json().marks[0]).toMatchObject({ questionKey: 'a.plan', score: 2, justification: 'Reasonable plan.' });
    // An older copy of the page (a second tab) simply overwrites the same evaluator's mark.
    expect((await post(e1, `${base}/questions/a.plan`, { _csrf: csrfFrom((await get(e1, `${base}/questions/a.retention`)).text), score: '4', justification: 'From the other tab.' })).status).toBe(303);
    expect((await w.api('GET', `/v1/responses/${r.responseId}/marks`, w.e1.token)).json().marks).toEqual([expect.objectContaining({ questionKey: 'a.plan', score: 4, justification: 'From the other tab.' })]);

    // Submitting with marks missing lists them, each linking to its question.
    const incomplete = await submitForm(e1, `${base}/submit`, {});
    expect(incomplete.status).toBe(422);
    expect(readPage(incomplete.text).errorSummary()).toEqual([
      { href: `${base}/questions/a.retention`, text: 'Mark 1.3 How long do you keep council data?' },
      { href: `${base}/questions/b.support`, text: 'Mark 2.2 Describe your support model.' },
    ]);
  });

  it('refuses what it must: another council’s ids, bad ids, someone not on the panel, a missing CSRF token, a procurement not being evaluated', async () => {
    const w = await panelWorld(ctx);
    const r = w.responses[0]!;
    const e1 = await signedInAgent({ app: ctx.app, userId: w.e1.id });
    await submitForm(e1, `/evaluations/${w.procurementId}/declaration`, { conflict: 'no' });
    const base = `/evaluations/${w.procurementId}/responses/${r.responseId}`;

    // CSRF missing: 403 "page expired", nothing saved.
    const noCsrf = await post(e1, `${base}/questions/a.plan`, { score: '3', justification: 'No token' });
    expect(noCsrf.status).toBe(403);
    expect(readPage(noCsrf.text).h1).toEqual(['This page has expired']);
    expect((await w.api('GET', `/v1/responses/${r.responseId}/marks`, w.e1.token)).json().marks).toEqual([]);

    // Unknown, malformed and mismatched ids: the console's 404.
    const other = await panelWorld(ctx, { suppliers: ['Other Org AI'] });
    const otherBase = `/evaluations/${other.procurementId}/responses/${other.responses[0]!.responseId}`;
    for (const url of [
      `${otherBase}/questions/a.plan`,
      otherBase,
      `/evaluations/${other.procurementId}/declaration`,
      `/evaluations/${w.procurementId}/responses/${other.responses[0]!.responseId}`,
      `/evaluations/not-a-uuid/responses/${r.responseId}`,
      `${base}/questions/b.hours`,
      `${base}/questions/no.such`,
      `${base}/evidence/00000000-0000-4000-8000-000000000000`,
    ]) {
      const res = await get(e1, url);
      expect([url, res.status]).toEqual([url, 404]);
      expect(readPage(res.text).h1).toEqual(['Page not found']);
    }
    const otherPost = await post(e1, `${otherBase}/questions/a.plan`, { _csrf: csrfFrom((await get(e1, `${base}/questions/a.plan`)).text), score: '3', justification: 'x' });
    expect(otherPost.status).toBe(404);

    // Someone of this council not on the panel: 403, and an empty "My evaluations".
    const outsider = await seedUser(ctx, w.org, { role: 'evaluator', name: 'Otto Side' });
    const agent = await signedInAgent({ app: ctx.app, userId: outsider.id });
    for (const url of [`/evaluations/${w.procurementId}/declaration`, base, `${base}/questions/a.plan`]) {
      const res = await get(agent, url);
      expect([url, res.status]).toEqual([url, 403]);
      expect(readPage(res.text).h1).toEqual(['You are not on this evaluation panel']);
    }
    expect(readPage((await get(agent, '/evaluations')).text).text).toContain('You are not on any evaluation panel');
    const admin = await signedInAgent({ app: ctx.app, userId: w.org.admin.id });
    expect((await get(admin, '/')).headers.location).toBe('/procurements');

    // Not yet being evaluated: the response can be read, a mark is refused with the use case's reason.
    const open = await panelWorld(ctx, { evaluating: false });
    const o1 = await signedInAgent({ app: ctx.app, userId: open.e1.id });
    await submitForm(o1, `/evaluations/${open.procurementId}/declaration`, { conflict: 'no' });
    const openBase = `/evaluations/${open.procurementId}/responses/${open.responses[0]!.responseId}`;
    expect(readPage((await get(o1, openBase)).text).text).toContain('marks can be saved only while it is being evaluated');
    const refused = await submitForm(o1, `${openBase}/questions/a.plan`, { score: '3', justification: 'Early' });
    expect(refused.status).toBe(409);
    expect(readPage(refused.text).errorSummary()[0]?.text).toMatch(/^Marks can be saved only while the procurement is being evaluated/);
    expect(readPage(refused.text).document.querySelector('textarea[name="justification"]')?.textContent).toBe('Early');

    // A stranger organisation's admin sees none of it.
    const stranger = await seedOrganisation(ctx);
    const strangerAgent = await signedInAgent({ app: ctx.app, userId: stranger.admin.id });
    expect((await get(strangerAgent, `/procurements/${w.procurementId}/declarations`)).status).toBe(404);
  });

  it('sends the moderator to the moderation page, and shows them their responses to moderate', async () => {
    const w = await panelWorld(ctx);
    const r = w.responses[0]!;
    const mo = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    await submitForm(mo, `/evaluations/${w.procurementId}/declaration`, { conflict: 'no' });
    const list = readPage((await get(mo, '/evaluations')).text);
    expect(list.text).toContain('Moderator');
    expect(list.link(/^Moderate/)?.getAttribute('href')).toBe(`/evaluations/${w.procurementId}/responses/${r.responseId}/moderation`);
    expect((await get(mo, `/evaluations/${w.procurementId}/responses/${r.responseId}`)).headers.location).toBe(`/evaluations/${w.procurementId}/responses/${r.responseId}/moderation`);
  });
});
