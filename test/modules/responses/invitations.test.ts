import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../../src/platform/db';
import { bearer, problemOf, useTestApp } from '../../helpers/app';
import { seedOpenProcurement, seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

const DEADLINE = '2026-12-10T17:00:00.000Z';

describe('inviting suppliers and the supplier’s view', () => {
  const ctx = useTestApp();
  const send = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  const openProcurement = (org: SeededOrganisation, triage: Record<string, unknown> = { 'triage.personal_data': 'no', 'triage.people': 10 }) =>
    seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });

  async function invite(org: SeededOrganisation, procurementId: string, supplierName = 'Acme AI Ltd') {
    const response = await send('POST', `/v1/procurements/${procurementId}/invitations`, org.admin.token, { supplierName, contactEmail: 'Bids@Acme.example', companyNumber: '01234567' });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  it('invites a supplier: a link with a 256-bit token shown once, stored only as a hash, audited', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await openProcurement(org);
    const created = await invite(org, procurementId);
    expect(created.token).toMatch(/^aidd_inv_[A-Za-z0-9_-]{43}$/);
    expect(created.respondUrl).toBe(`http://localhost:3000/respond/${created.token}`);
    expect(created.invitation).toMatchObject({ supplierName: 'Acme AI Ltd', contactEmail: 'bids@acme.example', responseStatus: 'not_started', revokedAt: null });
    const stored = await queryRows<Record<string, unknown>>(ctx.database.db, sql`select * from invitations`);
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(9));
    const list = await send('GET', `/v1/procurements/${procurementId}/invitations`, org.admin.token);
    expect(list.body).not.toContain(created.token.slice(9));
    expect(list.json().items).toHaveLength(1);
    const audit = (await send('GET', `/v1/audit-events?subjectId=${created.id}`, org.admin.token)).json().items;
    expect(audit[0]).toMatchObject({ action: 'invitation.sent', details: { supplierName: 'Acme AI Ltd' } });
  });

  it('shows the supplier its procurement and only the questions visible to it, without how they are marked', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await openProcurement(org);
    const { token, responseId } = await invite(org, procurementId);
    const response = await send('GET', '/v1/supplier/response', token);
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"1"');
    const view = response.json();
    expect(view.procurement).toMatchObject({ id: procurementId, title: 'AI chatbot', deadline: DEADLINE, status: 'open' });
    expect(view.response).toMatchObject({ id: responseId, status: 'not_started' });
    // Triage said no personal data, so section B is hidden; the follow-up waits for its answer.
    expect(view.sections.map((s: { key: string }) => s.key)).toEqual(['a']);
    expect(view.sections[0].questions.map((q: { key: string }) => q.key)).toEqual(['a.training']);
    expect(JSON.stringify(view)).not.toMatch(/"score"|gateway|descriptors|failureMessage/);
  });

  it('a triage that calls for a section shows it to the supplier', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await openProcurement(org, { 'triage.personal_data': 'yes', 'triage.people': 10 });
    const { token } = await invite(org, procurementId);
    const view = (await send('GET', '/v1/supplier/response', token)).json();
    expect(view.sections.map((s: { key: string }) => s.key)).toEqual(['a', 'b']);
  });

  it('a supplier token opens only the supplier API, and never officer endpoints', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await openProcurement(org);
    const { token } = await invite(org, procurementId);
    for (const url of ['/v1/me', `/v1/procurements/${procurementId}`, `/v1/procurements/${procurementId}/invitations`, '/v1/questionnaires', '/v1/audit-events']) {
      expect((await send('GET', url, token)).statusCode, url).toBe(403);
    }
    expect((await send('GET', '/v1/supplier/response', org.admin.token)).statusCode).toBe(403);
  });

  it('each supplier sees its own response only', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await openProcurement(org);
    const a = await invite(org, procurementId, 'Supplier A');
    const b = await invite(org, procurementId, 'Supplier B');
    expect((await send('GET', '/v1/supplier/response', a.token)).json().response.id).toBe(a.responseId);
    expect((await send('GET', '/v1/supplier/response', b.token)).json().response.id).toBe(b.responseId);
  });

  it('revoking stops the link at once; resending issues a new link and the old one stops', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await openProcurement(org);
    const first = await invite(org, procurementId);
    expect((await send('GET', '/v1/supplier/response', first.token)).statusCode).toBe(200);
    const resent = (await send('POST', `/v1/invitations/${first.id}/resend`, org.admin.token)).json();
    expect(resent.token).not.toBe(first.token);
    expect(resent.responseId).toBe(first.responseId);
    expect((await send('GET', '/v1/supplier/response', first.token)).statusCode).toBe(401);
    expect((await send('GET', '/v1/supplier/response', resent.token)).statusCode).toBe(200);

    const revoked = await send('POST', `/v1/invitations/${first.id}/revoke`, org.admin.token);
    expect(revoked.json().revokedAt).toBe('2026-11-26T12:00:00.000Z');
    expect((await send('GET', '/v1/supplier/response', resent.token)).statusCode).toBe(401);
    const again = await send('POST', `/v1/invitations/${first.id}/resend`, org.admin.token);
    expect(problemOf(again).code).toBe('invitations.revoked');
  });

  it('a link expires 30 days after the deadline', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await openProcurement(org);
    const { token } = await invite(org, procurementId);
    ctx.clock.set(new Date('2027-01-09T16:59:00.000Z'));
    expect((await send('GET', '/v1/supplier/response', token)).statusCode).toBe(200);
    ctx.clock.set(new Date('2027-01-09T17:00:00.001Z'));
    const expired = await send('GET', '/v1/supplier/response', token);
    expect(expired.statusCode).toBe(401);
    expect(problemOf(expired).code).toBe('auth.invalid_token');
  });

  it('will not invite to a closed or cancelled procurement', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await openProcurement(org);
    await send('POST', `/v1/procurements/${procurementId}/cancel`, org.admin.token);
    const response = await send('POST', `/v1/procurements/${procurementId}/invitations`, org.admin.token, { supplierName: 'Late Ltd', contactEmail: 'a@late.example' });
    expect(response.statusCode).toBe(409);
    expect(problemOf(response).code).toBe('invitations.procurement_not_open');
  });

  it("answers 404 for another organisation's procurement and invitations; evaluators and keys cannot invite", async () => {
    const mine = await seedOrganisation(ctx);
    const theirs = await seedOrganisation(ctx);
    const theirProcurement = await openProcurement(theirs);
    const theirInvitation = await invite(theirs, theirProcurement);
    const attempts = [
      send('POST', `/v1/procurements/${theirProcurement}/invitations`, mine.admin.token, { supplierName: 'X', contactEmail: 'x@x.example' }),
      send('GET', `/v1/procurements/${theirProcurement}/invitations`, mine.admin.token),
      send('POST', `/v1/invitations/${theirInvitation.id}/revoke`, mine.admin.token),
      send('POST', `/v1/invitations/${theirInvitation.id}/resend`, mine.admin.token),
    ];
    for (const response of await Promise.all(attempts)) expect(response.statusCode).toBe(404);
    expect((await send('GET', '/v1/supplier/response', theirInvitation.token)).statusCode).toBe(200);
    const evaluator = await seedUser(ctx, theirs, { role: 'evaluator' });
    expect((await send('POST', `/v1/procurements/${theirProcurement}/invitations`, evaluator.token, { supplierName: 'X', contactEmail: 'x@x.example' })).statusCode).toBe(403);
  });
});
