import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedPublishedQuestionnaire, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';
import { smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
type Agent = Awaited<ReturnType<typeof signedInAgent>>;

const get = (agent: Agent, url: string) => agent.get(url).redirects(0);
const post = (agent: Agent, url: string, form: Record<string, string>) => agent.post(url).type('form').send(form).redirects(0);

async function outbox(ctx: TestContext, org: SeededOrganisation) {
  const res = await ctx.app.inject({ method: 'GET', url: '/v1/outbox?limit=100', headers: bearer(org.admin.token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Array<{ kind: string; to: string; subject: string; text: string }>;
}

const supplierOpens = (ctx: TestContext, token: string) => ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(token) });

/** Example Borough Council's open procurement, with an officer signed in to the console. */
async function world(ctx: TestContext) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, title: 'Council tax chatbot' });
  const agent = await signedInAgent({ app: ctx.app, userId: officer.id });
  return { org, officer, procurementId, agent, suppliers: `/procurements/${procurementId}/suppliers` };
}

/** Invites a supplier through the page; returns the link page's address. */
async function invite(agent: Agent, suppliers: string, supplierName: string, contactEmail: string) {
  const page = await get(agent, suppliers);
  const res = await post(agent, suppliers, { _csrf: csrfFrom(page.text), supplierName, contactEmail, companyNumber: '' });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return res.headers.location as string;
}

