import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp } from '../../helpers/app';
import { seedApiKey, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';
import { evaluatingWorld } from './evaluating-world';

/**
 * Approvals: a person's sign-off of a procurement's evaluation in one role, audited, printed in the
 * evaluation report's sign-off block. Evaluator and moderator sign-offs are the panel's own; the
 * data protection officer's, equality lead's and approver's are recorded by an officer or admin.
 */

type Approval = { id: string; procurementId: string; userId: string; name: string; role: string; comment: string | null; createdAt: string };

describe('approvals through the API', () => {
  const ctx = useTestApp();

  it('records a sign-off (201), lists it, and replaces it when the same person signs again in the same role, auditing both', async () => {
    const w = await evaluatingWorld(ctx);
    const url = `/v1/procurements/${w.procurementId}/approvals`;
    const first = await w.call('POST', url, w.org.admin.token, { role: 'data_protection_officer', comment: '  DPIA reviewed.  ' });
    expect(first.statusCode, first.body).toBe(201);
    const approval = first.json() as Approval;
    expect(approval).toMatchObject({ procurementId: w.procurementId, userId: w.org.admin.id, name: 'Ada Admin', role: 'data_protection_officer', comment: 'DPIA reviewed.', createdAt: ctx.clock.now().toISOString() });

    ctx.clock.advance(60_000);
    const again = await w.call('POST', url, w.org.admin.token, { role: 'data_protection_officer' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ id: approval.id, comment: null, createdAt: ctx.clock.now().toISOString() });
    ctx.clock.advance(60_000);
    expect((await w.call('POST', url, w.org.admin.token, { role: 'approver', comment: 'For the board.' })).statusCode).toBe(201);

    const list = await w.call('GET', url, w.org.admin.token);
    expect(list.statusCode).toBe(200);
    expect((list.json().items as Approval[]).map((a) => [a.role, a.name, a.comment])).toEqual([
      ['data_protection_officer', 'Ada Admin', null],
      ['approver', 'Ada Admin', 'For the board.'],
    ]);

    // Every sign-off is kept in the audit trail, with the one it replaced and the evaluations as they stood.
    const events = (await w.call('GET', `/v1/audit-events?subjectId=${w.procurementId}&limit=100`, w.org.admin.token)).json().items.filter((e: { action: string }) => e.action === 'evaluation.approval_recorded');
    expect(events).toHaveLength(3);
    const replacing = events.find((e: { details: { replaces: unknown; role: string } }) => e.details.role === 'data_protection_officer' && e.details.replaces !== null);
    expect(replacing.details).toMatchObject({ approvalId: approval.id, userId: w.org.admin.id, comment: null, replaces: { comment: 'DPIA reviewed.' } });
    expect(replacing.details.evaluations).toHaveLength(2);
    expect(replacing.details.evaluations[0]).toHaveProperty('inputsHash');
    expect(replacing.actor).toMatchObject({ type: 'user', id: w.org.admin.id });
  });

  it('lets the panel sign off only in its own roles: an evaluator as evaluator, the moderator as moderator once declared', async () => {
    const w = await evaluatingWorld(ctx);
    const url = `/v1/procurements/${w.procurementId}/approvals`;
    const post = (token: string, role: string) => w.call('POST', url, token, { role });

    expect((await post(w.e1.token, 'evaluator')).statusCode).toBe(201);
    const asModerator = await post(w.e1.token, 'moderator');
    expect(asModerator.statusCode).toBe(403);
    expect(problemOf(asModerator).code).toBe('evaluations.not_moderator');
    const asApprover = await post(w.e1.token, 'approver');
    expect(asApprover.statusCode).toBe(403);
    expect(problemOf(asApprover).code).toBe('approvals.role_not_allowed');

    // The moderator is an officer: approver yes; moderator only after declaring; evaluator never.
    expect(problemOf(await post(w.moderator.token, 'moderator')).code).toBe('evaluations.declaration_required');
    expect((await w.declare()).statusCode).toBe(201);
    ctx.clock.advance(1000);
    expect((await post(w.moderator.token, 'moderator')).statusCode).toBe(201);
    expect(problemOf(await post(w.moderator.token, 'evaluator')).code).toBe('evaluations.not_on_panel');
    // An admin who is not on the panel cannot sign as an evaluator.
    expect(problemOf(await post(w.org.admin.token, 'evaluator')).code).toBe('evaluations.not_on_panel');
    // A viewer signs in no role.
    const viewer = await seedUser(ctx, w.org, { role: 'viewer', name: 'Vi Ewer' });
    const byViewer = await post(viewer.token, 'equality_lead');
    expect(byViewer.statusCode).toBe(403);
    expect(problemOf(byViewer).code).toBe('approvals.role_not_allowed');

    const items = (await w.call('GET', url, w.e2.token)).json().items as Approval[];
    expect(items.map((a) => [a.role, a.name])).toEqual([
      ['evaluator', 'Eve One'],
      ['moderator', 'Mo Derator'],
    ]);
  });

  it('refuses an API key (a sign-off is a person’s), lets a scores:read key read, and keeps other councils out (404)', async () => {
    const w = await evaluatingWorld(ctx);
    const url = `/v1/procurements/${w.procurementId}/approvals`;
    const key = await seedApiKey(ctx, w.org, { scopes: ['scores:read', 'reports:read', 'responses:read', 'responses:read-confidential', 'procurements:read'] });
    const byKey = await w.call('POST', url, key.token, { role: 'approver' });
    expect(byKey.statusCode).toBe(403);
    expect(problemOf(byKey).code).toBe('auth.forbidden');
    expect((await w.call('POST', url, w.org.admin.token, { role: 'approver' })).statusCode).toBe(201);
    const read = await w.call('GET', url, key.token);
    expect(read.statusCode).toBe(200);
    expect(read.json().items).toHaveLength(1);
    const narrow = await seedApiKey(ctx, w.org, { scopes: ['procurements:read'] });
    expect((await w.call('GET', url, narrow.token)).statusCode).toBe(403);

    const other = await seedOrganisation(ctx);
    for (const method of ['GET', 'POST'] as const) {
      const res = await w.call(method, url, other.admin.token, method === 'POST' ? { role: 'approver' } : undefined);
      expect(res.statusCode, method).toBe(404);
      expect(problemOf(res).code).toBe('procurements.not_found');
    }
    const otherKey = await seedApiKey(ctx, other, { scopes: ['scores:read'] });
    expect((await w.call('GET', url, otherKey.token)).statusCode).toBe(404);
    // An evaluator of this council who is not on this panel reads nothing of it.
    const outsider = await seedUser(ctx, w.org, { role: 'evaluator' });
    expect(problemOf(await w.call('GET', url, outsider.token)).code).toBe('evaluations.not_on_panel');
  });

  it('answers a bad body with 422 naming the field (the API’s rule for bodies; 400 for a bad id), never 500', async () => {
    const w = await evaluatingWorld(ctx);
    const url = `/v1/procurements/${w.procurementId}/approvals`;
    for (const body of [{ role: 'chair' }, {}, { role: 'approver', comment: 'x'.repeat(2001) }, { role: 'approver', comment: 'a\u0000b' }, { role: 'approver', extra: true }, { role: 'approver', comment: 3 }]) {
      const res = await w.call('POST', url, w.org.admin.token, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 60)).toBe(422);
      expect(problemOf(res).errors?.[0]?.path).toMatch(/^\/body/);
    }
    expect((await w.call('POST', url, w.org.admin.token, { role: 'approver', comment: 'x'.repeat(2000) })).statusCode).toBe(201);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/procurements/not-an-id/approvals', headers: bearer(w.org.admin.token), payload: { role: 'approver' } })).statusCode).toBe(400);
  });

  it('refuses a sign-off before the procurement is being evaluated (409)', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/procurements/${procurementId}/approvals`, headers: bearer(org.admin.token), payload: { role: 'approver' } });
    expect(res.statusCode).toBe(409);
    expect(problemOf(res).code).toBe('approvals.not_evaluating');
  });
});
