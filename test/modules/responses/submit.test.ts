import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../../src/platform/db';
import { bearer, problemOf, useTestApp } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';


describe('submitting a response', () => {
  const ctx = useTestApp();
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });

  async function invited() {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
    const invitation = await seedInvitation(ctx, org, procurementId);
    return { org, token: invitation.token, responseId: invitation.responseId };
  }
  const put = (token: string, key: string, value: unknown) => call('PUT', `/v1/supplier/response/answers/${key}`, token, { value });
  const submit = (token: string, key?: string) => call('POST', '/v1/supplier/response/submit', token, { declaration: true }, key ? { 'idempotency-key': key } : {});

  it('lists every visible required question left unanswered, and submits nothing', async () => {
    const { token } = await invited();
    await put(token, 'a.training', 'opt_in'); // reveals the required follow-up a.training_detail
    const response = await submit(token);
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe('responses.incomplete');
    expect(problem.errors!.map((e) => e.path)).toEqual(['/answers/a.training_detail', '/answers/b.hours']);
    expect((await call('GET', '/v1/supplier/response', token)).json().response.status).toBe('in_progress');
  });

  it('needs the declaration', async () => {
    const { token } = await invited();
    const response = await call('POST', '/v1/supplier/response/submit', token, { declaration: false });
    expect(response.statusCode).toBe(422);
  });

  it('freezes the answers, gives a reference, audits it, and refuses later changes with 409', async () => {
    const { org, token, responseId } = await invited();
    await put(token, 'a.training', 'never');
    await put(token, 'b.hours', 12);
    const response = await submit(token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ responseId, status: 'submitted', reference: expect.stringMatching(/^SUB-[0-9A-F]{8}-\d{3}$/), answerCount: 2, submittedAt: '2026-11-26T12:00:00.000Z' });
    const late = await put(token, 'b.hours', 48);
    expect(late.statusCode).toBe(409);
    expect(problemOf(late).code).toBe('responses.already_submitted');
    const again = await submit(token);
    expect(problemOf(again).code).toBe('responses.already_submitted');
    const events = (await call('GET', `/v1/audit-events?subjectId=${responseId}`, org.admin.token)).json().items;
    expect(events[0]).toMatchObject({ action: 'response.submitted', actor: { type: 'supplier' } });
  });

  it('the snapshot does not change when the draft tables do', async () => {
    const { token, responseId } = await invited();
    await put(token, 'a.training', 'never');
    await put(token, 'b.hours', 12);
    await submit(token);
    await ctx.database.db.execute(sql`update answers set value = '999'::jsonb where response_id = ${responseId}`);
    const [snapshot] = await queryRows<{ answers: Record<string, { value: unknown }> }>(ctx.database.db, sql`select answers from submissions where response_id = ${responseId}`);
    expect(snapshot!.answers['b.hours']!.value).toBe(12);
    expect(snapshot!.answers['a.training']!.value).toBe('never');
  });

  it('leaves answers to questions that became hidden out of the snapshot', async () => {
    const { token, responseId } = await invited();
    await put(token, 'a.training', 'opt_in');
    await put(token, 'a.training_detail', 'We ask in writing.');
    await put(token, 'a.training', 'never'); // the follow-up is hidden again
    await put(token, 'b.hours', 12);
    expect((await submit(token)).statusCode).toBe(200);
    const [snapshot] = await queryRows<{ answers: Record<string, unknown> }>(ctx.database.db, sql`select answers from submissions where response_id = ${responseId}`);
    expect(Object.keys(snapshot!.answers).sort()).toEqual(['a.training', 'b.hours']);
  });

  it('a retry with the same Idempotency-Key returns the first result', async () => {
    const { token } = await invited();
    await put(token, 'a.training', 'never');
    await put(token, 'b.hours', 12);
    const first = await submit(token, 'retry-123');
    ctx.clock.advance(5_000);
    const retry = await submit(token, 'retry-123');
    expect(retry.statusCode).toBe(200);
    expect(retry.body).toBe(first.body);
  });

  it('ten concurrent submits produce exactly one submission', async () => {
    const { token, responseId } = await invited();
    await put(token, 'a.training', 'never');
    await put(token, 'b.hours', 12);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(token, `key-${i}`)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(9);
    const [count] = await queryRows<{ n: number }>(ctx.database.db, sql`select count(*)::int as n from submissions where response_id = ${responseId}`);
    expect(count!.n).toBe(1);
    const sameKey = await Promise.all(Array.from({ length: 5 }, () => submit(token, 'key-0')));
    const winner = results.find((r) => r.statusCode === 200)!;
    const winnerKey = `key-${results.indexOf(winner)}`;
    if (winnerKey === 'key-0') expect(sameKey.every((r) => r.body === winner.body)).toBe(true);
    else expect(sameKey.every((r) => r.statusCode === 409)).toBe(true);
  });

  it('refuses to submit after the deadline', async () => {
    const { token } = await invited();
    await put(token, 'a.training', 'never');
    await put(token, 'b.hours', 12);
    ctx.clock.set(new Date('2026-12-11T00:00:00.000Z'));
    expect(problemOf(await submit(token)).code).toBe('responses.deadline_passed');
  });

  it('withdrawing stops further answers and is audited', async () => {
    const { org, token, responseId } = await invited();
    const withdrawn = await call('POST', '/v1/supplier/response/withdraw', token, { reason: 'Cannot meet the deadline' });
    expect(withdrawn.json()).toEqual({ responseId, status: 'withdrawn' });
    expect(problemOf(await put(token, 'a.training', 'never')).code).toBe('responses.withdrawn');
    const events = (await call('GET', `/v1/audit-events?subjectId=${responseId}`, org.admin.token)).json().items;
    expect(events[0]).toMatchObject({ action: 'response.withdrawn', details: { reason: 'Cannot meet the deadline' } });
  });
});
