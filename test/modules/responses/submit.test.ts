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

  it('a submitted response can be withdrawn while the procurement is open, and the scores feed says so', async () => {
    const { org, token, responseId } = await invited();
    await put(token, 'a.training', 'never');
    await put(token, 'b.hours', 12);
    await submit(token);
    const withdrawn = await call('POST', '/v1/supplier/response/withdraw', token, { reason: 'Capacity' });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect((await call('GET', '/v1/scores', org.admin.token)).json().items).toEqual([expect.objectContaining({ responseId, status: 'withdrawn' })]);
  });

  const advance = { closed: ['close'], evaluating: ['close', 'start-evaluation'], decided: ['close', 'start-evaluation', 'decision'], cancelled: ['cancel'] } as const;

  it.each(Object.keys(advance) as Array<keyof typeof advance>)('a submitted response cannot be withdrawn once the procurement is %s: 409, and nothing changes', async (status) => {
    const { org, token, responseId } = await invited();
    await put(token, 'a.training', 'never');
    await put(token, 'b.hours', 12);
    await submit(token);
    const procurementId = (await call('GET', '/v1/supplier/response', token)).json().procurement.id;
    for (const step of advance[status]) {
      const body = step === 'decision' ? { outcome: 'award', responseId, rationale: 'The only bid; every gateway passed.' } : {};
      const moved = await call('POST', `/v1/procurements/${procurementId}/${step}`, org.admin.token, body);
      expect(moved.statusCode, moved.body).toBe(200);
    }
    const feedBefore = (await call('GET', '/v1/scores', org.admin.token)).json();

    const refused = await call('POST', '/v1/supplier/response/withdraw', token, { reason: 'Changed our mind' });
    expect(refused.statusCode, refused.body).toBe(409);
    const problem = problemOf(refused);
    expect(problem.code).toBe('responses.cannot_withdraw');
    expect(problem.detail).toContain(status);
    expect(problem.detail).toMatch(/contact the council/i);
    expect((await call('GET', '/v1/supplier/response', token)).json().response.status).toBe('submitted');
    expect((await call('GET', '/v1/scores', org.admin.token)).json()).toEqual(feedBefore);
    const actions = (await call('GET', `/v1/audit-events?subjectId=${responseId}`, org.admin.token)).json().items.map((e: { action: string }) => e.action);
    expect(actions).not.toContain('response.withdrawn');
  });

  it('a response not yet submitted can still be withdrawn after the procurement has closed, as before', async () => {
    const { org, token, responseId } = await invited();
    await put(token, 'a.training', 'never');
    const procurementId = (await call('GET', '/v1/supplier/response', token)).json().procurement.id;
    expect((await call('POST', `/v1/procurements/${procurementId}/close`, org.admin.token, {})).statusCode).toBe(200);
    const withdrawn = await call('POST', '/v1/supplier/response/withdraw', token, {});
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toEqual({ responseId, status: 'withdrawn' });
  });
});
