import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { useSmtpCapture } from '../../helpers/smtp';
import { smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
type OutboxItem = { kind: string; to: string; subject: string; text: string; status: string; about: { type: string; id: string }; error: string | null };

async function outboxOf(ctx: TestContext, org: SeededOrganisation): Promise<OutboxItem[]> {
  const response = await ctx.app.inject({ method: 'GET', url: '/v1/outbox?limit=100', headers: bearer(org.admin.token) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items;
}

async function auditActions(ctx: TestContext, org: SeededOrganisation): Promise<string[]> {
  return (await ctx.app.inject({ method: 'GET', url: '/v1/audit-events?limit=100', headers: bearer(org.admin.token) })).json().items.map((e: { action: string }) => e.action);
}

describe('email to suppliers, held in the outbox when no SMTP server is set', () => {
  const ctx = useTestApp();
  const post = (url: string, token: string, payload?: object) => ctx.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });

  it('emails the invitation with the deadline and the officer’s contact, and never stores the token', async () => {
    const org = await seedOrganisation(ctx, { name: 'Exampleshire County Council' });
    const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, title: 'Housing chatbot' });
    const invited = await post(`/v1/procurements/${procurementId}/invitations`, officer.token, { supplierName: 'Acme AI Ltd', contactEmail: 'Bids@Acme.example' });
    expect(invited.statusCode, invited.body).toBe(201);
    const { token, emailed, id } = invited.json();
    expect(emailed).toBe(true);

    const [mail, ...others] = await outboxOf(ctx, org);
    expect(others).toEqual([]);
    expect(mail).toMatchObject({ kind: 'invitation', to: 'bids@acme.example', status: 'held', about: { type: 'invitation', id } });
    expect(mail!.subject).toContain('Exampleshire County Council');
    expect(mail!.text).toContain('Answer by 5pm on Thursday 10 December 2026 (UK time).');
    expect(mail!.text).toMatch(/contact Olu Officer, officer-.*@example\.gov\.uk at Exampleshire County Council/);
    expect(mail!.text).toContain('/respond/[REDACTED]');
    expect(mail!.text).not.toContain(token);
  });

  it('does not email while the procurement is a draft; a new link once it is open does', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    const draft = await post('/v1/procurements', org.admin.token, { title: 'Draft one', questionnaireId: (await ctx.app.inject({ method: 'GET', url: `/v1/procurements/${procurementId}`, headers: bearer(org.admin.token) })).json().questionnaire.id, deadline: '2026-12-20T17:00:00Z', triage });
    const invited = (await post(`/v1/procurements/${draft.json().id}/invitations`, org.admin.token, { supplierName: 'Early Ltd', contactEmail: 'early@example.com' })).json();
    expect(invited.emailed).toBe(false);
    expect(await outboxOf(ctx, org)).toEqual([]);
    await post(`/v1/procurements/${draft.json().id}/open`, org.admin.token);
    const resent = await post(`/v1/invitations/${invited.id}/resend`, org.admin.token);
    expect(resent.json().emailed).toBe(true);
    const [mail] = await outboxOf(ctx, org);
    expect(mail).toMatchObject({ kind: 'new_link', to: 'early@example.com' });
    expect(mail!.text).not.toContain(resent.json().token);
    expect(mail!.text).toContain('The old link no longer works');
  });

  it('reminds a supplier of its deadline and what is left, audits it, and refuses once there is nothing to remind', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    const invitation = await seedInvitation(ctx, org, procurementId);
    const reminded = await post(`/v1/invitations/${invitation.id}/remind`, org.admin.token);
    expect(reminded.statusCode, reminded.body).toBe(200);
    const reminder = (await outboxOf(ctx, org)).find((m) => m.kind === 'reminder')!;
    // a.training and b.hours are the required questions visible with this triage.
    expect(reminder.text).toContain('2 required items are still to do before you can submit.');
    expect(reminder.text).not.toContain('/respond/');
    expect(await auditActions(ctx, org)).toContain('invitation.reminded');

    const save = (key: string, value: unknown) => ctx.app.inject({ method: 'PUT', url: `/v1/supplier/response/answers/${key}`, headers: bearer(invitation.token), payload: { value } });
    await save('a.training', 'never');
    await save('b.hours', 4);
    await post('/v1/supplier/response/submit', invitation.token, { declaration: true });
    const refused = await post(`/v1/invitations/${invitation.id}/remind`, org.admin.token);
    expect([refused.statusCode, problemOf(refused).code]).toEqual([409, 'invitations.cannot_remind']);
  });

  it('lets only admins read the outbox, and only their own council’s', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    await seedInvitation(ctx, org, procurementId);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/outbox', headers: bearer(officer.token) })).statusCode).toBe(403);
    const other = await seedOrganisation(ctx);
    expect(await outboxOf(ctx, other)).toEqual([]);
    expect(await outboxOf(ctx, org)).toHaveLength(1);
  });
});

describe('email through a real SMTP server', () => {
  const smtp = useSmtpCapture();
  const received = smtp.received;
  const live = useTestApp({ config: () => ({ SMTP_URL: smtp.url(), MAIL_FROM: 'Due diligence <dd@council.example>' }) });

  it('sends the full link to the supplier, and keeps only a redacted copy marked sent', async () => {
    const org = await seedOrganisation(live);
    const procurementId = await seedOpenProcurement(live, org, { definition: smallDefinition(), triage });
    const invited = await live.app.inject({ method: 'POST', url: `/v1/procurements/${procurementId}/invitations`, headers: bearer(org.admin.token), payload: { supplierName: 'Acme', contactEmail: 'bids@acme.example' } });
    const { token } = invited.json();
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(['bids@acme.example']);
    expect(received[0]!.text).toContain(token);
    const [mail] = await outboxOf(live, org);
    expect(mail).toMatchObject({ status: 'sent', kind: 'invitation' });
    expect(mail!.text).not.toContain(token);
  });

});

describe('email when the SMTP server cannot be reached', () => {
  // Port 1 on loopback: nothing listens, so the connection is refused at once.
  const ctx = useTestApp({ config: { SMTP_URL: 'smtp://127.0.0.1:1' } });

  it('records a failed delivery without losing the invitation', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    const invited = await ctx.app.inject({ method: 'POST', url: `/v1/procurements/${procurementId}/invitations`, headers: bearer(org.admin.token), payload: { supplierName: 'Acme', contactEmail: 'bids@acme.example' } });
    expect(invited.statusCode).toBe(201);
    const [mail] = await outboxOf(ctx, org);
    expect(mail).toMatchObject({ status: 'failed' });
    expect(mail!.error).toBeTruthy();
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(invited.json().token) })).statusCode).toBe(200);
  });
});
