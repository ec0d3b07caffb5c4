import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { queryRows } from '../../../src/platform/db';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { keepForLook, readPdf } from '../../helpers/pdf';
import { staffCookie } from '../../helpers/staff';
import { smallDefinition } from '../questionnaires/fixtures';

/**
 * The assessment summary against the Procurement Regulations 2024, regulation 31, read back from
 * the PDFs the API serves: a successful supplier (Alpha), an unsuccessful one that was ranked
 * (Beta) and one that failed a gateway (Gamma).
 */

const BASE_URL = 'https://due-diligence.example-council.gov.uk';
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const flat = (text: string) => text.replace(/\s+/g, ' ');
type Method = 'GET' | 'POST' | 'PUT';

// Alpha's own words: in its own summary (the confidential one marked), never in another's.
const ALPHA_SECRET = 'ALPHASECRET signed consent schedule per dataset';
const ALPHA_ADDRESS = '1 Alpha Street, Leeds LS1 1AA';
const ALPHA_CDP = 'CDP-ALPHA-000123';
const GOOD_E1 = 'The answer names a signed consent schedule for each dataset, which is clear.';
const GOOD_E2 = 'Withdrawal of consent is described only in the DPA, not in the answer itself.';
const MODERATOR_NOTE = 'Agreed with the evaluator after reading the answer.';

/** The small questionnaire with question numbers, the supplier-detail questions the built-in bank asks, and a workforce section this use case does not show. */
function reg31Definition(): QuestionnaireDefinitionInput {
  const base = smallDefinition({ key: 'reg31-test' });
  const weights = { a: 50, b: 30, c: 0, d: 20 };
  const info = (key: string, ref: string, text: string) => ({ key, ref, text, guidance: 'For information.', type: 'short_text', required: false, limits: { maxLength: 300 }, scoring: { method: 'none' }, riskAreas: ['other'], sources: ['PA23'] });
  return {
    ...base,
    weights: { low: weights, medium: weights, high: weights, very_high: weights },
    sections: [
      { ...base.sections[0]!, ref: '1', questions: base.sections[0]!.questions.map((q, i) => ({ ...q, ref: `1.${i + 1}` })) },
      { ...base.sections[1]!, ref: '2', questions: base.sections[1]!.questions.map((q, i) => ({ ...q, ref: `2.${i + 1}` })) },
      {
        key: 'c',
        ref: '3',
        title: 'Supplier details',
        riskArea: 'other',
        questions: [info('viability.legal_name', '3.1', 'Your legal name?'), info('viability.cdp_identifier', '3.2', 'Your Central Digital Platform identifier?'), info('viability.registered_address', '3.3', 'Your registered address?')],
      },
      {
        key: 'd',
        ref: '4',
        title: 'Workforce',
        riskArea: 'other',
        showIf: { gte: { triage: 'triage.people', value: 100000 } },
        questions: [{ ...base.sections[1]!.questions[0]!, key: 'd.staff', ref: '4.1', text: 'Staff affected?' }],
      },
    ],
  } as QuestionnaireDefinitionInput;
}

