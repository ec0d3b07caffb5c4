import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { readPdf } from '../../helpers/pdf';
import { smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
type Method = 'GET' | 'POST' | 'PUT';

// Words that must never leave the council in another document than the evaluation report.
const ALPHA_SECRET = 'ALPHASECRET signed opt-in schedule per dataset';
const BETA_COMMENT = 'BETACOMMENT our DPA clause 7';

function api(ctx: TestContext) {
  return (method: Method, url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });
}

/**
 * Two suppliers submit (Alpha with a confidential free-text answer, Beta with a comment), one
 * clarification is asked and answered, the panel marks and moderates, and the procurement is
 * being evaluated: the evaluation report is final for both.
 */
async function reportWorld(ctx: TestContext) {
  const call = api(ctx);
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const e1 = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve One' });
  const e2 = await seedUser(ctx, org, { role: 'evaluator', name: 'Evan Two' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, title: 'Council tax chatbot', evaluatorIds: [e1.id, e2.id], moderatorId: moderator.id });
  const a = await seedInvitation(ctx, org, procurementId, { supplierName: 'Alpha AI' });
  ctx.clock.advance(1000);
  const b = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
  const put = async (token: string, answers: Record<string, object>) => expect((await call('PUT', '/v1/supplier/response/import', token, { answers })).statusCode).toBe(200);
  await put(a.token, {
    'a.training': { value: 'opt_in' },
    'a.training_detail': { value: ALPHA_SECRET, confidential: true, confidentialReason: 'Commercially sensitive process' },
    'b.hours': { value: 12 },
  });
  await put(b.token, { 'a.training': { value: 'never', comment: BETA_COMMENT }, 'b.hours': { value: 100 } });
  for (const s of [a, b]) expect((await call('POST', '/v1/supplier/response/submit', s.token, { declaration: true })).statusCode).toBe(200);

  ctx.clock.advance(60_000);
  const asked = await call('POST', `/v1/responses/${a.responseId}/clarifications`, org.admin.token, { questionKey: 'b.hours', question: 'Are those 12 calendar hours?', allowAmend: false });
  expect(asked.statusCode, asked.body).toBe(201);
  ctx.clock.advance(60_000);
  expect((await call('POST', `/v1/supplier/response/clarifications/${asked.json().id}/reply`, a.token, { reply: 'Yes, calendar hours, weekends included.' })).statusCode).toBe(200);

  await call('POST', `/v1/procurements/${procurementId}/close`, org.admin.token);
  await call('POST', `/v1/procurements/${procurementId}/start-evaluation`, org.admin.token);
  for (const member of [e1, e2, moderator]) await call('POST', `/v1/procurements/${procurementId}/declarations`, member.token, { hasConflict: false, details: 'None' });
  ctx.clock.advance(60_000);
  await call('PUT', `/v1/responses/${a.responseId}/marks/a.training_detail`, e1.token, { score: 3, justification: 'Eve: clear written consent per dataset.' });
  await call('PUT', `/v1/responses/${a.responseId}/marks/a.training_detail`, e2.token, { score: 2, justification: 'Evan: withdrawal of consent not described.' });
  return { org, e1, e2, moderator, procurementId, a, b, call };
}

async function moderateAlpha(w: Awaited<ReturnType<typeof reportWorld>>, ctx: TestContext) {
  ctx.clock.advance(60_000);
  const moderated = await w.call('PUT', `/v1/responses/${w.a.responseId}/moderation/a.training_detail`, w.moderator.token, { score: 3, rationale: 'Consensus: consent is clear and withdrawal is in the DPA.' });
  expect(moderated.statusCode, moderated.body).toBe(200);
}

