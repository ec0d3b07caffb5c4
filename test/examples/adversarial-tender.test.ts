import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../helpers/app';
import { BUILT_IN_TRIAGE } from '../helpers/built-in-triage';
import { seedOrganisation, seedUser } from '../helpers/factories';
import { keepForLook, readPdf } from '../helpers/pdf';
import { PDF_HEAD } from '../helpers/uploads';
import { exampleAnswers, type Answer } from '../browser/built-in';

/**
 * The adversarial tender of the expert review, on the built-in bank: a supplier that declares a
 * conflict of interest, says it is the controller of council data, accepts the AI schedule "with
 * exceptions" that strike out audit rights, and makes automated decisions "with review". Under
 * 1.0.0 every one of those answers passes its gateway by rule and the tender can be awarded.
 * Under 1.1.0 the four gateways go to the panel: the tender is provisional, unranked and cannot be
 * awarded until the moderator decides them, and a conditional pass lands in the conditions register.
 */

const DAY = 24 * 60 * 60 * 1000;
const flat = (text: string) => text.replace(/\s+/g, ' ');
type Method = 'GET' | 'POST' | 'PUT';
type Gateway = { questionKey: string; ref: string | null; outcome: string; decidedBy: string; reason: string; review?: true };

/** The four gateways the review says need judgement, and the adversarial answer to each. */
const ADVERSARIAL: Record<string, Answer> = {
  'oversight.conflicts_of_interest': { value: 'declared' },
  'oversight.conflict_details': { value: 'Our sales director is married to the council’s head of digital, who sits on this panel.' },
  'data_protection.gdpr_role': { value: 'controller' },
  'contract.ai_schedule': { value: 'accept_with_exceptions' },
  'contract.ai_schedule_exceptions': { value: 'Clause 7 (audit rights) struck out: we do not allow customer audits of our models or data.' },
  'oversight.automated_decisions': { value: 'automated_with_review' },
  // Otherwise it answers as well as it can: at the high tier it must support a transparency record.
  'transparency.atrs_support': { value: 'yes' },
};
const REVIEWED = ['oversight.conflicts_of_interest', 'data_protection.gdpr_role', 'contract.ai_schedule', 'oversight.automated_decisions'];