// A cold first render of the console's templates, on a busy machine, can take a while.
describe('the suppliers page', { timeout: 120_000 }, () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('invites a supplier and shows its link once, with the email it was sent', async () => {
    const w = await world(ctx);
    const empty = readPage((await get(w.agent, w.suppliers)).text);
    expect(empty.h1).toEqual(['Suppliers']);
    expect(empty.text).toContain('No suppliers invited yet.');
    expect(empty.byLabel('Supplier name')).toBeDefined();

    const linkPage = await invite(w.agent, w.suppliers, 'Acme AI Ltd', 'Bids@Acme.example');
    expect(linkPage).toMatch(new RegExp(`^/procurements/${w.procurementId}/suppliers/[0-9a-f-]{36}/link$`));
    const shown = await get(w.agent, linkPage);
    expect(shown.status).toBe(200);
    const page = readPage(shown.text);
    expect(page.h1).toEqual(['Acme AI Ltd has been invited']);
    const link = page.document.getElementById('invitation-link')?.textContent?.trim() ?? '';
    expect(link).toMatch(/^http:\/\/localhost:3000\/respond\/aidd_inv_[A-Za-z0-9_-]+$/);
    expect(page.text).toContain('This is the only time the link is shown');
    expect(page.button('Copy link')).toBeDefined();
    expect(page.text).toContain('We have emailed the link to bids@acme.example');
    // The email's words as sent, link included.
    const sent = (await outbox(ctx, w.org)).filter((m) => m.kind === 'invitation');
    expect(sent).toHaveLength(1);
    expect(page.text).toContain(`Subject: ${sent[0]!.subject}`);
    expect(page.text).toContain('Dear Acme AI Ltd,');
    expect(page.text).toContain(link);
    // The link works: it is the supplier's credential.
    expect((await supplierOpens(ctx, link.split('/respond/')[1]!)).statusCode).toBe(200);

    // Reloading does not show it again.
    const again = readPage((await get(w.agent, linkPage)).text);
    expect(again.h1).toEqual(['The link for Acme AI Ltd is no longer shown']);
    expect(again.document.getElementById('invitation-link')).toBeNull();
    expect(again.text).not.toContain('aidd_inv_');
    expect(again.link('Send a new link')).toBeDefined();

    // Progress on the suppliers page.
    const listed = readPage((await get(w.agent, w.suppliers)).text);
    expect(listed.text).toContain('1 supplier invited; 0 submitted.');
    expect(listed.heading('Acme AI Ltd')).toBeDefined();
    const rows = listed.summary();
    expect(rows).toContainEqual({ key: 'Status', value: 'Not started' });
    expect(rows).toContainEqual({ key: 'Contact', value: 'bids@acme.example' });
    expect(rows).toContainEqual({ key: 'Required questions answered', value: '0 of 2' });
    expect(rows).toContainEqual({ key: 'Evidence files', value: '0' });
    expect(rows.find((r) => r.key === 'Last activity')?.value).toBe('26 November 2026, 12:00 (UK time)');
    for (const action of ['Read answers so far', 'Send a new link', 'Send a reminder', 'Extend deadline', 'Revoke']) expect(listed.link(new RegExp(`^${action} \\(Acme AI Ltd\\)$`)), action).toBeDefined();
  });

  it('in a draft, invites without emailing, and shows the email for the officer to send', async () => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const questionnaireId = await seedPublishedQuestionnaire(ctx, org, smallDefinition() as Record<string, unknown>);
    const draft = await ctx.app.inject({ method: 'POST', url: '/v1/procurements', headers: bearer(org.admin.token), payload: { title: 'Draft chatbot', questionnaireId, deadline: '2026-12-10T17:00:00.000Z', triage } });
    expect(draft.statusCode, draft.body).toBe(201);
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const suppliers = `/procurements/${draft.json().id}/suppliers`;
    expect(readPage((await get(agent, suppliers)).text).text).toContain('The procurement is a draft: the invitation email is sent when you send a new link after opening it.');
    const page = readPage((await get(agent, await invite(agent, suppliers, 'Acme AI Ltd', 'bids@acme.example'))).text);
    expect(page.text).toContain('Nothing has been emailed: the procurement is a draft.');
    expect(page.text).toContain('Dear Acme AI Ltd,');
    expect(page.document.getElementById('invitation-link')?.textContent).toMatch(/\/respond\/aidd_inv_/);
    expect(await outbox(ctx, org)).toEqual([]);
  });

  it('lists suppliers 20 to a page', async () => {
    const w = await world(ctx);
    for (let i = 1; i <= 21; i += 1) await seedInvitation(ctx, w.org, w.procurementId, { supplierName: `Supplier ${String(i).padStart(2, '0')}` });
    const first = readPage((await get(w.agent, w.suppliers)).text);
    expect(first.text).toContain('21 suppliers invited; 0 submitted.');
    expect(first.document.querySelectorAll('.govuk-summary-card')).toHaveLength(20);
    const more = first.link(/More suppliers/);
    expect(more).toBeDefined();
    const second = readPage((await get(w.agent, more!.getAttribute('href')!)).text);
    expect(second.document.querySelectorAll('.govuk-summary-card')).toHaveLength(1);
    const names = [first, second].flatMap((p) => [...(p.document.querySelectorAll('.govuk-summary-card__title') as unknown as Iterable<{ textContent: string | null }>)].map((t) => (t.textContent ?? '').trim()));
    expect(new Set(names).size).toBe(21);
    expect(second.link(/First page/)?.getAttribute('href')).toBe(w.suppliers);
  });

  it('says what is wrong with the invite form, and invites nobody', async () => {
    const w = await world(ctx);
    const page = await get(w.agent, w.suppliers);
    const res = await post(w.agent, w.suppliers, { _csrf: csrfFrom(page.text), supplierName: ' ', contactEmail: 'not an email', companyNumber: '123' });
    expect(res.status).toBe(400);
    const shown = readPage(res.text);
    expect(shown.title).toMatch(/^Error: Suppliers – Council tax chatbot/);
    expect(shown.errorSummary()).toEqual([
      { href: '#supplierName', text: 'Enter the supplier’s name' },
      { href: '#contactEmail', text: 'Enter an email address in the correct format, like name@example.com' },
      { href: '#companyNumber', text: 'Enter a Companies House number of 8 letters and numbers, like 01234567 or SC123456' },
    ]);
    expect(shown.byLabel('Email address to send the invitation to')?.getAttribute('value')).toBe('not an email');
    const list = await ctx.app.inject({ method: 'GET', url: `/v1/procurements/${w.procurementId}/invitations`, headers: bearer(w.org.admin.token) });
    expect(list.json().items).toEqual([]);
  });

  it('sends a new link (shown once; the old one stops working), a reminder, more time, and revokes', async () => {
    const w = await world(ctx);
    const first = await invite(w.agent, w.suppliers, 'Acme AI Ltd', 'bids@acme.example');
    const oldLink = readPage((await get(w.agent, first)).text).document.getElementById('invitation-link')!.textContent!.trim();
    const oldToken = oldLink.split('/respond/')[1]!;
    const base = first.replace(/\/link$/, '');

    // A new link: confirmed, then shown once.
    const confirm = await get(w.agent, `${base}/new-link`);
    expect(readPage(confirm.text).h1).toEqual(['Send a new link to Acme AI Ltd?']);
    const resent = await post(w.agent, `${base}/new-link`, { _csrf: csrfFrom(confirm.text) });
    expect(resent.status).toBe(303);
    expect(resent.headers.location).toBe(first);
    const newPage = readPage((await get(w.agent, first)).text);
    expect(newPage.h1).toEqual(['A new link for Acme AI Ltd']);
    const newToken = newPage.document.getElementById('invitation-link')!.textContent!.trim().split('/respond/')[1]!;
    expect(newToken).not.toBe(oldToken);
    expect((await supplierOpens(ctx, oldToken)).statusCode).toBe(401);
    expect((await supplierOpens(ctx, newToken)).statusCode).toBe(200);
    expect((await outbox(ctx, w.org)).filter((m) => m.kind === 'new_link')).toHaveLength(1);

    // A reminder.
    const remind = await get(w.agent, `${base}/remind`);
    expect(readPage(remind.text).text).toContain('2 things are left to do before they can submit');
    const reminded = await post(w.agent, `${base}/remind`, { _csrf: csrfFrom(remind.text) });
    expect(reminded.status).toBe(303);
    expect(reminded.headers.location).toBe(w.suppliers);
    const afterReminder = readPage((await get(w.agent, w.suppliers)).text);
    expect(afterReminder.text).toContain('A reminder has been sent to Acme AI Ltd at bids@acme.example');
    expect((await outbox(ctx, w.org)).filter((m) => m.kind === 'reminder')).toHaveLength(1);
    // The banner is for that one page view.
    expect(readPage((await get(w.agent, w.suppliers)).text).text).not.toContain('A reminder has been sent');

    // More time: the form says what is wrong, then takes a later deadline with a reason.
    const extend = await get(w.agent, `${base}/extend`);
    const extendPage = readPage(extend.text);
    expect(extendPage.text).toContain('Acme AI Ltd’s deadline is 10 December 2026, 17:00 (UK time)');
    expect(extendPage.byLabel('Time (UK time)')?.getAttribute('value')).toBe('17:00');
    const csrf = csrfFrom(extend.text);
    const blank = await post(w.agent, `${base}/extend`, { _csrf: csrf, 'deadline-day': '', 'deadline-month': '', 'deadline-year': '', 'deadline-time': '17:00', reason: '' });
    expect(blank.status).toBe(400);
    expect(readPage(blank.text).errorSummary()).toEqual([
      { href: '#deadline-day', text: 'Enter the new deadline' },
      { href: '#reason', text: 'Enter why this supplier is given more time' },
    ]);
    const earlier = await post(w.agent, `${base}/extend`, { _csrf: csrf, 'deadline-day': '9', 'deadline-month': '12', 'deadline-year': '2026', 'deadline-time': '17:00', reason: 'Server outage at the supplier' });
    expect(earlier.status).toBe(400);
    expect(readPage(earlier.text).errorSummary()).toEqual([{ href: '#deadline-day', text: 'The new deadline must be later than 10 December 2026, 17:00 (UK time)' }]);
    const extended = await post(w.agent, `${base}/extend`, { _csrf: csrf, 'deadline-day': '14', 'deadline-month': '12', 'deadline-year': '2026', 'deadline-time': '12:30', reason: 'Server outage at the supplier' });
    expect(extended.status).toBe(303);
    expect(readPage((await get(w.agent, w.suppliers)).text).text).toContain('Acme AI Ltd’s deadline is now 14 December 2026, 12:30 (UK time)');
    const responseId = (await ctx.app.inject({ method: 'GET', url: `/v1/procurements/${w.procurementId}/invitations`, headers: bearer(w.org.admin.token) })).json().items[0].responseId;
    const response = (await ctx.app.inject({ method: 'GET', url: `/v1/responses/${responseId}`, headers: bearer(w.org.admin.token) })).json();
    expect(response.deadline).toBe('2026-12-14T12:30:00.000Z');
    expect((await outbox(ctx, w.org)).filter((m) => m.kind === 'deadline_extended')).toHaveLength(1);

    // Revoking: confirmed, then the link stops working and the card offers nothing more to do.
    const revoke = await get(w.agent, `${base}/revoke`);
    expect(readPage(revoke.text).h1).toEqual(['Revoke Acme AI Ltd’s link?']);
    const revoked = await post(w.agent, `${base}/revoke`, { _csrf: csrfFrom(revoke.text) });
    expect(revoked.status).toBe(303);
    const afterRevoke = readPage((await get(w.agent, w.suppliers)).text);
    expect(afterRevoke.text).toContain('Acme AI Ltd’s link has been revoked');
    expect(afterRevoke.summary()).toContainEqual({ key: 'Status', value: 'Link revoked' });
    expect(afterRevoke.link(/^Send a new link/)).toBeUndefined();
    expect(afterRevoke.link(/^Revoke/)).toBeUndefined();
    expect((await supplierOpens(ctx, newToken)).statusCode).toBe(401);

    // A new link for a revoked invitation is refused, on the page, and nothing is sent.
    const refused = await post(w.agent, `${base}/new-link`, { _csrf: csrf });
    expect(refused.status).toBe(409);
    expect(readPage(refused.text).errorSummary()[0]?.text).toBe('This supplier’s link was revoked. Invite the supplier again instead.');
    expect((await outbox(ctx, w.org)).filter((m) => m.kind === 'new_link')).toHaveLength(1);
  });

  it('without the CSRF token nothing is changed (403)', async () => {
    const w = await world(ctx);
    const invitation = await seedInvitation(ctx, w.org, w.procurementId);
    const noToken = await post(w.agent, w.suppliers, { supplierName: 'Beta Bots', contactEmail: 'bids@beta.example' });
    expect(noToken.status).toBe(403);
    expect(readPage(noToken.text).h1).toEqual(['This page has expired']);
    const wrong = await post(w.agent, `${w.suppliers}/${invitation.id}/revoke`, { _csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const list = (await ctx.app.inject({ method: 'GET', url: `/v1/procurements/${w.procurementId}/invitations`, headers: bearer(w.org.admin.token) })).json().items;
    expect(list).toHaveLength(1);
    expect(list[0].revokedAt).toBeNull();
    expect((await supplierOpens(ctx, invitation.token)).statusCode).toBe(200);
  });

  it('a viewer reads progress but cannot act; an evaluator cannot see the page', async () => {
    const w = await world(ctx);
    const invitation = await seedInvitation(ctx, w.org, w.procurementId);
    const viewer = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, w.org, { role: 'viewer' })).id });
    const page = await get(viewer, w.suppliers);
    expect(page.status).toBe(200);
    const shown = readPage(page.text);
    expect(shown.summary()).toContainEqual({ key: 'Status', value: 'Not started' });
    expect(shown.byLabel('Supplier name')).toBeUndefined();
    expect(shown.link(/^Read answers so far/)).toBeDefined();
    expect(shown.link(/^Revoke/)).toBeUndefined();
    const csrf = csrfFrom((await get(viewer, '/sign-out')).text);
    for (const [url, form] of [
      [w.suppliers, { supplierName: 'Beta Bots', contactEmail: 'bids@beta.example' }],
      [`${w.suppliers}/${invitation.id}/revoke`, {}],
      [`${w.suppliers}/${invitation.id}/new-link`, {}],
      [`${w.suppliers}/${invitation.id}/remind`, {}],
    ] as const) {
      const res = await post(viewer, url, { _csrf: csrf, ...form });
      expect(res.status, url).toBe(403);
      expect(readPage(res.text).h1).toEqual(['You cannot do this']);
    }
    expect((await get(viewer, `${w.suppliers}/${invitation.id}/extend`)).status).toBe(403);
    expect((await outbox(ctx, w.org)).filter((m) => m.kind === 'reminder' || m.kind === 'new_link')).toEqual([]);
    expect((await supplierOpens(ctx, invitation.token)).statusCode).toBe(200);

    const evaluator = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, w.org, { role: 'evaluator' })).id });
    expect((await get(evaluator, w.suppliers)).status).toBe(403);
  });

  it('another council’s procurement or invitation, or one of another procurement, is not found on every address', async () => {
    const w = await world(ctx);
    const other = await seedOrganisation(ctx, { name: 'Other District Council' });
    const theirProcurement = await seedOpenProcurement(ctx, other, { definition: smallDefinition(), triage });
    const theirInvitation = await seedInvitation(ctx, other, theirProcurement);
    const ourOtherProcurement = await seedOpenProcurement(ctx, w.org, { definition: smallDefinition(), triage, title: 'Another one' });
    const ourOtherInvitation = await seedInvitation(ctx, w.org, ourOtherProcurement);
    const csrf = csrfFrom((await get(w.agent, w.suppliers)).text);
    const actions = ['link', 'new-link', 'remind', 'extend', 'revoke'];
    const urls = [
      `/procurements/${theirProcurement}/suppliers`,
      `/procurements/not-an-id/suppliers`,
      `${w.suppliers}?cursor=not-a-cursor`,
      ...actions.flatMap((a) => [
        `/procurements/${theirProcurement}/suppliers/${theirInvitation.id}/${a}`,
        `${w.suppliers}/${theirInvitation.id}/${a}`,
        `${w.suppliers}/${ourOtherInvitation.id}/${a}`,
        `${w.suppliers}/not-an-id/${a}`,
      ]),
    ];
    for (const url of urls) {
      const res = await get(w.agent, url);
      expect(res.status, url).toBe(404);
      expect(readPage(res.text).h1, url).toEqual(['Page not found']);
    }
    for (const url of [`/procurements/${theirProcurement}/suppliers`, ...actions.filter((a) => a !== 'link').flatMap((a) => [`${w.suppliers}/${theirInvitation.id}/${a}`, `${w.suppliers}/${ourOtherInvitation.id}/${a}`])]) {
      const res = await post(w.agent, url, { _csrf: csrf, supplierName: 'Beta Bots', contactEmail: 'bids@beta.example', reason: 'x', 'deadline-day': '1', 'deadline-month': '1', 'deadline-year': '2027', 'deadline-time': '17:00' });
      expect(res.status, url).toBe(404);
    }
    // Nothing happened to either invitation.
    expect((await supplierOpens(ctx, theirInvitation.token)).statusCode).toBe(200);
    expect((await supplierOpens(ctx, ourOtherInvitation.token)).statusCode).toBe(200);
    expect((await outbox(ctx, w.org)).filter((m) => m.kind !== 'invitation')).toEqual([]);
  });
});
