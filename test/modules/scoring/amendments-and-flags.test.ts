import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

/**
 * A clarification may let a supplier amend an answer after the deadline. That must not quietly
 * improve its tender: the amendment counts only once the moderator accepts it, saying why it is a
 * clarification and not a new tender; until then the evaluation scores the answer as submitted and
 * is provisional. Here "b.hours" was submitted as 48 (band 24–72: 2 of 4) and amended to 12 (4 of 4).
 */
type Method = 'GET' | 'POST' | 'PUT';
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

async function world(ctx: TestContext) {
  const call = (method: Method, url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const org = await seedOrganisation(ctx);
  const evaluator = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve One' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, evaluatorIds: [evaluator.id], moderatorId: moderator.id });
  const supplier = await seedInvitation(ctx, org, procurementId, { supplierName: 'Alpha AI' });
  const answers = { 'a.training': { value: 'never' }, 'b.hours': { value: 48 } };
  expect((await call('PUT', '/v1/supplier/response/import', supplier.token, { answers })).statusCode).toBe(200);
  expect((await call('POST', '/v1/supplier/response/submit', supplier.token, { declaration: true })).statusCode).toBe(200);
  for (const step of ['close', 'start-evaluation']) expect((await call('POST', `/v1/procurements/${procurementId}/${step}`, org.admin.token)).statusCode).toBe(200);
  expect((await call('POST', `/v1/procurements/${procurementId}/declarations`, moderator.token, { hasConflict: false, details: 'None' })).statusCode).toBe(201);

  /** The officer asks about b.hours allowing an amendment; the supplier replies with `value`. */
  const amend = async (value: number) => {
    const asked = await call('POST', `/v1/responses/${supplier.responseId}/clarifications`, org.admin.token, { questionKey: 'b.hours', question: 'Working or calendar hours?', allowAmend: true });
    expect(asked.statusCode, asked.body).toBe(201);
    const replied = await call('POST', `/v1/supplier/response/clarifications/${asked.json().id}/reply`, supplier.token, { reply: 'Calendar hours; we meant 12.', amendedAnswer: { value } });
    expect(replied.statusCode, replied.body).toBe(200);
    return asked.json().id as string;
  };
  const evaluation = async () => (await call('GET', `/v1/responses/${supplier.responseId}/evaluation`, org.admin.token)).json();
  const hours = async () => (await evaluation()).questions.find((q: { key: string }) => q.key === 'b.hours');
  const decide = (clarificationId: string, token: string, body: object) => call('POST', `/v1/responses/${supplier.responseId}/clarifications/${clarificationId}/amendment-decision`, token, body);
  const audit = async () => (await call('GET', `/v1/audit-events?subjectId=${supplier.responseId}&limit=100`, org.admin.token)).json().items as Array<{ action: string; details: Record<string, unknown> }>;
  return { org, evaluator, moderator, supplier, amend, evaluation, hours, decide, audit, call };
}

describe('clarification amendments need the moderator', () => {
  const ctx = useTestApp();

  it('scores the answer as submitted while an amendment waits, and keeps the evaluation provisional', async () => {
    const w = await world(ctx);
    expect((await w.hours()).score).toBe(2);
    const clarificationId = await w.amend(12);
    const pending = await w.evaluation();
    const hours = pending.questions.find((q: { key: string }) => q.key === 'b.hours');
    expect(hours.score).toBe(2);
    expect(hours.amendment).toEqual({ clarificationId, status: 'pending', originalScore: 2, amendedScore: 4, decidedBy: null, reason: null });
    expect(pending.provisional).toBe(true);
    expect(pending.outstanding).toContain('Question "Incident notification hours?": an amended answer awaits the moderator’s decision.');
  });

  it('counts an accepted amendment, showing both scores and who accepted it and why, in the evaluation and the audit log', async () => {
    const w = await world(ctx);
    const clarificationId = await w.amend(12);
    const accepted = await w.decide(clarificationId, w.moderator.token, { decision: 'accept', reason: 'Corrects the unit of a figure already given; no new offer.' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const hours = (await w.hours());
    expect(hours.score).toBe(4);
    expect(hours.amendment).toEqual({ clarificationId, status: 'accepted', originalScore: 2, amendedScore: 4, decidedBy: w.moderator.id, reason: 'Corrects the unit of a figure already given; no new offer.' });
    expect(hours.working.join(' ')).toMatch(/amended in reply to a clarification and accepted by the moderator: Corrects the unit of a figure already given; no new offer. As submitted it scored 2, as amended 4; the amended answer counts./);
    expect((await w.evaluation()).provisional).toBe(false);
    const event = (await w.audit()).find((e) => e.action === 'evaluation.amendment_accepted')!;
    expect(event.details).toMatchObject({ clarificationId, questionKey: 'b.hours', originalScore: 2, amendedScore: 4, reason: 'Corrects the unit of a figure already given; no new offer.' });
    // The audit log is readable with `audit:read` alone, so the answers appear there by hash.
    expect(event.details).toMatchObject({ originalAnswerSha256: expect.stringMatching(/^[0-9a-f]{64}$/), amendedAnswerSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(event.details)).not.toMatch(/"value"/);
  });

  it('leaves the original scoring when the moderator rejects the amendment, and decides each amendment once', async () => {
    const w = await world(ctx);
    const clarificationId = await w.amend(12);
    const rejected = await w.decide(clarificationId, w.moderator.token, { decision: 'reject', reason: 'A new commitment, not a clarification of the tender.' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    const hours = await w.hours();
    expect([hours.score, hours.amendment.status, hours.amendment.amendedScore]).toEqual([2, 'rejected', 4]);
    expect((await w.evaluation()).provisional).toBe(false);
    expect((await w.audit()).some((e) => e.action === 'evaluation.amendment_rejected')).toBe(true);
    const twice = await w.decide(clarificationId, w.moderator.token, { decision: 'accept', reason: 'Changed my mind.' });
    expect([twice.statusCode, problemOf(twice).code]).toEqual([409, 'evaluations.amendment_decided']);
  });

  it('refuses anyone but the moderator, a missing reason, a clarification without an amendment, and another council', async () => {
    const w = await world(ctx);
    const clarificationId = await w.amend(12);
    const byEvaluator = await w.decide(clarificationId, w.evaluator.token, { decision: 'accept', reason: 'Fine.' });
    expect(byEvaluator.statusCode).toBe(403);
    const byAdmin = await w.decide(clarificationId, w.org.admin.token, { decision: 'accept', reason: 'Fine.' });
    expect(byAdmin.statusCode).toBe(403);
    const noReason = await w.decide(clarificationId, w.moderator.token, { decision: 'accept', reason: '  ' });
    expect(noReason.statusCode).toBe(422);
    const plain = await w.call('POST', `/v1/responses/${w.supplier.responseId}/clarifications`, w.org.admin.token, { questionKey: 'a.training', question: 'Never at all?', allowAmend: false });
    await w.call('POST', `/v1/supplier/response/clarifications/${plain.json().id}/reply`, w.supplier.token, { reply: 'Never.' });
    const nothing = await w.decide(plain.json().id, w.moderator.token, { decision: 'accept', reason: 'Fine.' });
    expect([nothing.statusCode, problemOf(nothing).code]).toEqual([409, 'evaluations.no_amendment']);
    const unknown = await w.decide('00000000-0000-4000-8000-000000000000', w.moderator.token, { decision: 'accept', reason: 'Fine.' });
    expect(unknown.statusCode).toBe(404);
    const other = await seedOrganisation(ctx);
    const foreign = await w.decide(clarificationId, other.admin.token, { decision: 'accept', reason: 'Fine.' });
    expect(foreign.statusCode).toBe(404);
    expect((await w.hours()).amendment.status).toBe('pending');
  });
});

describe('integrity flags through the API', () => {
  const ctx = useTestApp();

  it('lists each flag with its rule, lets the moderator record what the panel did, and keeps flags to those who may see them', async () => {
    const w = await world(ctx);
    // The panel's evaluator declares a conflict of interest: that raises a flag on every response.
    const declared = await w.call('POST', `/v1/procurements/${(await w.evaluation()).procurementId}/declarations`, w.evaluator.token, { hasConflict: true, details: 'My brother works for Alpha AI.' });
    expect(declared.statusCode, declared.body).toBe(201);
    ctx.clock.advance(60_000);
    await w.amend(12);
    const before = await w.evaluation();

    const flagsUrl = `/v1/responses/${w.supplier.responseId}/integrity-flags`;
    const listed = await w.call('GET', flagsUrl, w.org.admin.token);
    expect(listed.statusCode, listed.body).toBe(200);
    const flags = listed.json().flags as Array<{ id: string; rule: string; ruleText: string; questionKeys: string[]; message: string; action: unknown }>;
    expect(flags.map((f) => f.rule)).toEqual(['conflict_declared', 'amended_after_submission']);
    expect(flags[1]).toMatchObject({ questionKeys: ['b.hours'], action: null, ruleText: 'An answer was amended after the response was submitted.' });

    // Only the moderator records an action; the flag must be one the response raises.
    const actionUrl = (id: string) => `${flagsUrl}/${encodeURIComponent(id)}/action`;
    const byOfficer = await w.call('PUT', actionUrl(flags[0]!.id), w.org.admin.token, { action: 'Noted.' });
    expect(byOfficer.statusCode).toBe(403);
    const unknown = await w.call('PUT', actionUrl('evidence_reused:0000'), w.moderator.token, { action: 'Noted.' });
    expect([unknown.statusCode, problemOf(unknown).code]).toEqual([404, 'evaluations.flag_not_found']);
    const recorded = await w.call('PUT', actionUrl(flags[0]!.id), w.moderator.token, { action: 'An officer moved Eve One off this response; marked by the others.' });
    expect(recorded.statusCode, recorded.body).toBe(200);
    expect(recorded.json().flags[0].action).toMatchObject({ text: 'An officer moved Eve One off this response; marked by the others.', recordedBy: w.moderator.id });
    expect((await w.audit()).some((e) => e.action === 'evaluation.flag_action_recorded' && e.details.flagId === flags[0]!.id)).toBe(true);
    // Flags never change a score.
    const after = await w.evaluation();
    expect([after.overallScore, after.inputsHash]).toEqual([before.overallScore, before.inputsHash]);

    // An evaluator with an unmitigated conflict is refused, like every panel read; another council gets 404.
    expect((await w.call('GET', flagsUrl, w.evaluator.token)).statusCode).toBe(403);
    const other = await seedOrganisation(ctx);
    expect((await w.call('GET', flagsUrl, other.admin.token)).statusCode).toBe(404);
    expect((await w.call('PUT', actionUrl(flags[0]!.id), other.admin.token, { action: 'x' })).statusCode).toBe(404);
  });
});