async function decide(w: Awaited<ReturnType<typeof reportWorld>>) {
  const results = (await w.call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json();
  const winner = results.items.find((r: { rank: number | null }) => r.rank === 1);
  const decided = await w.call('POST', `/v1/procurements/${w.procurementId}/decision`, w.org.admin.token, { outcome: 'award', responseId: winner.responseId, rationale: 'Highest score; every gateway passed.' });
  expect(decided.statusCode, decided.body).toBe(200);
  return { winner, loser: results.items.find((r: { responseId: string }) => r.responseId !== winner.responseId) };
}

/** Each needle's position, searching after the previous one: -1 from the first that is missing or out of order. */
function inOrder(text: string, needles: string[]): number[] {
  let from = 0;
  return needles.map((needle) => {
    const at = from < 0 ? -1 : text.indexOf(needle, from);
    from = at < 0 ? -1 : at + needle.length;
    return at;
  });
}
/** Text with every run of white space as one space: table cells and paragraphs wrap where they will. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('PDF reports through the API', () => {
  const ctx = useTestApp();

  it('writes an evaluation report a reader can check: scores, working, marks, clarifications, who did what', async () => {
    const w = await reportWorld(ctx);
    await moderateAlpha(w, ctx);
    const evaluation = (await w.call('GET', `/v1/responses/${w.a.responseId}/evaluation`, w.org.admin.token)).json();
    const res = await w.call('GET', `/v1/responses/${w.a.responseId}/report.pdf`, w.org.admin.token);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="evaluation-report-alpha-ai.pdf"; filename*=UTF-8''evaluation-report-alpha-ai.pdf`);
    expect(res.headers['x-evaluation-hash']).toBe(evaluation.inputsHash);

    const pdf = await readPdf(res.rawPayload);
    const text = flat(pdf.text);
    expect(text).toContain('Evaluation report: Alpha AI');
    expect(text).toContain('Example Borough Council');
    expect(text).toContain(`${evaluation.overallScore.toFixed(1)} out of 100`);
    expect(text).toContain(evaluation.gateways[0].reason);
    expect(text).toContain('Status Complete: nothing outstanding Finalised Not yet: the moderator has not finalised this evaluation');
    // Sections in order, each with every visible question, its answer, score and working.
    const order = inOrder(pdf.text, ['\nSummary\n', '\nSection A\n', 'Do you train on our data?', 'Explain the opt-in.', '\nSection B\n', 'Incident notification hours?', '\nClarifications\n', 'Appendix: who did what and when']);
    expect(order.every((i) => i >= 0), JSON.stringify(order)).toBe(true);
    expect(text).toContain('Only with opt-in');
    // The conditions register of GET /v1/responses/{id}/conditions, numbered as there.
    const register = (await w.call('GET', `/v1/responses/${w.a.responseId}/conditions`, w.org.admin.token)).json().conditions as Array<{ number: number; text: string }>;
    expect(register.length).toBeGreaterThan(0);
    for (const c of register) expect(text).toContain(`${c.number} ${c.text}`);
    expect(text).toContain(evaluation.questions.find((q: { key: string }) => q.key === 'b.hours').working[0]);
    // Confidential answers are shown to the council, and marked.
    expect(text).toContain(ALPHA_SECRET);
    expect(text).toContain('Marked commercially confidential by the supplier: Commercially sensitive process');
    // Each evaluator's mark and justification, and the moderated mark with its rationale.
    expect(text).toMatch(/Evaluator Eve One: 3 of 4 \(Good\)/);
    expect(text).toContain('Evan: withdrawal of consent not described.');
    expect(text).toMatch(/Moderated mark by Mo Derator: 3 of 4 \(Good\)/);
    expect(text).toContain('Are those 12 calendar hours?');
    expect(text).toContain('Yes, calendar hours, weekends included.');
    for (const step of ['Invited the supplier', 'Submitted the response', 'Asked a clarification', 'Marked a question', 'Moderated a mark']) expect(text).toContain(step);
    // Every page carries the marking, the reference and its number.
    expect(pdf.numPages).toBeGreaterThanOrEqual(4);
    expect(pdf.numPages).toBeLessThan(15);
    pdf.pages.forEach((page, i) => {
      expect(page).toContain('OFFICIAL-SENSITIVE: COMMERCIAL');
      expect(page).toContain(`Page ${i + 1} of ${pdf.numPages}`);
    });
    expect(pdf.outline.map((o) => o.title)).toEqual(['Evaluation report: Alpha AI', 'Summary', 'Conditions', 'Section A', 'Section B', 'Clarifications', 'Amended answers', 'Integrity flags', 'Appendix: who did what and when', 'Appendix: technical fingerprint']);
  });

  it('returns the stored file while the evaluation is unchanged, and a new one when it changes', async () => {
    const w = await reportWorld(ctx);
    const url = `/v1/responses/${w.a.responseId}/report.pdf`;
    const first = await w.call('GET', url, w.org.admin.token);
    expect(first.statusCode).toBe(200);
    expect((await readPdf(first.rawPayload)).text).toContain('Provisional: 1 item outstanding');
    ctx.clock.advance(3_600_000);
    const again = await w.call('GET', url, w.org.admin.token);
    expect(Buffer.compare(first.rawPayload, again.rawPayload)).toBe(0);
    expect(again.headers['x-report-id']).toBe(first.headers['x-report-id']);
    expect(again.headers.etag).toBe(`"${first.headers['x-content-sha256']}"`);
    expect((await w.call('GET', url, w.org.admin.token, undefined, { 'if-none-match': String(first.headers.etag) })).statusCode).toBe(304);

    // Recomputing an unchanged evaluation keeps its date, so the report is still the same file.
    expect((await w.call('POST', `/v1/procurements/${w.procurementId}/evaluations/recompute`, w.org.admin.token)).json()).toMatchObject({ changed: 0 });
    expect((await w.call('GET', url, w.org.admin.token)).headers['x-report-id']).toBe(first.headers['x-report-id']);

    await moderateAlpha(w, ctx);
    const changed = await w.call('GET', url, w.org.admin.token);
    expect(changed.headers['x-report-id']).not.toBe(first.headers['x-report-id']);
    expect(changed.headers['x-content-sha256']).not.toBe(first.headers['x-content-sha256']);
    const text = flat((await readPdf(changed.rawPayload)).text);
    expect(text).not.toContain('Provisional');
    expect(text).toContain('Consensus: consent is clear and withdrawal is in the DPA.');

    const events = (await w.call('GET', '/v1/audit-events?limit=100', w.org.admin.token)).json().items.filter((e: { action: string }) => e.action === 'report.generated');
    expect(events).toHaveLength(2);
    expect(events.map((e: { details: { sha256: string } }) => e.details.sha256).sort()).toEqual([first.headers['x-content-sha256'], changed.headers['x-content-sha256']].sort());
    expect(events[0]).toMatchObject({ subject: { type: 'response', id: w.a.responseId }, details: { kind: 'evaluation' } });
  });

  it('compares every evaluated response side by side, ranked', async () => {
    const w = await reportWorld(ctx);
    await moderateAlpha(w, ctx);
    const { winner, loser } = await decide(w);
    const res = await w.call('GET', `/v1/procurements/${w.procurementId}/comparison.pdf`, w.org.admin.token);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-disposition']).toContain('filename="comparison-report-council-tax-chatbot.pdf"');
    const text = flat((await readPdf(res.rawPayload)).text);
    expect(text).toContain('Comparison report: Council tax chatbot');
    expect(text).toContain(`Awarded to ${winner.supplierName}`);
    // The overall table lists the winner first, with its score and rank.
    expect(text).toMatch(new RegExp(`1\\s+${winner.supplierName}\\s+${winner.overallScore.toFixed(1)}`));
    expect(text.indexOf(winner.supplierName, text.indexOf('Overall results'))).toBeLessThan(text.indexOf(loser.supplierName, text.indexOf('Overall results')));
    for (const heading of ['Section scores out of 100', 'Question scores in Section A', 'Question scores in Section B', 'Incident notification hours?']) expect(text).toContain(heading);
    // Scores, never answers.
    expect(text).not.toContain(ALPHA_SECRET);
    expect(text).not.toContain(BETA_COMMENT);
  });

  it('writes each bidder an assessment summary from its own answers (its confidential ones marked), never another bidder’s answers', async () => {
    const w = await reportWorld(ctx);
    await moderateAlpha(w, ctx);
    const early = await w.call('GET', `/v1/responses/${w.a.responseId}/assessment-summary.pdf`, w.org.admin.token);
    expect([early.statusCode, problemOf(early).code]).toEqual([409, 'reports.not_decided']);
    const { winner, loser } = await decide(w);

    const read = async (responseId: string) => {
      const res = await w.call('GET', `/v1/responses/${responseId}/assessment-summary.pdf`, w.org.admin.token);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      return { text: flat((await readPdf(res.rawPayload)).text), disposition: String(res.headers['content-disposition']) };
    };
    const won = await read(winner.responseId);
    const lost = await read(loser.responseId);
    expect(won.text).toContain('Your tender was successful');
    expect(lost.text).toContain(`Your tender was not successful. The council intends to award the contract to ${winner.supplierName}.`);
    expect(lost.text).toContain('Why the contract is not awarded to you');
    expect(lost.text).toContain(`That was the tender from ${winner.supplierName}, with ${winner.overallScore.toFixed(1)} out of 100`);
    expect(lost.disposition).toContain(`assessment-summary-${loser.supplierName.toLowerCase().replace(/ /g, '-')}.pdf`);
    for (const { text } of [won, lost]) {
      expect(text).toContain('section 50(3) of the Procurement Act 2023');
      for (const column of ['Criterion', 'Published weight', 'Weight applied', 'Your points', 'Total']) expect(text).toContain(column);
      // No other bidder's answers or comments.
      expect(text).not.toContain(BETA_COMMENT);
    }
    const alpha = winner.supplierName === 'Alpha AI' ? won : lost;
    const beta = winner.supplierName === 'Alpha AI' ? lost : won;
    expect(alpha.text).toContain('Your answer: “Only with opt-in”. Scored 3 of 4 (Good).');
    // Its own confidential answer is its own: shown to it, marked (issue 19 item 8); never to Beta.
    expect(alpha.text).toContain(`Your answer: “${ALPHA_SECRET}” (you marked this commercially confidential).`);
    expect(beta.text).not.toContain(ALPHA_SECRET);
    // A mark evaluators gave is explained by their justifications, never the moderator's process note.
    expect(alpha.text).toContain('The evaluators’ reasons: “Evan: withdrawal of consent not described.”; “Eve: clear written consent per dataset.”.');
    expect(alpha.text).not.toContain('Consensus: consent is clear and withdrawal is in the DPA.');
    expect(alpha.text).not.toContain('Your answer: “Never”');
    expect(beta.text).toContain('Your answer: “Never”');
    expect(beta.text).toContain('Your answer: “100”');
    expect(alpha.text).not.toContain('Your answer: “100”');
    expect(beta.text).not.toContain('Your answer: “Only with opt-in”');
  });

  it('keeps reports to those who may read evaluations: another council gets 404, an evaluator 403, a reports:read key may read', async () => {
    const w = await reportWorld(ctx);
    const other = await seedOrganisation(ctx);
    for (const url of [`/v1/responses/${w.a.responseId}/report.pdf`, `/v1/procurements/${w.procurementId}/comparison.pdf`, `/v1/responses/${w.a.responseId}/assessment-summary.pdf`]) {
      const res = await w.call('GET', url, other.admin.token);
      expect(res.statusCode, url).toBe(404);
    }
    // Marking is blind: an evaluator who is not the moderator cannot read the others' marks in a report.
    const evaluator = await w.call('GET', `/v1/responses/${w.a.responseId}/report.pdf`, w.e1.token);
    expect([evaluator.statusCode, problemOf(evaluator).code]).toEqual([403, 'evaluations.not_moderator']);
    expect((await w.call('GET', `/v1/responses/${w.a.responseId}/report.pdf`, w.moderator.token)).statusCode).toBe(200);
    const key = await seedApiKey(ctx, w.org, { scopes: ['reports:read'] });
    expect((await w.call('GET', `/v1/procurements/${w.procurementId}/comparison.pdf`, key.token)).statusCode).toBe(200);
    // The scores alone no longer reach the PDFs (test/platform/scopes.test.ts has every case).
    const noScope = await seedApiKey(ctx, w.org, { scopes: ['scores:read'] });
    expect((await w.call('GET', `/v1/procurements/${w.procurementId}/comparison.pdf`, noScope.token)).statusCode).toBe(403);
    expect((await w.call('GET', `/v1/responses/not-a-uuid/report.pdf`, w.org.admin.token)).statusCode).toBe(400);
  });

  it('refuses a comparison before any response is evaluated', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    await seedInvitation(ctx, org, procurementId);
    const res = await api(ctx)('GET', `/v1/procurements/${procurementId}/comparison.pdf`, org.admin.token);
    expect([res.statusCode, problemOf(res).code]).toEqual([409, 'reports.no_evaluations']);
  });
});
