import { describe, expect, it } from 'vitest';
import { problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedOrganisation } from '../../helpers/factories';
import { evaluatingWorld } from './evaluating-world';

/** The evaluating world with the moderator declared too. */
async function world(ctx: TestContext) {
  const w = await evaluatingWorld(ctx);
  expect((await w.declare()).statusCode).toBe(201);
  return w;
}

describe('finalising an evaluation, and who owns a condition', () => {
  const ctx = useTestApp();

  it('requires an owner for a conditional gateway, keeps it out of the engine, and shows it in the answer and the audit', async () => {
    const w = await world(ctx);
    const gateway = (extra: object) => w.call('PUT', `/v1/responses/${w.b.responseId}/gateways/a.training`, w.moderator.token, { outcome: 'conditional', rationale: 'DPA needs a schedule.', ...extra });
    const noOwner = await gateway({ action: 'Sign the DPA schedule', dueDate: '2027-01-31' });
    expect([noOwner.statusCode, problemOf(noOwner).code]).toEqual([422, 'evaluations.condition_incomplete']);
    const decided = await gateway({ action: 'Sign the DPA schedule', owner: 'Information governance team', dueDate: '2027-01-31' });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json().gateways.find((g: { questionKey: string }) => g.questionKey === 'a.training')).toMatchObject({
      outcome: 'conditional',
      action: 'Sign the DPA schedule',
      owner: 'Information governance team',
      dueDate: '2027-01-31',
    });
    // The stored evaluation (the engine's output) has no owner; the answer adds it from the decision.
    const fetched = (await w.call('GET', `/v1/responses/${w.b.responseId}/evaluation?recompute=true`, w.org.admin.token)).json();
    expect(fetched.matchesStored).toBe(true);
    expect(fetched.gateways.find((g: { questionKey: string }) => g.questionKey === 'a.training').owner).toBe('Information governance team');
    const audit = (await w.call('GET', `/v1/audit-events?subjectId=${w.b.responseId}&limit=100`, w.org.admin.token)).json().items.find((e: { action: string }) => e.action === 'evaluation.gateway_decided');
    expect(audit.details).toMatchObject({ outcome: 'conditional', owner: 'Information governance team', action: 'Sign the DPA schedule', dueDate: '2027-01-31' });
    // A later pass clears the owner.
    const passed = (await w.call('PUT', `/v1/responses/${w.b.responseId}/gateways/a.training`, w.moderator.token, { outcome: 'pass', rationale: 'Schedule signed.' })).json();
    expect(passed.gateways.find((g: { questionKey: string }) => g.questionKey === 'a.training').owner).toBeUndefined();
  });

  it('refuses to finalise while a mark is outstanding, listing it; then finalises once, idempotently, audited', async () => {
    const w = await world(ctx);
    const finalise = (token = w.moderator.token) => w.call('POST', `/v1/responses/${w.a.responseId}/evaluation/finalise`, token);
    const early = await finalise();
    expect([early.statusCode, problemOf(early).code]).toEqual([409, 'evaluations.not_ready_to_finalise']);
    expect(problemOf(early).errors?.map((e) => e.message)).toEqual([expect.stringContaining('Explain the opt-in.')]);
    expect(problemOf(await finalise(w.e1.token)).code).toBe('evaluations.not_moderator');
    expect(problemOf(await finalise(w.org.admin.token)).code).toBe('evaluations.not_on_panel');
    expect((await w.call('POST', `/v1/responses/${w.a.responseId}/evaluation/finalise`, (await seedOrganisation(ctx)).admin.token)).statusCode).toBe(404);

    expect((await w.call('PUT', `/v1/responses/${w.a.responseId}/moderation/a.training_detail`, w.moderator.token, { score: 3, rationale: 'Consensus.' })).statusCode).toBe(200);
    ctx.clock.advance(5000);
    const first = await finalise();
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ responseId: w.a.responseId, procurementId: w.procurementId, finalisedBy: w.moderator.id, finalisedAt: ctx.clock.now().toISOString() });
    ctx.clock.advance(5000);
    const again = await finalise();
    expect(again.json()).toEqual(first.json());

    const evaluation = (await w.call('GET', `/v1/responses/${w.a.responseId}/evaluation`, w.org.admin.token)).json();
    expect(evaluation).toMatchObject({ finalisedAt: first.json().finalisedAt, finalisedBy: w.moderator.id });
    const rows = (await w.call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json().items;
    expect(Object.fromEntries(rows.map((r: { supplierName: string; finalisedAt: string | null }) => [r.supplierName, r.finalisedAt]))).toEqual({ 'Alpha AI': first.json().finalisedAt, 'Beta Bots': null });
    const audits = (await w.call('GET', `/v1/audit-events?subjectId=${w.a.responseId}&limit=100`, w.org.admin.token)).json().items.filter((e: { action: string }) => e.action === 'evaluation.finalised');
    expect(audits).toHaveLength(1);
    expect(audits[0].details).toMatchObject({ finalisedBy: w.moderator.id, rating: evaluation.rating });
  });

  it('after finalising, refuses moderation, gateway decisions, marks and submissions on that response, but not on another', async () => {
    const w = await world(ctx);
    expect((await w.call('PUT', `/v1/responses/${w.a.responseId}/marks/a.training_detail`, w.e1.token, { score: 3, justification: 'Clear.' })).statusCode).toBe(200);
    expect((await w.call('POST', `/v1/responses/${w.b.responseId}/evaluation/finalise`, w.moderator.token)).statusCode).toBe(200);
    expect((await w.call('POST', `/v1/responses/${w.a.responseId}/evaluation/finalise`, w.moderator.token)).statusCode).toBe(409);
    const refusals = [
      await w.call('PUT', `/v1/responses/${w.b.responseId}/moderation/b.hours`, w.moderator.token, { score: 2, rationale: 'x' }),
      await w.call('PUT', `/v1/responses/${w.b.responseId}/gateways/a.training`, w.moderator.token, { outcome: 'fail', rationale: 'x' }),
      await w.call('PUT', `/v1/responses/${w.b.responseId}/marks/a.training_detail`, w.e1.token, { score: 3, justification: 'x' }),
      await w.call('POST', `/v1/responses/${w.b.responseId}/marks/submit`, w.e1.token),
    ];
    expect(refusals.map((r) => [r.statusCode, problemOf(r).code])).toEqual(Array.from({ length: 4 }, () => [409, 'evaluations.finalised']));
    // The other response is still open to the panel.
    expect((await w.call('PUT', `/v1/responses/${w.a.responseId}/moderation/b.hours`, w.moderator.token, { score: 2, rationale: 'Clarified.' })).statusCode).toBe(200);
    expect((await w.call('POST', `/v1/responses/${w.a.responseId}/marks/submit`, w.e1.token)).statusCode).toBe(200);
  });

  it('finalises what the evaluation finally is when a moderation and a second tab’s finalise arrive at the same moment', async () => {
    const w = await world(ctx);
    const finalise = () => w.call('POST', `/v1/responses/${w.b.responseId}/evaluation/finalise`, w.moderator.token);
    const [first, moderation, second] = await Promise.all([
      finalise(),
      w.call('PUT', `/v1/responses/${w.b.responseId}/moderation/b.hours`, w.moderator.token, { score: 2, rationale: 'Clarified.' }),
      finalise(),
    ]);
    expect([first.statusCode, second.statusCode], `${first.body} ${second.body}`).toEqual([200, 200]);
    expect(second.json()).toEqual(first.json());
    // The moderation came either before the finalisation (and counts) or after it (and is refused).
    if (moderation.statusCode !== 200) expect([moderation.statusCode, problemOf(moderation).code]).toEqual([409, 'evaluations.finalised']);
    const stored = (await w.call('GET', `/v1/responses/${w.b.responseId}/evaluation`, w.org.admin.token)).json();
    const audits = (await w.call('GET', `/v1/audit-events?subjectId=${w.b.responseId}&limit=100`, w.org.admin.token)).json().items.filter((e: { action: string }) => e.action === 'evaluation.finalised');
    expect(audits).toHaveLength(1);
    expect(audits[0].details.inputsHash).toBe(stored.inputsHash);
    expect(stored.questions.find((q: { key: string }) => q.key === 'b.hours').override).toBe(moderation.statusCode === 200);
  });

  it('finalises only while the procurement is evaluating', async () => {
    const w = await world(ctx);
    expect((await w.call('POST', `/v1/procurements/${w.procurementId}/decision`, w.org.admin.token, { outcome: 'no_award', rationale: 'Not proceeding.' })).statusCode).toBe(200);
    const late = await w.call('POST', `/v1/responses/${w.b.responseId}/evaluation/finalise`, w.moderator.token);
    expect([late.statusCode, problemOf(late).code]).toEqual([409, 'evaluations.not_evaluating']);
  });
});