async function tender(ctx: TestContext, version: string, answers: Record<string, Answer>) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const call = (method: Method, url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const ok = async (method: Method, url: string, token: string, payload?: object) => {
    const res = await call(method, url, token, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json();
  };
  const questionnaires = (await ok('GET', '/v1/questionnaires?builtIn=true&limit=100', org.admin.token)).items as Array<{ id: string; key: string; version: string }>;
  const questionnaire = questionnaires.find((q) => q.key === 'lga-responsible-ai' && q.version === version)!;
  expect(questionnaire, `built-in ${version}`).toBeDefined();
  const deadline = new Date(ctx.clock.now().getTime() + 14 * DAY).toISOString();
  // The chatbot also handles health information people disclose: special category data, so the high tier.
  const triage = { ...BUILT_IN_TRIAGE, 'triage.data_categories': ['personal', 'special_category'] };
  const procurement = await ok('POST', '/v1/procurements', org.admin.token, { title: 'Council tax chatbot', questionnaireId: questionnaire.id, deadline, triage, moderatorId: moderator.id });
  expect(procurement.riskTier).toBe('high');
  await ok('POST', `/v1/procurements/${procurement.id}/open`, org.admin.token);
  const invitation = await ok('POST', `/v1/procurements/${procurement.id}/invitations`, org.admin.token, { supplierName: 'Gamed AI Ltd', contactEmail: 'bids@gamed.example' });
  await ok('PUT', '/v1/supplier/response/import', invitation.token, { answers: { ...answers, ...ADVERSARIAL } });
  // Evidence for every question the first attempt says needs it, then submit.
  const first = await call('POST', '/v1/supplier/response/submit', invitation.token, { declaration: true });
  if (first.statusCode === 422) {
    for (const problem of problemOf(first).errors ?? []) {
      const key = problem.path.replace(/^\/evidence\//, '');
      expect(problem.path, problem.message).toBe(`/evidence/${key}`);
      const bytes = Buffer.concat([PDF_HEAD, Buffer.alloc(4096, `${key} evidence\n`)]);
      const uploaded = await supertest(ctx.app.server).post('/v1/supplier/response/evidence').set(bearer(invitation.token)).field('questionKey', key).attach('file', bytes, { filename: `${key}.pdf`, contentType: 'application/pdf' });
      expect(uploaded.status, uploaded.text).toBeLessThan(300);
    }
    await ok('POST', '/v1/supplier/response/submit', invitation.token, { declaration: true });
  }
  await ok('POST', `/v1/procurements/${procurement.id}/close`, org.admin.token);
  await ok('POST', `/v1/procurements/${procurement.id}/start-evaluation`, org.admin.token);
  await ok('POST', `/v1/procurements/${procurement.id}/declarations`, moderator.token, { hasConflict: false, details: 'None' });
  const responseId = invitation.responseId as string;
  // The moderator records a consensus mark of 3 for every written answer.
  const { questionsToMark } = await ok('GET', `/v1/responses/${responseId}/panel-view`, moderator.token);
  for (const key of questionsToMark as string[]) await ok('PUT', `/v1/responses/${responseId}/moderation/${key}`, moderator.token, { score: 3, rationale: 'Consensus of the panel.' });
  const evaluation = async () => ok('GET', `/v1/responses/${responseId}/evaluation`, org.admin.token);
  const results = async () => (await ok('GET', `/v1/procurements/${procurement.id}/results`, org.admin.token)).items[0];
  const award = () => call('POST', `/v1/procurements/${procurement.id}/decision`, org.admin.token, { outcome: 'award', responseId, rationale: 'Highest score.' });
  return { org, moderator, call, ok, responseId, evaluation, results, award };
}

describe('the adversarial tender on the built-in bank', () => {
  const ctx = useTestApp();

  it('under 1.0.0 passes every gateway by rule and can be awarded', async () => {
    const t = await tender(ctx, '1.0.0', await exampleAnswers());
    const evaluation = await t.evaluation();
    const gateways = evaluation.gateways as Gateway[];
    expect(gateways.filter((g) => REVIEWED.includes(g.questionKey)).map((g) => [g.questionKey, g.outcome, g.decidedBy])).toEqual(
      expect.arrayContaining(REVIEWED.map((key) => [key, 'pass', 'rule'])),
    );
    expect(gateways.filter((g) => g.outcome !== 'pass').map((g) => [g.questionKey, g.outcome, g.reason])).toEqual([]);
    expect(evaluation.provisional).toBe(false);
    const row = await t.results();
    expect([row.gatewaysPassed, row.rank]).toEqual([true, 1]);
    expect((await t.award()).statusCode).toBe(200);
  }, 240_000);

  it('under 1.1.0 is provisional, unranked and cannot be awarded until the panel decides the four gateways; a conditional pass is a numbered condition', async () => {
    const t = await tender(ctx, '1.1.0', await exampleAnswers());
    const gatewaysOf = async () => (await t.evaluation()).gateways as Gateway[];
    const reviewed = (await gatewaysOf()).filter((g) => REVIEWED.includes(g.questionKey));
    expect(reviewed.map((g) => [g.questionKey, g.outcome, g.review]).sort()).toEqual(REVIEWED.map((key) => [key, 'pending', true]).sort());
    const pending = await t.evaluation();
    expect(pending.provisional).toBe(true);
    expect(pending.outstanding).toEqual(expect.arrayContaining(reviewed.map((g) => `Gateway ${g.ref} needs a moderator decision.`)));
    expect(await t.results()).toMatchObject({ gatewaysPassed: false, rank: null, provisional: true });
    const refused = await t.award();
    expect([refused.statusCode, problemOf(refused).code]).toEqual([409, 'evaluations.provisional']);

    // The panel decides: the conflict is managed, the controller role and automated decisions are acceptable here,
    // and the struck-out audit rights must be reinstated before contract.
    const decide = (key: string, body: object) => t.ok('PUT', `/v1/responses/${t.responseId}/gateways/${key}`, t.moderator.token, body);
    await decide('oversight.conflicts_of_interest', { outcome: 'pass', rationale: 'The head of digital has left the panel; recorded on the register of interests.' });
    await decide('data_protection.gdpr_role', { outcome: 'pass', rationale: 'Joint controller arrangement reviewed by the DPO; an Article 26 agreement will be signed.' });
    await decide('oversight.automated_decisions', { outcome: 'pass', rationale: 'Decisions only about call routing; no significant effects on people.' });
    // Three decided, one to go: still provisional and unranked.
    expect(await t.results()).toMatchObject({ rank: null, provisional: true });
    await decide('contract.ai_schedule', { outcome: 'conditional', rationale: 'Audit rights are essential.', action: 'Reinstate clause 7 (audit rights) of the AI schedule', owner: 'Head of procurement', dueDate: '2027-02-28' });

    const decided = await t.evaluation();
    expect(decided.provisional).toBe(false);
    expect(decided.rating).not.toBe('acceptable');
    expect((await t.results())).toMatchObject({ gatewaysPassed: true, rank: 1 });
    const register = (await t.ok('GET', `/v1/responses/${t.responseId}/conditions`, t.org.admin.token)).conditions as Array<{ id: string; number: number; text: string; owner: string | null; dueDate: string | null; source: string }>;
    expect(register[0]).toMatchObject({
      id: 'gateway:contract.ai_schedule',
      number: 1,
      source: 'gateway',
      owner: 'Head of procurement',
      dueDate: '2027-02-28',
      text: expect.stringMatching(/^Reinstate clause 7 \(audit rights\) of the AI schedule \(gateway 10\.1 /),
    });
    // The exception the supplier took is a condition of its own, beside the gateway's.
    expect(register.map((c) => c.id)).toContain('exception:contract.ai_schedule');

    // The evaluation report the board reads: at the high tier this tender's score leaves high residual
    // risk, so its decision summary advises against it, says why in one sentence, names who decided
    // each gateway the panel decided, and numbers the conditions; headings never skip a level.
    expect(decided.rating).toBe('significant_concerns');
    const report = await t.call('GET', `/v1/responses/${t.responseId}/report.pdf`, t.org.admin.token);
    expect(report.statusCode).toBe(200);
    await keepForLook('adversarial-evaluation-report.pdf', report.rawPayload);
    const pdf = await readPdf(report.rawPayload);
    const front = flat(pdf.pages.slice(0, 4).join(' '));
    expect(front).toContain('Recommendation: Do not proceed. • The rating is “significant concerns”');
    expect(front).toMatch(/Rated significant concerns: a score of \d+\.\d out of 100 at the high risk tier gives high residual risk; gateway 10\.1 passed on conditions\./);
    // The four gateways the panel decided say who decided them; every other gateway, the rule.
    expect(front.match(/Mo Derator, moderator/g)).toHaveLength(4);
    expect(front).toContain('Conditional pass, due 28 February 2027');
    expect(front).toContain('Reinstate clause 7 (audit rights) of the AI schedule');
    expect(pdf.headingLevels[0]).toBe(1);
    expect(pdf.headingLevels.filter((level, i) => i > 0 && level > pdf.headingLevels[i - 1]! + 1)).toEqual([]);

    expect((await t.award()).statusCode).toBe(200);
  }, 240_000);
});
