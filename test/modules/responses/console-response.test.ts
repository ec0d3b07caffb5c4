import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { multipart } from '../../helpers/multipart';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { downloadWith, readPage } from '../../helpers/web';
import { evidenceDefinition, smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const SECRET = 'We train only on datasets the council signs off, under schedule 4.';
const PLAN = Buffer.from('Incident response plan: we notify the council within 12 hours.\n');
type Agent = Awaited<ReturnType<typeof signedInAgent>>;

const get = (agent: Agent, url: string) => agent.get(url).redirects(0);
const post = (agent: Agent, url: string, form: Record<string, string>) => agent.post(url).type('form').send(form).redirects(0);
/** Acme AI Ltd's submitted response: one confidential answer, a comment, and two evidence files. */
async function world(ctx: TestContext) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: evidenceDefinition(), triage, title: 'Council tax chatbot' });
  const acme = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
  const supplier = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(acme.token), ...(payload ? { payload } : {}) });
  const imported = await supplier('PUT', '/v1/supplier/response/import', {
    answers: {
      'a.training': { value: 'opt_in' },
      'a.training_detail': { value: SECRET, confidential: true, confidentialReason: 'Names our data partners' },
      'b.hours': { value: 12, comment: 'Calendar hours, weekends included.' },
    },
  });
  expect(imported.statusCode, imported.body).toBe(200);
  for (const [questionKey, filename] of [['b.hours', 'plan.txt'], ['b.policy', 'policy.txt']]) {
    const body = multipart({ fields: { questionKey: questionKey! }, files: [{ filename: filename!, contentType: 'text/plain', bytes: PLAN }] });
    const uploaded = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(acme.token), ...body.headers }, payload: body.payload });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
  }
  const submitted = await supplier('POST', '/v1/supplier/response/submit', { declaration: true });
  expect(submitted.statusCode, submitted.body).toBe(200);
  const agent = await signedInAgent({ app: ctx.app, userId: officer.id });
  return { org, officer, procurementId, acme, supplier, agent, reference: submitted.json().reference as string, page: `/procurements/${procurementId}/responses/${acme.responseId}` };
}