async function reg31World(ctx: TestContext) {
  const call = (method: Method, url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const e1 = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve One' });
  const e2 = await seedUser(ctx, org, { role: 'evaluator', name: 'Evan Two' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: reg31Definition(), triage, title: 'Council tax chatbot', evaluatorIds: [e1.id, e2.id], moderatorId: moderator.id });
  const alpha = await seedInvitation(ctx, org, procurementId, { supplierName: 'Alpha AI' });
  const beta = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
  const gamma = await seedInvitation(ctx, org, procurementId, { supplierName: 'Gamma Models' });
  const put = async (token: string, answers: Record<string, object>) => expect((await call('PUT', '/v1/supplier/response/import', token, { answers })).statusCode).toBe(200);
  await put(alpha.token, {
    'a.training': { value: 'opt_in' },
    'a.training_detail': { value: ALPHA_SECRET, confidential: true, confidentialReason: 'Commercially sensitive process' },
    'b.hours': { value: 12 },
    'viability.legal_name': { value: 'Alpha AI Limited' },
    'viability.cdp_identifier': { value: ALPHA_CDP },
    'viability.registered_address': { value: ALPHA_ADDRESS },
  });
  await put(beta.token, { 'a.training': { value: 'never' }, 'b.hours': { value: 100 } });
  await put(gamma.token, { 'a.training': { value: 'default' }, 'b.hours': { value: 50 } });
  for (const s of [alpha, beta, gamma]) expect((await call('POST', '/v1/supplier/response/submit', s.token, { declaration: true })).statusCode).toBe(200);
  await call('POST', `/v1/procurements/${procurementId}/close`, org.admin.token);
  await call('POST', `/v1/procurements/${procurementId}/start-evaluation`, org.admin.token);
  for (const member of [e1, e2, moderator]) await call('POST', `/v1/procurements/${procurementId}/declarations`, member.token, { hasConflict: false, details: 'None' });
  const mark = async (who: typeof e1, justification: string) => {
    const res = await call('PUT', `/v1/responses/${alpha.responseId}/marks/a.training_detail`, who.token, { score: 3, justification });
    expect(res.statusCode, res.body).toBe(200);
  };
  const moderate = async () => {
    const res = await call('PUT', `/v1/responses/${alpha.responseId}/moderation/a.training_detail`, moderator.token, { score: 3, rationale: MODERATOR_NOTE });
    expect(res.statusCode, res.body).toBe(200);
  };
  const decide = async () => {
    const res = await call('POST', `/v1/procurements/${procurementId}/decision`, org.admin.token, { outcome: 'award', responseId: alpha.responseId, rationale: 'Highest score; every gateway passed.' });
    expect(res.statusCode, res.body).toBe(200);
  };
  const summary = (responseId: string) => call('GET', `/v1/responses/${responseId}/assessment-summary.pdf`, org.admin.token);
  const text = async (responseId: string) => {
    const res = await summary(responseId);
    expect(res.statusCode, res.body.slice(0, 400)).toBe(200);
    await keepForLook(`reg31-summary-${responseId}.pdf`, res.rawPayload);
    return flat((await readPdf(res.rawPayload)).text);
  };
  return { org, e1, e2, moderator, procurementId, alpha, beta, gamma, call, mark, moderate, decide, summary, text };
}

/** Each item of regulation 31 with its paragraph number, and what a summary shows for it. */
const REG_31: Array<{ paragraph: string; item: string; shows: (w: { methodologyUrl: string }) => Array<string | RegExp> }> = [
  { paragraph: '31(2)(a)', item: 'the name of the supplier', shows: () => ['Supplier name'] },
  { paragraph: '31(2)(b)', item: 'a contact postal address and email address for the supplier', shows: () => ['Contact postal address', 'Contact email address bids@acme.example'] },
  { paragraph: '31(2)(c)', item: 'the unique identifier for the supplier', shows: () => ['Unique identifier (Central Digital Platform)'] },
  { paragraph: '31(2)(d)(i)(aa)', item: 'the title of each award criterion', shows: () => ['1 Section A', '2 Section B', '4 Workforce'] },
  {
    paragraph: '31(2)(d)(i)(bb)',
    item: 'the relative importance of each criterion',
    // Published weights 50, 30, 0 and 20 add up to 100; Workforce does not apply, so the rest are rescaled and said to be.
    shows: () => ['Published weight', 'Weight applied', /1 Section A 50 62\.50 0 to 100/, /2 Section B 30 37\.50 0 to 100/, /4 Workforce 20 Does not apply/, /Total 100 100\.00/, 'Weights rescaled because the Workforce section does not apply'],
  },
  { paragraph: '31(2)(d)(i)(cc)', item: 'how each criterion was assessed by reference to scores, and the scores available', shows: () => ['The marking scale', '0 Unacceptable', '4 Excellent', 'Scores available'] },
  { paragraph: '31(2)(d)(ii)', item: 'where the full award criteria and methodology can be accessed', shows: ({ methodologyUrl }) => [methodologyUrl] },
  { paragraph: '31(2)(e)(i)', item: 'the score for each award criterion', shows: () => ['Your scores by criterion', /Your score for this criterion: \d+\.\d out of 100/] },
  { paragraph: '31(2)(e)(i)(aa)', item: 'an explanation of each score by reference to the tender', shows: () => ['Your answer: “'] },
  { paragraph: '31(2)(e)(i)(bb)', item: 'how the tender was assessed against each sub-criterion', shows: () => [/1\.1 Do you train on our data\? Your answer: “[^”]+”\. Scored \d of 4/, /2\.1 Incident notification hours\? Your answer: “\d+”\. Scored \d of 4/] },
  // Sub-totals are the criterion scores and points; the total's line says whether the points shown add up to it or are rounded.
  { paragraph: '31(2)(e)(ii)', item: 'the total score and any sub-total scores', shows: () => [/Total \d+\.\d/, /The points shown add up to the total shown|The points are rounded to two decimals and the total to one/] },
];

/** Regulation 31(3): what an unsuccessful supplier's summary adds. */
const REG_31_UNSUCCESSFUL: Array<{ paragraph: string; item: string; shows: Array<string | RegExp> }> = [
  { paragraph: '31(3)(c)', item: 'further explanation of why the contract is not awarded to the supplier', shows: ['Why the contract is not awarded to you', 'The contract goes to the most advantageous tender'] },
  {
    paragraph: '31(3)(d)',
    item: 'how the most advantageous tender was assessed against the award criteria, by reference to scores',
    shows: ['How the most advantageous tender was assessed', 'Scores of the most advantageous tender', /Its points 1 Section A 62\.50 75\.0 46\.88 2 Section B 37\.50 100\.0 37\.50 .*Total 84\.4/, 'Its relative advantages'],
  },
];

// A long address wraps after a slash, which reads back as a space there.
const contains = (text: string, needle: string | RegExp) => {
  const unwrapped = text.replace(/(\S)\/ (\S)/g, '$1/$2');
  return typeof needle === 'string' ? text.includes(needle) || unwrapped.includes(needle) : needle.test(text);
};

describe('assessment summaries under the Procurement Regulations 2024, regulation 31', () => {
  const ctx = useTestApp({ config: { PUBLIC_BASE_URL: BASE_URL } });

  it('contain every item of regulation 31, for the successful supplier and for each unsuccessful one', async () => {
    const w = await reg31World(ctx);
    await w.mark(w.e1, GOOD_E1);
    await w.mark(w.e2, GOOD_E2);
    await w.moderate();
    await w.decide();
    const methodologyUrl = `${BASE_URL}/published/procurements/${w.procurementId}/methodology`;
    const summaries = { 'Alpha AI (successful)': await w.text(w.alpha.responseId), 'Beta Bots (ranked second)': await w.text(w.beta.responseId), 'Gamma Models (failed a gateway)': await w.text(w.gamma.responseId) };
    for (const [who, text] of Object.entries(summaries)) {
      for (const { paragraph, item, shows } of REG_31) for (const needle of shows({ methodologyUrl })) expect(contains(text, needle), `${who}, reg. ${paragraph} (${item}): ${String(needle)}`).toBe(true);
      const unsuccessful = !who.includes('(successful)');
      for (const { paragraph, item, shows } of REG_31_UNSUCCESSFUL) for (const needle of shows) expect(contains(text, needle), `${who}, reg. ${paragraph} (${item}): ${String(needle)}`).toBe(unsuccessful);
    }
    const alpha = summaries['Alpha AI (successful)'];
    const beta = summaries['Beta Bots (ranked second)'];
    const gamma = summaries['Gamma Models (failed a gateway)'];

    // 31(2)(a)–(c): the supplier's own details where it gave them, and never an invented one where it did not.
    expect(alpha).toContain(`Contact postal address ${ALPHA_ADDRESS}`);
    expect(alpha).toContain(`Unique identifier (Central Digital Platform) ${ALPHA_CDP}`);
    expect(alpha).toContain('Legal name Alpha AI Limited');
    expect(beta).toContain('Contact postal address Not provided by the supplier');
    expect(beta).toContain('Unique identifier (Central Digital Platform) Not provided by the supplier');
    expect(alpha).toContain('Your tender was successful');
    expect(beta).toContain('Your tender was not successful. The council intends to award the contract to Alpha AI.');

    // A mark evaluators gave: their justifications, what the mark means and what the next mark up needed; never the moderator's note.
    expect(alpha).toContain(`The evaluators’ reasons: “${GOOD_E2}”; “${GOOD_E1}”.`);
    expect(alpha).toContain('A mark of 3 of 4 (Good) for this question means: Clear.');
    expect(alpha).toContain('To score 4 of 4 (Excellent) the answer needed: Excellent.');
    for (const text of Object.values(summaries)) expect(text).not.toContain(MODERATOR_NOTE);

    // 31(3)(c) for a tender that failed a gateway: its own answer and what would have passed.
    expect(gamma).toMatch(/Your tender could not be awarded the contract because it did not pass a gateway/);
    expect(gamma).toContain('1.1 Do you train on our data? Outcome: fail.');
    expect(gamma).toContain('Your answer: “By default”. What would have passed: “Never” or “Only with opt-in”.');
    expect(beta).toMatch(/Your tender scored 62\.5 out of 100 and ranked 2 of 2/);
    // Its relative advantages by question are scores on questions both were asked: a question shown to it alone would give away its answer.
    expect(gamma).toContain('2.1 Incident notification hours? It scored 4 of 4 (Excellent); yours 2 of 4 (Acceptable).');
    for (const text of [beta, gamma]) expect(text).not.toContain('1.2 Explain the opt-in.: it scored');

    // Confidential answers: the supplier's own are shown to it, marked; another's never appear.
    expect(alpha).toContain(`Your answer: “${ALPHA_SECRET}” (you marked this commercially confidential).`);
    for (const text of [beta, gamma]) for (const own of [ALPHA_SECRET, ALPHA_ADDRESS, ALPHA_CDP, GOOD_E1, 'Only with opt-in”. Scored']) expect(text).not.toContain(own);
    expect(alpha).not.toContain('By default');

    // The address printed is the public methodology page, readable without signing in.
    const page = await ctx.app.inject({ method: 'GET', url: new URL(methodologyUrl).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('How tenders are assessed');
  });

  it('refuses the summary while an evaluator’s justification is a stock phrase or too short, naming the question and the evaluator, and produces it once improved', async () => {
    const w = await reg31World(ctx);
    await w.mark(w.e1, 'As above.');
    await w.mark(w.e2, 'Good answer, agreed');
    await w.moderate();

    const refused = await w.summary(w.alpha.responseId);
    const problem = problemOf(refused);
    expect([refused.statusCode, problem.code]).toEqual([409, 'reports.justification_missing']);
    expect(problem.detail).toContain('Question 1.2, Eve One: the justification is a stock phrase');
    expect(problem.detail).toContain('Question 1.2, Evan Two: the justification is a stock phrase');
    expect(problem.errors).toEqual([
      { path: '/marks/a.training_detail', message: expect.stringContaining('Evan Two'), code: 'reports.justification_missing' },
      { path: '/marks/a.training_detail', message: expect.stringContaining('Eve One'), code: 'reports.justification_missing' },
    ]);
    // The other suppliers had no answer evaluators marked: nothing holds theirs up but the decision.
    expect(problemOf(await w.summary(w.beta.responseId)).code).toBe('reports.not_decided');

    // The console page says the same in words.
    const { cookie } = await staffCookie({ app: ctx.app, userId: w.org.admin.id });
    const page = await ctx.app.inject({ method: 'GET', url: `/procurements/${w.procurementId}/reports/responses/${w.alpha.responseId}/assessment-summary.pdf`, headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect(page.statusCode).toBe(409);
    expect(flat(page.body)).toContain('Question 1.2, Eve One: the justification is a stock phrase that does not refer to the tender.');

    // Too short is refused too; then both improve their justifications and the summary is produced.
    await w.mark(w.e1, 'Clear opt-in.');
    expect(problemOf(await w.summary(w.alpha.responseId)).detail).toContain('Question 1.2, Eve One: the justification is shorter than 30 characters');
    await w.mark(w.e1, GOOD_E1);
    await w.mark(w.e2, GOOD_E2);
    expect(problemOf(await w.summary(w.alpha.responseId)).code).toBe('reports.not_decided');
    await w.decide();
    expect(await w.text(w.alpha.responseId)).toContain(`“${GOOD_E1}”`);
  });

  it('lets an evaluator reword a weak justification after submitting, even after the decision, but never change the score', async () => {
    const w = await reg31World(ctx);
    await w.mark(w.e1, 'As above.');
    await w.mark(w.e2, GOOD_E2);
    for (const who of [w.e1, w.e2]) expect((await w.call('POST', `/v1/responses/${w.alpha.responseId}/marks/submit`, who.token)).statusCode).toBe(200);
    await w.moderate();
    await w.decide();
    expect(problemOf(await w.summary(w.alpha.responseId)).detail).toContain('Question 1.2, Eve One: the justification is a stock phrase');

    const url = `/v1/responses/${w.alpha.responseId}/marks/a.training_detail`;
    const otherScore = await w.call('PUT', url, w.e1.token, { score: 2, justification: GOOD_E1 });
    expect([otherScore.statusCode, problemOf(otherScore).code]).toEqual([409, 'evaluations.marks_submitted']);
    const reworded = await w.call('PUT', url, w.e1.token, { score: 3, justification: GOOD_E1 });
    expect(reworded.statusCode, reworded.body).toBe(200);
    expect(reworded.json()).toMatchObject({ score: 3, justification: GOOD_E1 });
    const audit = await queryRows<{ details: { previous: string; justification: string; score: number } }>(
      ctx.database.db,
      sql`select details from audit_events where action = 'evaluation.justification_reworded' and subject_id = ${w.alpha.responseId}`,
    );
    expect(audit.map((a) => a.details)).toEqual([expect.objectContaining({ previous: 'As above.', justification: GOOD_E1, score: 3 })]);
    expect(await w.text(w.alpha.responseId)).toContain(`“${GOOD_E1}”`);
  });

  it('keeps another council’s summaries at 404', async () => {
    const w = await reg31World(ctx);
    const other = await seedOrganisation(ctx);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/responses/${w.alpha.responseId}/assessment-summary.pdf`, headers: bearer(other.admin.token) })).statusCode).toBe(404);
  });
});
