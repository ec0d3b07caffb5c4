import { describe, expect, it } from 'vitest';
import { ukDayTime } from '../../../src/platform/format';
import { bearer, type TestContext, useTestApp } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { readPdf } from '../../helpers/pdf';
import { signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';
import { smallDefinition } from '../questionnaires/fixtures';

/**
 * What the panel decided about a response, as the evaluation report, the audit log and the results
 * page show it: each answer amended through a clarification (one accepted, one rejected, both
 * answers and both scores, who decided, when and why), each integrity flag with its rule and what
 * the panel recorded doing about it (or that nothing was recorded), and the moderator's sign-off.
 * Questions are numbered here, so the report and the log can be checked to name them by number.
 */
type Method = 'GET' | 'POST' | 'PUT';
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const flat = (text: string) => text.replace(/\s+/g, ' ');
const ACCEPT_REASON = 'Corrects the unit of a figure already given; no new offer.';
const REJECT_REASON = 'A new commitment on training, not a clarification of the tender.';
const FLAG_ACTION = 'The panel checked the clarification thread: the amendment corrects a unit only.';

function numbered() {
  const base = smallDefinition();
  // 1 Section A (1.1 a.training, 1.2 a.training_detail), 2 Section B (2.1 b.hours).
  return { ...base, sections: base.sections.map((s, i) => ({ ...s, ref: String(i + 1), questions: s.questions.map((q, j) => ({ ...q, ref: `${i + 1}.${j + 1}` })) })) };
}

async function world(ctx: TestContext) {
  const call = (method: Method, url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const evaluator = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve One' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: numbered(), triage, title: 'Council tax chatbot', evaluatorIds: [evaluator.id], moderatorId: moderator.id });
  const alpha = await seedInvitation(ctx, org, procurementId, { supplierName: 'Alpha AI' });
  ctx.clock.advance(1000);
  const beta = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
  const put = async (token: string, answers: Record<string, object>) => expect((await call('PUT', '/v1/supplier/response/import', token, { answers })).statusCode).toBe(200);
  await put(alpha.token, { 'a.training': { value: 'never' }, 'b.hours': { value: 48 } });
  await put(beta.token, { 'a.training': { value: 'never' }, 'b.hours': { value: 100 } });
  for (const s of [alpha, beta]) expect((await call('POST', '/v1/supplier/response/submit', s.token, { declaration: true })).statusCode).toBe(200);
  for (const step of ['close', 'start-evaluation']) expect((await call('POST', `/v1/procurements/${procurementId}/${step}`, org.admin.token)).statusCode).toBe(200);
  expect((await call('POST', `/v1/procurements/${procurementId}/declarations`, moderator.token, { hasConflict: false, details: 'None' })).statusCode).toBe(201);

  /** The officer asks about a question allowing an amendment; Alpha replies amending it to `value`. */
  const amend = async (questionKey: string, value: unknown) => {
    ctx.clock.advance(60_000);
    const asked = await call('POST', `/v1/responses/${alpha.responseId}/clarifications`, org.admin.token, { questionKey, question: `Please confirm your answer to ${questionKey}.`, allowAmend: true });
    expect(asked.statusCode, asked.body).toBe(201);
    ctx.clock.advance(60_000);
    const replied = await call('POST', `/v1/supplier/response/clarifications/${asked.json().id}/reply`, alpha.token, { reply: 'We meant something else.', amendedAnswer: { value } });
    expect(replied.statusCode, replied.body).toBe(200);
    return asked.json().id as string;
  };
  const hoursClarification = await amend('b.hours', 12);
  const trainingClarification = await amend('a.training', 'opt_in');
  const report = async () => {
    const res = await call('GET', `/v1/responses/${alpha.responseId}/report.pdf`, org.admin.token);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    return { res, pdf: await readPdf(res.rawPayload) };
  };

  /** The moderator accepts the hours amendment, rejects the training one, records an action on one flag only, and finalises. */
  const decideAll = async () => {
    const decide = (clarificationId: string, body: object) => call('POST', `/v1/responses/${alpha.responseId}/clarifications/${clarificationId}/amendment-decision`, moderator.token, body);
    ctx.clock.advance(60_000);
    const acceptedAt = ctx.clock.now().toISOString();
    expect((await decide(hoursClarification, { decision: 'accept', reason: ACCEPT_REASON })).statusCode).toBe(200);
    ctx.clock.advance(60_000);
    const rejectedAt = ctx.clock.now().toISOString();
    expect((await decide(trainingClarification, { decision: 'reject', reason: REJECT_REASON })).statusCode).toBe(200);
    const flags = (await call('GET', `/v1/responses/${alpha.responseId}/integrity-flags`, org.admin.token)).json().flags as Array<{ id: string; rule: string; questionKeys: string[] }>;
    expect(flags.map((f) => [f.rule, f.questionKeys])).toEqual([
      ['amended_after_submission', ['a.training']],
      ['amended_after_submission', ['b.hours']],
    ]);
    ctx.clock.advance(60_000);
    const actionAt = ctx.clock.now().toISOString();
    const hoursFlag = flags.find((f) => f.questionKeys[0] === 'b.hours')!;
    expect((await call('PUT', `/v1/responses/${alpha.responseId}/integrity-flags/${encodeURIComponent(hoursFlag.id)}/action`, moderator.token, { action: FLAG_ACTION })).statusCode).toBe(200);
    ctx.clock.advance(60_000);
    const finalisedAt = ctx.clock.now().toISOString();
    const finalised = await call('POST', `/v1/responses/${alpha.responseId}/evaluation/finalise`, moderator.token);
    expect(finalised.statusCode, finalised.body).toBe(200);
    return { acceptedAt, rejectedAt, actionAt, finalisedAt };
  };
  return { call, org, moderator, procurementId, alpha, beta, report, decideAll };
}

/** The text between two headings of the report (the first after `from`). */
function section(text: string, from: string, to: string): string {
  const start = text.indexOf(`\n${from}\n`);
  const end = text.indexOf(`\n${to}\n`, start + 1);
  expect([start, end].every((i) => i >= 0), `${from} … ${to}`).toBe(true);
  return flat(text.slice(start, end));
}

describe('the panel’s decisions in the evaluation report, the audit log and the results page', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('says the evaluation is provisional while amendments wait, naming each by its question number', async () => {
    const w = await world(ctx);
    const { pdf } = await w.report();
    const text = flat(pdf.text);
    expect(text).toContain('Provisional: 2 items outstanding');
    expect(text).toContain('Finalised Not yet: the moderator has not finalised this evaluation');
    const amended = section(pdf.text, 'Amended answers', 'Integrity flags');
    expect(amended).toContain('Some amendments await the moderator’s decision, so this evaluation is provisional.');
    expect(amended).toContain('2.1 Incident notification hours?');
    expect(amended).toContain('1.1 Do you train on our data?');
    expect(amended.match(/Awaiting the moderator’s decision: the answer before the amendment counts, and the evaluation is provisional until it is decided\./g)).toHaveLength(2);
    expect(amended.match(/Decided by Not yet decided/g)).toHaveLength(2);
    // Questions by number and text, never by their keys.
    expect(amended).not.toMatch(/b\.hours|a\.training/);
  });

  it('lists each amended answer with both answers, both scores and the decision, each flag with its rule and action, and who finalised it', async () => {
    const w = await world(ctx);
    const at = await w.decideAll();
    const { res, pdf } = await w.report();
    const text = flat(pdf.text);
    expect(text).not.toContain('Provisional');
    expect(text).toContain(`Status Complete: nothing outstanding Finalised Yes, by Mo Derator on ${ukDayTime(at.finalisedAt)}`);
    expect(pdf.outline.map((o) => o.title)).toEqual(['Evaluation report: Alpha AI', 'Summary', 'Conditions', '1 Section A', '2 Section B', 'Clarifications', 'Amended answers', 'Integrity flags', 'Appendix: who did what and when', 'Appendix: technical fingerprint']);

    const amended = section(pdf.text, 'Amended answers', 'Integrity flags');
    expect(amended).not.toMatch(/b\.hours|a\.training/);
    // Oldest first: the hours amendment, accepted, then the training one, rejected.
    const hours = amended.slice(amended.indexOf('2.1 Incident notification hours?'), amended.indexOf('1.1 Do you train on our data?'));
    expect(hours).toContain('Original answer 48 Original score 2 of 4 (Acceptable) Amended answer 12 Amended score 4 of 4 (Excellent)');
    expect(hours).toContain('Decision Accepted: the amended answer counts.');
    expect(hours).toContain(`Decided by Mo Derator on ${ukDayTime(at.acceptedAt)}`);
    expect(hours).toContain(`Reason ${ACCEPT_REASON}`);
    const training = amended.slice(amended.indexOf('1.1 Do you train on our data?'));
    expect(training).toContain('Original answer Never Original score 4 of 4 (Excellent) Amended answer Only with opt-in Amended score 3 of 4 (Good)');
    expect(training).toContain('Decision Rejected: the answer before the amendment counts.');
    expect(training).toContain(`Decided by Mo Derator on ${ukDayTime(at.rejectedAt)}`);
    expect(training).toContain(`Reason ${REJECT_REASON}`);
    expect(hours.indexOf('2.1')).toBeGreaterThanOrEqual(0);

    const flags = section(pdf.text, 'Integrity flags', 'Appendix: who did what and when');
    expect(flags).toContain('A flag never changes a score by itself.');
    const first = flags.slice(flags.indexOf('Flag 1 of 2'), flags.indexOf('Flag 2 of 2'));
    const second = flags.slice(flags.indexOf('Flag 2 of 2'));
    for (const flag of [first, second]) expect(flag).toContain('Rule An answer was amended after the response was submitted.');
    expect(first).toContain('Concerns 1.1 Do you train on our data?');
    expect(first).toContain('Panel’s action No action recorded');
    expect(first).not.toContain('Recorded by');
    expect(second).toContain('Concerns 2.1 Incident notification hours?');
    expect(second).toContain(`Panel’s action ${FLAG_ACTION}`);
    expect(second).toContain(`Recorded by Mo Derator on ${ukDayTime(at.actionAt)}`);

    // The appendix tells the same story in the audit log's words.
    const appendix = flat(pdf.text.slice(pdf.text.indexOf('\nAppendix: who did what and when\n')));
    // Questions named by their number and text, never their internal key.
    const named = (ref: string) => {
      const q = numbered().sections.flatMap((x) => x.questions).find((x) => x.ref === ref)!;
      return `${ref} “${q.text.length > 60 ? `${q.text.slice(0, 59).trimEnd()}…` : q.text}”`;
    };
    for (const words of [
      `Accepted an amended answer to question ${named('2.1')}: as submitted it scored 2 of 4, as amended 4 of 4; the amended answer counts`,
      `Rejected an amended answer to question ${named('1.1')}: as submitted it scored 4 of 4, as amended 3 of 4; the answer as submitted counts`,
      `Recorded what the panel did about an integrity flag about question ${named('2.1')}: ${FLAG_ACTION}`,
      'Finalised the evaluation',
    ])
      expect(appendix).toContain(words);

    // The same evaluation and decisions give the same file.
    const again = await w.report();
    expect(again.res.headers['x-report-id']).toBe(res.headers['x-report-id']);
    expect(Buffer.compare(again.res.rawPayload, res.rawPayload)).toBe(0);
  });

  it('audits each decision with who and what, and the console’s audit log says it in words', async () => {
    const w = await world(ctx);
    await w.decideAll();
    const events = (await w.call('GET', `/v1/audit-events?subjectId=${w.alpha.responseId}&limit=100`, w.org.admin.token)).json().items as Array<{
      action: string;
      actor: { type: string; id: string };
      details: Record<string, unknown>;
    }>;
    const accepted = events.find((e) => e.action === 'evaluation.amendment_accepted')!;
    expect(accepted.actor).toEqual({ type: 'user', id: w.moderator.id });
    expect(accepted.details).toMatchObject({ questionKey: 'b.hours', questionRef: '2.1', originalScore: 2, amendedScore: 4, reason: ACCEPT_REASON });
    expect(accepted.details).toMatchObject({ originalAnswerSha256: expect.stringMatching(/^[0-9a-f]{64}$/), amendedAnswerSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(events.find((e) => e.action === 'evaluation.amendment_rejected')!.details).toMatchObject({ questionKey: 'a.training', questionRef: '1.1', originalScore: 4, amendedScore: 3, reason: REJECT_REASON });
    const action = events.find((e) => e.action === 'evaluation.flag_action_recorded')!;
    expect(action.actor).toEqual({ type: 'user', id: w.moderator.id });
    expect(action.details).toMatchObject({ rule: 'amended_after_submission', questionKeys: ['b.hours'], questionRefs: ['2.1'], action: FLAG_ACTION, ruleText: 'An answer was amended after the response was submitted.' });

    const agent = await signedInAgent({ app: ctx.app, userId: w.org.admin.id });
    const card = async (action: string) => {
      const res = await agent.get(`/admin/audit?action=${action}`).set('accept', 'text/html').redirects(0);
      expect(res.status).toBe(200);
      const page = readPage(res.text);
      const cards = [...(page.document.querySelectorAll('.govuk-summary-card') as unknown as Iterable<{ querySelector(s: string): { textContent: string | null } | null; textContent: string | null }>)];
      expect(cards).toHaveLength(1);
      return { title: flat(cards[0]!.querySelector('.govuk-summary-card__title')?.textContent ?? '').trim(), text: flat(cards[0]!.textContent ?? '') };
    };
    const acceptedCard = await card('evaluation.amendment_accepted');
    expect(acceptedCard.title).toBe('Accepted an amended answer to question 2.1: as submitted it scored 2 of 4, as amended 4 of 4; the amended answer counts');
    expect(acceptedCard.text).toContain('Mo Derator');
    expect(acceptedCard.text).toContain(`reason: ${ACCEPT_REASON}`);
    expect((await card('evaluation.amendment_rejected')).title).toBe('Rejected an amended answer to question 1.1: as submitted it scored 4 of 4, as amended 3 of 4; the answer as submitted counts');
    expect((await card('evaluation.flag_action_recorded')).title).toBe(`Recorded what the panel did about an integrity flag about question 2.1: ${FLAG_ACTION}`);
    expect((await card('evaluation.finalised')).title).toBe('Finalised the evaluation');
  }, 60_000);

  it('shows on the results page who finalised each evaluation and when, and which are not finalised yet', async () => {
    const w = await world(ctx);
    const at = await w.decideAll();
    const agent = await signedInAgent({ app: ctx.app, userId: w.org.admin.id });
    const res = await agent.get(`/procurements/${w.procurementId}/results`).redirects(0);
    expect(res.status).toBe(200);
    const { document } = readPage(res.text);
    const rows = [...(document.querySelectorAll('table tbody tr') as unknown as Iterable<{ textContent: string | null }>)].map((r) => flat(r.textContent ?? '').trim());
    const alpha = rows.find((r) => r.includes('Alpha AI'));
    const beta = rows.find((r) => r.includes('Beta Bots'));
    expect(alpha).toContain(`Finalised by Mo Derator on ${ukDayTime(at.finalisedAt)}`);
    expect(beta).toContain('Complete, not yet finalised by the moderator');
    expect(beta).not.toContain('Finalised by');
    const results = (await w.call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json();
    expect(results.items.find((r: { supplierName: string }) => r.supplierName === 'Alpha AI')).toMatchObject({ finalisedAt: at.finalisedAt, finalisedBy: w.moderator.id });
    expect(results.items.find((r: { supplierName: string }) => r.supplierName === 'Beta Bots')).toMatchObject({ finalisedAt: null, finalisedBy: null });
  }, 60_000);
});