// A cold first render of the console's templates, on a busy machine, can take a while.
describe('a response in the console', { timeout: 120_000 }, () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('shows the submitted answers by section, confidential ones marked, comments and evidence to download', async () => {
    const w = await world(ctx);
    const res = await get(w.agent, w.page);
    expect(res.status).toBe(200);
    const page = readPage(res.text);
    expect(page.h1).toEqual(['Acme AI Ltd']);
    expect(page.title).toBe('Acme AI Ltd’s response – Council tax chatbot – AI supplier due diligence – Example Borough Council');
    const facts = page.summary();
    expect(facts).toContainEqual({ key: 'Status', value: 'Submitted' });
    expect(facts).toContainEqual({ key: 'Submission reference', value: w.reference });
    expect(facts).toContainEqual({ key: 'Submitted', value: '26 November 2026, 12:00 (UK time)' });
    expect(facts).toContainEqual({ key: 'Required questions answered', value: '4 of 4' });
    expect(facts).toContainEqual({ key: 'Evidence files', value: '2' });
    expect(page.heading('Section A')).toBeDefined();
    expect(page.heading('Section B')).toBeDefined();
    // Each answer as a person reads it, under its question, in order.
    expect(page.text).toMatch(/Do you train on our data\? Answer Only with opt-in.*Explain the opt-in\. Commercially confidential The supplier marked this answer commercially confidential: Names our data partners\..*Answer We train only on datasets/);
    expect(page.text).toContain(SECRET);
    expect(facts).toContainEqual({ key: 'Comment', value: 'Calendar hours, weekends included.' });
    expect(facts).toContainEqual({ key: 'Answer', value: '12' });
    // Evidence downloads: the file as uploaded.
    const file = page.link('plan.txt');
    expect(file).toBeDefined();
    const downloaded = await downloadWith(w.agent, file!.getAttribute('href')!);
    expect(downloaded.status).toBe(200);
    expect(Buffer.compare(downloaded.bytes, PLAN)).toBe(0);
    expect(downloaded.headers['content-disposition']).toBe(`attachment; filename="plan.txt"; filename*=UTF-8''plan.txt`);
    expect(downloaded.headers['x-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(page.link('policy.txt')).toBeDefined();
  });

  it('asks a clarification about an answer, and shows the supplier’s reply and amended answer', async () => {
    const w = await world(ctx);
    const ask = readPage((await get(w.agent, w.page)).text).link(/^Ask a clarification about B\.1|^Ask a clarification about Incident notification hours\?/);
    expect(ask, 'the link to ask about b.hours').toBeDefined();
    const form = await get(w.agent, ask!.getAttribute('href')!);
    expect(form.status).toBe(200);
    const formPage = readPage(form.text);
    expect(formPage.h1).toEqual(['Ask the supplier a clarification']);
    expect(formPage.heading('Incident notification hours?')).toBeDefined();
    const action = `${w.page}/clarify`;
    const csrf = csrfFrom(form.text);

    const empty = await post(w.agent, action, { _csrf: csrf, questionKey: 'b.hours', question: '', 'replyBy-day': '31', 'replyBy-month': '2', 'replyBy-year': '2027' });
    expect(empty.status, empty.text.slice(0, 500)).toBe(400);
    expect(readPage(empty.text).errorSummary()).toEqual([
      { href: '#question', text: 'Enter your question to the supplier' },
      { href: '#replyBy-day', text: 'The reply-by date must be a real date' },
    ]);
    const past = await post(w.agent, action, { _csrf: csrf, questionKey: 'b.hours', question: 'Calendar or working hours?', 'replyBy-day': '1', 'replyBy-month': '1', 'replyBy-year': '2026' });
    expect(past.status).toBe(400);
    expect(readPage(past.text).errorSummary()).toEqual([{ href: '#replyBy-day', text: 'The reply-by date must be in the future' }]);

    const asked = await post(w.agent, action, { _csrf: csrf, questionKey: 'b.hours', question: 'Are those 12 calendar hours or working hours?', allowAmend: 'yes', 'replyBy-day': '4', 'replyBy-month': '12', 'replyBy-year': '2026' });
    expect(asked.status).toBe(303);
    expect(asked.headers.location).toBe(`${w.page}#question-b-hours`);
    const after = readPage((await get(w.agent, w.page)).text);
    expect(after.text).toContain('Your clarification about Incident notification hours? has been sent to Acme AI Ltd');
    const rows = after.summary();
    expect(rows).toContainEqual({ key: 'Question', value: 'Are those 12 calendar hours or working hours?' });
    expect(rows).toContainEqual({ key: 'Answer asked about', value: '12' });
    expect(rows).toContainEqual({ key: 'Reply by', value: '4 December 2026, 17:00 (UK time)' });
    expect(rows).toContainEqual({ key: 'Reply', value: 'Not replied yet' });
    expect(rows).toContainEqual({ key: 'Clarifications', value: '1 asked, 1 awaiting a reply' });
    const emails = (await ctx.app.inject({ method: 'GET', url: '/v1/outbox', headers: bearer(w.org.admin.token) })).json().items;
    expect(emails.filter((m: { kind: string }) => m.kind === 'clarification')).toHaveLength(1);

    // The supplier replies through the API, amending its answer.
    ctx.clock.advance(30 * 60_000);
    const [clarification] = (await w.supplier('GET', '/v1/supplier/response/clarifications')).json().items;
    expect(clarification.question).toBe('Are those 12 calendar hours or working hours?');
    const replied = await w.supplier('POST', `/v1/supplier/response/clarifications/${clarification.id}/reply`, { reply: 'Working hours; 20 calendar hours at most.', amendedAnswer: { value: 20 } });
    expect(replied.statusCode, replied.body).toBe(200);
    const answered = readPage((await get(w.agent, w.page)).text).summary();
    expect(answered).toContainEqual({ key: 'Reply', value: 'Working hours; 20 calendar hours at most.' });
    expect(answered).toContainEqual({ key: 'Replied', value: '26 November 2026, 12:30 (UK time)' });
    expect(answered).toContainEqual({ key: 'Amended answer', value: '20' });
    // The submitted answer stays as it was.
    expect(answered).toContainEqual({ key: 'Answer', value: '12' });
    expect(answered).toContainEqual({ key: 'Clarifications', value: '1 asked, 0 awaiting a reply' });
  });

  it('shows a response not yet submitted as its answers so far, with nothing to ask', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    const draft = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
    await ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/answers/a.training', headers: bearer(draft.token), payload: { value: 'never' } });
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const page = readPage((await get(agent, `/procurements/${procurementId}/responses/${draft.responseId}`)).text);
    expect(page.summary()).toContainEqual({ key: 'Status', value: 'In progress' });
    expect(page.text).toContain('Beta Bots has not submitted a response. These are their answers so far');
    expect(page.summary()).toContainEqual({ key: 'Answer', value: 'Never' });
    expect(page.link(/^Ask a clarification/)).toBeUndefined();
  });

  it('a viewer reads but cannot ask; an evaluator reads nothing here; without the CSRF token nothing is asked', async () => {
    const w = await world(ctx);
    const viewer = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, w.org, { role: 'viewer' })).id });
    const seen = await get(viewer, w.page);
    expect(seen.status).toBe(200);
    expect(readPage(seen.text).text).toContain(SECRET);
    expect(readPage(seen.text).link(/^Ask a clarification/)).toBeUndefined();
    expect((await get(viewer, `${w.page}/clarify?question=b.hours`)).status).toBe(403);
    const csrf = csrfFrom((await get(viewer, '/sign-out')).text);
    expect((await post(viewer, `${w.page}/clarify`, { _csrf: csrf, questionKey: 'b.hours', question: 'Why?' })).status).toBe(403);

    const evaluator = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, w.org, { role: 'evaluator' })).id });
    expect((await get(evaluator, w.page)).status).toBe(403);
    const file = readPage((await get(w.agent, w.page)).text).link('plan.txt')!.getAttribute('href')!;
    expect((await get(evaluator, file)).status).toBe(403);

    expect((await post(w.agent, `${w.page}/clarify`, { questionKey: 'b.hours', question: 'Why?' })).status).toBe(403);
    const list = await ctx.app.inject({ method: 'GET', url: `/v1/responses/${w.acme.responseId}/clarifications`, headers: bearer(w.org.admin.token) });
    expect(list.json().items).toEqual([]);
  });

  it('another council’s response, or one of another procurement, is not found at any of its addresses', async () => {
    const w = await world(ctx);
    const file = readPage((await get(w.agent, w.page)).text).link('plan.txt')!.getAttribute('href')!;
    const evidenceId = file.split('/').pop()!;
    const other = await seedOrganisation(ctx);
    const theirs = await seedOpenProcurement(ctx, other, { definition: smallDefinition(), triage });
    const theirInvitation = await seedInvitation(ctx, other, theirs);
    const ourOther = await seedOpenProcurement(ctx, w.org, { definition: smallDefinition(), triage, title: 'Another one' });
    const ourOtherInvitation = await seedInvitation(ctx, w.org, ourOther);
    const csrf = csrfFrom((await get(w.agent, '/sign-out')).text);
    const bases = [
      `/procurements/${theirs}/responses/${theirInvitation.responseId}`,
      `/procurements/${w.procurementId}/responses/${theirInvitation.responseId}`,
      `/procurements/${w.procurementId}/responses/${ourOtherInvitation.responseId}`,
      `/procurements/${ourOther}/responses/${w.acme.responseId}`,
      `/procurements/${w.procurementId}/responses/not-an-id`,
    ];
    for (const base of bases) {
      for (const url of [base, `${base}/clarify?question=b.hours`, `${base}/evidence/${evidenceId}`]) {
        const res = await get(w.agent, url);
        expect(res.status, url).toBe(404);
        expect(readPage(res.text).h1, url).toEqual(['Page not found']);
      }
      expect((await post(w.agent, `${base}/clarify`, { _csrf: csrf, questionKey: 'b.hours', question: 'Why?' })).status, base).toBe(404);
    }
    // An evidence id that is not this response's, and one that is not an id.
    expect((await get(w.agent, `${w.page}/evidence/${ourOtherInvitation.id}`)).status).toBe(404);
    expect((await get(w.agent, `${w.page}/evidence/not-an-id`)).status).toBe(404);
    // A question the questionnaire does not have.
    expect((await get(w.agent, `${w.page}/clarify?question=no.such`)).status).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/responses/${w.acme.responseId}/clarifications`, headers: bearer(w.org.admin.token) })).json().items).toEqual([]);
  });
});
