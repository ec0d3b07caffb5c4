import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { multipart } from '../../helpers/multipart';
import { evidenceDefinition, smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
type Method = 'GET' | 'POST' | 'PUT';

function api(ctx: TestContext) {
  return (method: Method, url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
}

/** A council with a two-evaluator panel and a moderator; three suppliers, two of whom submit. */
async function evaluationWorld(ctx: TestContext) {
  const call = api(ctx);
  const org = await seedOrganisation(ctx);
  const e1 = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve One' });
  const e2 = await seedUser(ctx, org, { role: 'evaluator', name: 'Evan Two' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, evaluatorIds: [e1.id, e2.id], moderatorId: moderator.id });
  const invite = async (name: string) => {
    ctx.clock.advance(1000);
    return seedInvitation(ctx, org, procurementId, { supplierName: name });
  };
  const a = await invite('Alpha AI');
  const b = await invite('Beta Bots');
  const c = await invite('Gamma (no bid)');
  const answer = (token: string, answers: Record<string, unknown>) =>
    call('PUT', '/v1/supplier/response/import', token, { answers: Object.fromEntries(Object.entries(answers).map(([k, value]) => [k, { value }])) });
  await answer(a.token, { 'a.training': 'opt_in', 'a.training_detail': 'Each council opts in per dataset, in writing.', 'b.hours': 12 });
  await answer(b.token, { 'a.training': 'never', 'b.hours': 100 });
  for (const s of [a, b]) expect((await call('POST', '/v1/supplier/response/submit', s.token, { declaration: true })).statusCode).toBe(200);
  return { org, e1, e2, moderator, procurementId, a, b, c };
}

describe('evaluation: declarations, blind marks, moderation, results and the decision', () => {
  const ctx = useTestApp();
  const call = api(ctx);

  it('keeps an evaluation current from submission on, provisional while a mark is outstanding', async () => {
    const w = await evaluationWorld(ctx);
    const a = (await call('GET', `/v1/responses/${w.a.responseId}/evaluation`, w.org.admin.token)).json();
    expect(a).toMatchObject({ provisional: true, supplierName: 'Alpha AI' });
    expect(a.outstanding).toEqual([expect.stringContaining('Explain the opt-in.')]);
    expect(a.questions.find((q: { key: string }) => q.key === 'a.training_detail').status).toBe('pending_mark');
    const b = (await call('GET', `/v1/responses/${w.b.responseId}/evaluation`, w.org.admin.token)).json();
    expect(b.provisional).toBe(false);
    expect(b.questions.find((q: { key: string }) => q.key === 'b.hours').working.join(' ')).toMatch(/100/);
    expect(problemOf(await call('GET', `/v1/responses/${w.c.responseId}/evaluation`, w.org.admin.token)).code).toBe('evaluations.response_not_submitted');
    const recomputed = (await call('GET', `/v1/responses/${w.b.responseId}/evaluation?recompute=true`, w.org.admin.token)).json();
    expect(recomputed.matchesStored).toBe(true);
    expect(recomputed.inputsHash).toBe(b.inputsHash);
    const all = await call('POST', `/v1/procurements/${w.procurementId}/evaluations/recompute`, w.org.admin.token);
    expect(all.json()).toEqual({ recomputed: 2, changed: 0 });
  });

  it('requires a declaration before a panel member sees a response, and a mitigation after a declared conflict', async () => {
    const w = await evaluationWorld(ctx);
    await call('POST', `/v1/procurements/${w.procurementId}/close`, w.org.admin.token);
    await call('POST', `/v1/procurements/${w.procurementId}/start-evaluation`, w.org.admin.token);
    const undeclared = await call('GET', `/v1/responses/${w.a.responseId}/panel-view`, w.e1.token);
    expect([undeclared.statusCode, problemOf(undeclared).code]).toEqual([403, 'evaluations.declaration_required']);
    expect((await call('POST', `/v1/procurements/${w.procurementId}/declarations`, w.e1.token, { hasConflict: false, details: 'None' })).statusCode).toBe(201);
    expect((await call('POST', `/v1/procurements/${w.procurementId}/declarations`, w.e1.token, { hasConflict: false, details: 'Again' })).statusCode).toBe(409);
    const view = (await call('GET', `/v1/responses/${w.a.responseId}/panel-view`, w.e1.token)).json();
    expect(view).toMatchObject({ yourRole: 'evaluator', questionsToMark: ['a.training_detail'] });

    const conflict = (await call('POST', `/v1/procurements/${w.procurementId}/declarations`, w.e2.token, { hasConflict: true, details: 'My partner works for Alpha AI' })).json();
    expect(problemOf(await call('GET', `/v1/responses/${w.a.responseId}/panel-view`, w.e2.token)).code).toBe('evaluations.conflict_unmitigated');
    const mitigated = await call('POST', `/v1/procurements/${w.procurementId}/declarations/${conflict.id}/mitigation`, w.org.admin.token, { mitigation: 'Second marker reviews every mark for Alpha AI' });
    expect(mitigated.json()).toMatchObject({ mayEvaluate: true });
    expect((await call('GET', `/v1/responses/${w.a.responseId}/panel-view`, w.e2.token)).statusCode).toBe(200);

    // Someone not on the panel, even an evaluator of this council, is refused.
    const outsider = await seedUser(ctx, w.org, { role: 'evaluator' });
    expect(problemOf(await call('POST', `/v1/procurements/${w.procurementId}/declarations`, outsider.token, { hasConflict: false, details: 'None' })).code).toBe('evaluations.not_on_panel');
    expect(problemOf(await call('GET', `/v1/responses/${w.a.responseId}/panel-view`, outsider.token)).code).toBe('evaluations.not_on_panel');
  });

  it('marks blind until submitted, moderates, and records a decision that rests on final scores', async () => {
    const w = await evaluationWorld(ctx);
    await call('POST', `/v1/procurements/${w.procurementId}/close`, w.org.admin.token);
    await call('POST', `/v1/procurements/${w.procurementId}/start-evaluation`, w.org.admin.token);
    for (const member of [w.e1, w.e2, w.moderator]) await call('POST', `/v1/procurements/${w.procurementId}/declarations`, member.token, { hasConflict: false, details: 'None' });

    const mark = (token: string, score: number, justification = 'Clear opt-in process with written consent.') =>
      call('PUT', `/v1/responses/${w.a.responseId}/marks/a.training_detail`, token, { score, justification });
    expect((await mark(w.e1.token, 3)).statusCode).toBe(200);
    expect((await mark(w.e2.token, 2, 'Consent withdrawal is not described.')).statusCode).toBe(200);
    const noJustification = await call('PUT', `/v1/responses/${w.a.responseId}/marks/a.training_detail`, w.e1.token, { score: 3, justification: ' ' });
    expect(noJustification.statusCode).toBe(422);
    const notManual = await call('PUT', `/v1/responses/${w.a.responseId}/marks/b.hours`, w.e1.token, { score: 3, justification: 'x' });
    expect(problemOf(notManual).code).toBe('evaluations.not_markable');

    const blind = (await call('GET', `/v1/responses/${w.a.responseId}/marks`, w.e1.token)).json();
    expect(blind.blind).toBe(true);
    expect(blind.marks.map((m: { evaluatorId: string }) => m.evaluatorId)).toEqual([w.e1.id]);
    expect((await call('POST', `/v1/responses/${w.a.responseId}/marks/submit`, w.e1.token)).statusCode).toBe(200);
    const open = (await call('GET', `/v1/responses/${w.a.responseId}/marks`, w.e1.token)).json();
    expect(open.blind).toBe(false);
    expect(open.marks.map((m: { score: number }) => m.score).sort()).toEqual([2, 3]);
    expect(problemOf(await mark(w.e1.token, 4)).code).toBe('evaluations.marks_submitted');

    // An evaluator cannot moderate; the moderator can, and can override an automatic score.
    expect(problemOf(await call('PUT', `/v1/responses/${w.a.responseId}/moderation/a.training_detail`, w.e1.token, { score: 3, rationale: 'x' })).code).toBe('evaluations.not_moderator');
    const moderated = await call('PUT', `/v1/responses/${w.a.responseId}/moderation/a.training_detail`, w.moderator.token, { score: 3, rationale: 'Consensus after discussion: the process is clear; withdrawal is covered in the DPA.' });
    expect(moderated.statusCode, moderated.body).toBe(200);
    expect(moderated.json()).toMatchObject({ provisional: false, outstanding: [] });
    const override = (await call('PUT', `/v1/responses/${w.b.responseId}/moderation/b.hours`, w.moderator.token, { score: 2, rationale: 'Clarified: 100 calendar hours covers weekends only.' })).json();
    const hours = override.questions.find((q: { key: string }) => q.key === 'b.hours');
    expect(hours).toMatchObject({ override: true, score: 2, automaticScore: 0 });

    // Both sets of marks are kept beside the moderated mark.
    expect((await call('GET', `/v1/responses/${w.a.responseId}/marks`, w.moderator.token)).json().marks).toHaveLength(2);

    const results = (await call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json();
    const bySupplier = Object.fromEntries(results.items.map((r: { supplierName: string }) => [r.supplierName, r]));
    expect(bySupplier['Gamma (no bid)']).toMatchObject({ status: 'not_started', rank: null, overallScore: null });
    const ranked = results.items.filter((r: { rank: number | null }) => r.rank !== null).sort((x: { rank: number }, y: { rank: number }) => x.rank - y.rank);
    expect(ranked.map((r: { supplierName: string }) => r.supplierName).sort()).toEqual(['Alpha AI', 'Beta Bots']);
    expect(ranked[0].overallScore).toBeGreaterThanOrEqual(ranked[1].overallScore);
    expect(ranked.map((r: { rank: number }) => r.rank)).toEqual(ranked[0].overallScore === ranked[1].overallScore ? [1, 1] : [1, 2]);

    const comparison = (await call('GET', `/v1/procurements/${w.procurementId}/comparison`, w.org.admin.token)).json();
    expect(comparison.suppliers.map((s: { supplierName: string }) => s.supplierName)).toEqual(['Alpha AI', 'Beta Bots']);
    expect(comparison.questions.find((q: { key: string }) => q.key === 'b.hours').scores).toEqual([4, 2]);

    const winner = ranked.find((r: { rank: number }) => r.rank === 1);
    const decided = await call('POST', `/v1/procurements/${w.procurementId}/decision`, w.org.admin.token, { outcome: 'award', responseId: winner.responseId, rationale: 'Highest score; all gateways passed.' });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({ procurementStatus: 'decided', decision: { outcome: 'award', responseId: winner.responseId } });
    expect(problemOf(await call('POST', `/v1/procurements/${w.procurementId}/decision`, w.org.admin.token, { outcome: 'no_award', rationale: 'x' })).code).toBe('evaluations.already_decided');
    expect((await call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json().decision).toMatchObject({ outcome: 'award' });

    const actions = (await call('GET', '/v1/audit-events?limit=100', w.org.admin.token)).json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['evaluation.declared', 'evaluation.marked', 'evaluation.marks_submitted', 'evaluation.moderated', 'evaluation.score_overridden', 'procurement.decision_recorded', 'procurement.decided']));
  });

  it('lets the moderator decide a gateway: conditional needs an action and a date, a fail removes the response from the ranking', async () => {
    const w = await evaluationWorld(ctx);
    await call('POST', `/v1/procurements/${w.procurementId}/close`, w.org.admin.token);
    await call('POST', `/v1/procurements/${w.procurementId}/start-evaluation`, w.org.admin.token);
    await call('POST', `/v1/procurements/${w.procurementId}/declarations`, w.moderator.token, { hasConflict: false, details: 'None' });
    const gateway = (outcome: string, extra: object = {}) =>
      call('PUT', `/v1/responses/${w.b.responseId}/gateways/a.training`, w.moderator.token, { outcome, rationale: 'Reviewed the data processing agreement.', ...extra });

    expect(problemOf(await gateway('conditional')).code).toBe('evaluations.condition_incomplete');
    const conditional = (await gateway('conditional', { action: 'Sign the DPA schedule on training data', owner: 'Information governance', dueDate: '2027-01-31' })).json();
    expect(conditional.gateways.find((g: { questionKey: string }) => g.questionKey === 'a.training')).toMatchObject({ outcome: 'conditional', decidedBy: 'moderator', action: 'Sign the DPA schedule on training data', dueDate: '2027-01-31' });
    expect(['acceptable_with_conditions', 'significant_concerns', 'not_acceptable']).toContain(conditional.rating);
    expect(conditional.rating).not.toBe('acceptable');

    const failed = (await gateway('fail')).json();
    expect(failed.rating).toBe('not_acceptable');
    const row = (await call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json().items.find((r: { responseId: string }) => r.responseId === w.b.responseId);
    expect(row).toMatchObject({ gatewaysPassed: false, rank: null, rating: 'not_acceptable' });
    expect(problemOf(await call('PUT', `/v1/responses/${w.b.responseId}/gateways/b.hours`, w.moderator.token, { outcome: 'pass', rationale: 'x' })).code).toBe('evaluations.not_a_gateway');
    const actions = (await call('GET', `/v1/audit-events?subjectId=${w.b.responseId}&limit=100`, w.org.admin.token)).json().items.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'evaluation.gateway_decided')).toHaveLength(2);
  });

  it('answers each change with the evaluation as stored, and loses no change when two arrive at once', async () => {
    const w = await evaluationWorld(ctx);
    await call('POST', `/v1/procurements/${w.procurementId}/close`, w.org.admin.token);
    await call('POST', `/v1/procurements/${w.procurementId}/start-evaluation`, w.org.admin.token);
    await call('POST', `/v1/procurements/${w.procurementId}/declarations`, w.moderator.token, { hasConflict: false, details: 'None' });
    const stored = async () => (await call('GET', `/v1/responses/${w.a.responseId}/evaluation`, w.org.admin.token)).json();
    const scoreOf = (evaluation: { questions: Array<{ key: string; score: number | null }> }, key: string) => evaluation.questions.find((q) => q.key === key)?.score;

    // The answer to a change is what a later read returns, field for field (the owner of a condition and the date included).
    const gateway = await call('PUT', `/v1/responses/${w.a.responseId}/gateways/a.training`, w.moderator.token, {
      outcome: 'conditional',
      rationale: 'Opt-in is per dataset.',
      action: 'Add the opt-in form to the contract',
      owner: 'Legal services',
      dueDate: '2027-02-28',
    });
    expect(gateway.statusCode, gateway.body).toBe(200);
    expect(gateway.json().gateways.find((g: { questionKey: string }) => g.questionKey === 'a.training').owner).toBe('Legal services');
    expect(gateway.json()).toEqual(await stored());
    ctx.clock.advance(60_000);
    const moderated = await call('PUT', `/v1/responses/${w.a.responseId}/moderation/a.training_detail`, w.moderator.token, { score: 3, rationale: 'Consensus.' });
    expect(moderated.statusCode, moderated.body).toBe(200);
    expect(moderated.json()).toEqual(await stored());
    expect(moderated.json().computedAt).not.toBe(gateway.json().computedAt);

    // Two tabs: two questions of one response moderated at the same moment, again and again. Each
    // change's evaluation must include the other's, whichever commits second.
    for (const [detail, hours] of [[1, 4], [4, 1], [2, 3], [0, 2], [3, 0], [4, 4]] as const) {
      const both = await Promise.all([
        call('PUT', `/v1/responses/${w.a.responseId}/moderation/a.training_detail`, w.moderator.token, { score: detail, rationale: `Detail ${detail}.` }),
        call('PUT', `/v1/responses/${w.a.responseId}/moderation/b.hours`, w.moderator.token, { score: hours, rationale: `Hours ${hours}.` }),
      ]);
      for (const res of both) expect(res.statusCode, res.body).toBe(200);
      const now = await stored();
      expect([scoreOf(now, 'a.training_detail'), scoreOf(now, 'b.hours')]).toEqual([detail, hours]);
      expect((await call('GET', `/v1/responses/${w.a.responseId}/evaluation?recompute=true`, w.org.admin.token)).json().matchesStored).toBe(true);
    }
  });

  it('refuses an award while any evaluation is provisional', async () => {
    const w = await evaluationWorld(ctx);
    await call('POST', `/v1/procurements/${w.procurementId}/close`, w.org.admin.token);
    await call('POST', `/v1/procurements/${w.procurementId}/start-evaluation`, w.org.admin.token);
    const refused = await call('POST', `/v1/procurements/${w.procurementId}/decision`, w.org.admin.token, { outcome: 'award', responseId: w.b.responseId, rationale: 'Too early' });
    expect([refused.statusCode, problemOf(refused).code]).toEqual([409, 'evaluations.provisional']);
    expect((await call('GET', `/v1/procurements/${w.procurementId}`, w.org.admin.token)).json().status).toBe('evaluating');
  });

  it('keeps scores from suppliers, other councils and the panels of other procurements', async () => {
    const w = await evaluationWorld(ctx);
    const other = await seedOrganisation(ctx);
    for (const url of [`/v1/responses/${w.a.responseId}/evaluation`, `/v1/procurements/${w.procurementId}/results`, `/v1/procurements/${w.procurementId}/comparison`, `/v1/responses/${w.a.responseId}/marks`]) {
      expect([url, (await call('GET', url, other.admin.token)).statusCode]).toEqual([url, 404]);
      expect([url, (await call('GET', url, w.a.token)).statusCode]).toEqual([url, 403]);
    }
    expect((await call('POST', `/v1/procurements/${w.procurementId}/declarations`, other.admin.token, { hasConflict: false, details: 'None' })).statusCode).toBe(404);
    expect((await call('POST', `/v1/procurements/${w.procurementId}/decision`, other.admin.token, { outcome: 'no_award', rationale: 'x' })).statusCode).toBe(404);
    // An evaluator on this panel is not on the panel of another procurement of the same council.
    const second = await seedOpenProcurement(ctx, w.org, { definition: smallDefinition(), triage });
    const s2 = await seedInvitation(ctx, w.org, second, { supplierName: 'Delta' });
    expect(problemOf(await call('POST', `/v1/procurements/${second}/declarations`, w.e1.token, { hasConflict: false, details: 'None' })).code).toBe('evaluations.not_on_panel');
    expect(problemOf(await call('PUT', `/v1/responses/${s2.responseId}/marks/a.training_detail`, w.e1.token, { score: 1, justification: 'x' })).code).toBe('evaluations.not_on_panel');
  });

  it('drops the evaluation when a submitted response is withdrawn', async () => {
    const w = await evaluationWorld(ctx);
    await call('POST', '/v1/supplier/response/withdraw', w.b.token, {});
    expect(problemOf(await call('GET', `/v1/responses/${w.b.responseId}/evaluation`, w.org.admin.token)).code).toBe('evaluations.response_not_submitted');
    const results = (await call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json();
    expect(results.items.find((r: { supplierName: string }) => r.supplierName === 'Beta Bots')).toMatchObject({ status: 'withdrawn', overallScore: null, rank: null });
  });

  it('lets a declared panel member download the evidence frozen in a submission, and nobody else', async () => {
    const org = await seedOrganisation(ctx);
    const evaluator = await seedUser(ctx, org, { role: 'evaluator' });
    const procurementId = await seedOpenProcurement(ctx, org, { definition: evidenceDefinition(), triage, evaluatorIds: [evaluator.id] });
    const supplier = await seedInvitation(ctx, org, procurementId);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    const ids: string[] = [];
    for (const questionKey of ['b.hours', 'b.policy']) {
      const body = multipart({ fields: { questionKey }, files: [{ filename: `${questionKey}.pdf`, bytes: pdf }] });
      ids.push((await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(supplier.token), ...body.headers }, payload: body.payload })).json().evidence.id);
    }
    await call('PUT', '/v1/supplier/response/import', supplier.token, { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 6 } } });
    expect((await call('POST', '/v1/supplier/response/submit', supplier.token, { declaration: true })).statusCode).toBe(200);
    const url = `/v1/responses/${supplier.responseId}/panel-view/evidence/${ids[1]}`;
    expect(problemOf(await call('GET', url, evaluator.token)).code).toBe('evaluations.declaration_required');
    await call('POST', `/v1/procurements/${procurementId}/declarations`, evaluator.token, { hasConflict: false, details: 'None' });
    const view = (await call('GET', `/v1/responses/${supplier.responseId}/panel-view`, evaluator.token)).json();
    expect(view.evidenceFiles.map((f: { id: string }) => f.id).sort()).toEqual([...ids].sort());
    const file = await call('GET', url, evaluator.token);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(pdf)).toBe(true);
    const outsider = await seedUser(ctx, org, { role: 'evaluator' });
    expect(problemOf(await call('GET', url, outsider.token)).code).toBe('evaluations.not_on_panel');
    expect((await call('GET', url, (await seedOrganisation(ctx)).admin.token)).statusCode).toBe(404);
    expect((await call('GET', `/v1/responses/${supplier.responseId}/panel-view/evidence/00000000-0000-4000-8000-000000000000`, evaluator.token)).statusCode).toBe(404);
  });
});
