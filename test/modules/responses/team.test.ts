import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { saveAnswer, saveAnswers, clearAnswer } from '../../../src/modules/responses/answers.usecases';
import { deleteEvidence, uploadEvidence } from '../../../src/modules/responses/evidence.usecases';
import { ownerOfResumeToken, resumeToken } from '../../../src/modules/responses/pending.usecases';
import { getSupplierResponse, submitResponse } from '../../../src/modules/responses/responses.usecases';
import { supplierSessions } from '../../../src/modules/responses/responses.table';
import { resolveSupplierSession } from '../../../src/modules/responses/sessions.usecases';
import { queryRows } from '../../../src/platform/db';
import { addTeamMember, listTeam } from '../../../src/modules/responses/team.usecases';
import type { SupplierPrincipal } from '../../../src/platform/auth';
import { createOutboxMailer } from '../../../src/platform/mail';
import { createDatabaseBlobStorage } from '../../../src/platform/storage';
import { bearer, testConfig, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { useSmtpCapture } from '../../helpers/smtp';
import { readPage, webAgent } from '../../helpers/web';
import { evidenceDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const fixture = (name: string) => readFile(path.resolve(import.meta.dirname, '../../fixtures/evidence', name));
const JO = { name: 'Jo Bloggs', email: 'jo@acme.example' };
const SAM = { name: 'Sam Patel', email: 'sam@acme.example' };

async function invited(ctx: TestContext) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: evidenceDefinition(), triage, title: 'Council tax chatbot' });
  const invitation = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
  return { org, procurementId, invitation };
}

type Agent = ReturnType<typeof webAgent>;

/** Opens a link in a fresh agent (its own browser) and returns the agent with the principal its session stands for. */
async function open(ctx: TestContext, link: string): Promise<{ web: Agent; principal: SupplierPrincipal }> {
  const web = webAgent(ctx.app);
  const opened = await web.get(link);
  expect([opened.statusCode, opened.headers.location]).toEqual([303, '/respond']);
  const session = /aidd_session=([^;]+)/.exec(String(opened.headers['set-cookie']))![1]!;
  const resolved = await resolveSupplierSession({ db: ctx.database.db, now: ctx.clock.now(), session });
  return { web, principal: resolved!.principal };
}

/** Adds a colleague through the lead's team page, as a browser would post the form. */
async function addColleague(web: Agent, person: { name: string; email: string }, sections: string[]) {
  const page = readPage((await web.get('/respond/team')).body);
  const added = await web.post('/respond/team', { ...page.formValues(page.button('Add colleague')), name: person.name, email: person.email, sections });
  expect(added.statusCode, added.body).toBe(303);
  return added;
}

const audit = async (ctx: TestContext, org: SeededOrganisation) =>
  (await ctx.app.inject({ method: 'GET', url: '/v1/audit-events?limit=100', headers: bearer(org.admin.token) })).json().items as Array<{ action: string; details: Record<string, unknown> }>;

const stored = async (ctx: TestContext, token: string) => (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(token) })).json();

describe('a supplier’s bid team', () => {
  const smtp = useSmtpCapture();
  const ctx = useTestApp({ config: () => ({ COOKIE_SECURE: 'false', SMTP_URL: smtp.url(), MAIL_FROM: 'Due diligence <dd@council.example>' }) });

  it('lets the lead give two colleagues a section each; each answers only its own, and only the lead submits', async () => {
    const { org, invitation } = await invited(ctx);
    const lead = webAgent(ctx.app);
    await lead.get(`/respond/${invitation.token}`);

    let page = readPage((await lead.get('/respond')).body);
    expect(page.link('Manage your bid team')?.getAttribute('href')).toBe('/respond/team');
    page = readPage((await lead.get('/respond/team')).body);
    expect(page.h1).toEqual(['Your bid team']);
    expect(page.text).toContain('You have not added any colleagues yet.');
    expect(page.summary()).toEqual([
      { key: 'Section A', value: 'You' },
      { key: 'Section B', value: 'You' },
    ]);

    const added = await addColleague(lead, JO, ['a']);
    page = readPage((await lead.get(added.headers.location as string)).body);
    expect(page.document.querySelector('.govuk-notification-banner--success')?.getAttribute('role')).toBe('alert');
    expect(page.text).toContain('Jo Bloggs has been added to your bid team. We have emailed them a link to answer their sections.');
    await addColleague(lead, SAM, ['b']);
    page = readPage((await lead.get('/respond/team')).body);
    expect(page.summary()).toEqual(
      expect.arrayContaining([
        { key: 'Section A', value: 'Jo Bloggs' },
        { key: 'Section B', value: 'Sam Patel' },
        { key: 'Email address', value: 'jo@acme.example' },
        { key: 'Sections', value: 'Section A' },
      ]),
    );
    expect(page.button('Remove Jo Bloggs')).toBeDefined();
    expect(page.button('Remove Sam Patel')).toBeDefined();

    // Each colleague is emailed its own link; the outbox keeps the email with the link redacted.
    const joLink = smtp.linkTo(JO.email);
    const samLink = smtp.linkTo(SAM.email);
    expect(joLink).toMatch(/^\/respond\/aidd_team_/);
    expect(joLink).not.toBe(samLink);
    const outbox = (await ctx.app.inject({ method: 'GET', url: '/v1/outbox?limit=100', headers: bearer(org.admin.token) })).json().items as Array<{ kind: string; to: string; text: string }>;
    const joMail = outbox.find((m) => m.kind === 'team_member' && m.to === JO.email)!;
    expect(joMail.text).toContain('Acme AI Ltd has added you to its bid team');
    expect(joMail.text).toContain('- Section A');
    expect(joMail.text).toContain('/respond/[REDACTED]');
    expect(JSON.stringify(outbox)).not.toContain(joLink.slice('/respond/'.length));
    expect(JSON.stringify(outbox)).not.toContain(samLink.slice('/respond/'.length));

    // The lead's task list says who has each section.
    page = readPage((await lead.get('/respond')).body);
    const hints = [...page.document.querySelectorAll('.govuk-task-list__hint')].map((h) => h.textContent!.trim());
    expect(hints).toEqual([expect.stringMatching(/Assigned to Jo Bloggs$/), expect.stringMatching(/Assigned to Sam Patel$/)]);

    // Jo sees Section A only, is told the lead submits, and has no way to submit or manage the team.
    const jo = await open(ctx, joLink);
    page = readPage((await jo.web.get('/respond')).body);
    expect([...page.document.querySelectorAll('.govuk-task-list__link')].map((a) => a.textContent!.trim())).toEqual(['Section A']);
    expect(page.text).toContain('You are answering this section for Acme AI Ltd, as part of its bid team. The person who added you checks the whole response and submits it.');
    expect(page.link('Manage your bid team')).toBeUndefined();
    expect(page.heading('Check and submit')).toBeUndefined();
    expect((await jo.web.get('/respond/team')).statusCode).toBe(403);

    // Another section's page sends Jo back, and a post to it changes nothing.
    const sectionA = readPage((await jo.web.get('/respond/sections/a')).body);
    const csrf = sectionA.formValues(sectionA.button('Save and continue'))._csrf as string;
    expect((await jo.web.get('/respond/sections/b')).headers.location).toBe('/respond');
    const forged = await jo.web.post('/respond/sections/b', { _csrf: csrf, 'b.hours': '99', 'b.hours--base': 'none', action: 'continue' });
    expect([forged.statusCode, forged.headers.location]).toEqual([303, '/respond']);
    // The use cases refuse another section's question as not found, whatever the page does.
    const asJo = { db: ctx.database.db, now: ctx.clock.now(), principal: jo.principal };
    await expect(saveAnswer({ ...asJo, questionKey: 'b.hours', input: { value: 99 } })).rejects.toMatchObject({ status: 404, code: 'responses.question_not_found' });
    await expect(saveAnswers({ ...asJo, answers: { 'b.hours': { value: 99 } }, unknownKeys: 'reject', pathPrefix: '/answers' })).rejects.toMatchObject({ status: 404, code: 'responses.question_not_found' });
    await expect(clearAnswer({ ...asJo, questionKey: 'b.hours' })).rejects.toMatchObject({ status: 404, code: 'responses.question_not_found' });
    await expect(uploadEvidence({ ...asJo, storage: createDatabaseBlobStorage({ db: ctx.database.db }), questionKey: 'b.policy', filename: 'policy.pdf', bytes: await fixture('dpia.pdf') })).rejects.toMatchObject({ status: 404, code: 'responses.question_not_found' });
    expect((await stored(ctx, invitation.token)).answers).toEqual({});

    // Jo answers Section A through the form.
    page = readPage((await jo.web.get('/respond/sections/a')).body);
    const savedA = await jo.web.post('/respond/sections/a', { ...page.formValues(page.button('Save and continue')), 'a.training': 'never', action: 'continue' });
    expect(savedA.statusCode, savedA.body).toBe(303);
    expect(savedA.headers.location).not.toMatch(/sections\/b/);
    // History says which colleague changed the answer, not only which invitation.
    const [history] = await queryRows<{ updated_by: string }>(ctx.database.db, sql`select updated_by from answers where question_key = 'a.training'`);
    expect(history?.updated_by).toBe(jo.principal.teamMember!.id);

    // Sam answers Section B, with its evidence; Sam cannot see Jo's answer.
    const sam = await open(ctx, samLink);
    const asSam = { db: ctx.database.db, now: ctx.clock.now(), principal: sam.principal };
    expect(Object.keys((await getSupplierResponse(asSam)).answers)).toEqual([]);
    expect((await getSupplierResponse(asSam)).sections.map((s) => s.key)).toEqual(['b']);
    page = readPage((await sam.web.get('/respond/sections/b')).body);
    const savedB = await sam.web.post('/respond/sections/b', { ...page.formValues(page.button('Save and continue')), 'b.hours': '12', action: 'later' });
    expect(savedB.statusCode, savedB.body).toBe(303);
    for (const [question, file] of [['b.hours', 'dpia.pdf'], ['b.policy', 'policy.docx']] as const) {
      const href = `/respond/sections/b/evidence/${question}`;
      const form = readPage((await sam.web.get(href)).body);
      const upload = await sam.web.upload(href, { _csrf: form.formValues(form.byLabel('Upload a file'))._csrf as string, questionKey: question }, [{ filename: file, bytes: await fixture(file) }]);
      expect([upload.statusCode, upload.headers.location]).toEqual([303, href]);
    }
    // Jo can neither see nor delete Sam's files.
    expect((await getSupplierResponse(asJo)).evidence).toEqual([]);
    const samFile = (await getSupplierResponse(asSam)).evidence[0]!;
    await expect(deleteEvidence({ ...asJo, storage: createDatabaseBlobStorage({ db: ctx.database.db }), id: samFile.id })).rejects.toMatchObject({ status: 404, code: 'responses.question_not_found' });

    // Jo's sections are complete; Jo reads its answers but cannot submit.
    page = readPage((await jo.web.get('/respond/check')).body);
    expect(page.h1).toEqual(['Your answers']);
    expect(page.summary()).toEqual([{ key: 'Do you train on our data?', value: 'Never' }]);
    expect(page.button('Accept and submit')).toBeUndefined();
    expect(page.text).toContain('The person who added you to Acme AI Ltd’s bid team checks the whole response and submits it.');
    const refused = await jo.web.post('/respond/submit', { _csrf: csrf, declaration: 'yes' });
    expect(refused.statusCode).toBe(303);
    expect((await stored(ctx, invitation.token)).response.status).toBe('in_progress');
    await expect(submitResponse(asJo)).rejects.toMatchObject({ status: 403, code: 'responses.lead_only', detail: expect.stringContaining('The person who received the invitation submits the response') });

    // The lead sees everything complete and submits.
    page = readPage((await lead.get('/respond')).body);
    expect([...page.document.querySelectorAll('.govuk-task-list__status')].map((s) => s.textContent!.trim())).toEqual(['Completed', 'Completed']);
    page = readPage((await lead.get('/respond/check')).body);
    const submitted = await lead.post('/respond/submit', { ...page.formValues(page.button('Accept and submit')), declaration: 'yes' });
    expect(submitted.headers.location).toBe('/respond/confirmation');
    const view = await stored(ctx, invitation.token);
    expect(view.response.status).toBe('submitted');
    expect(view.answers['a.training'].value).toBe('never');
    expect(view.answers['b.hours'].value).toBe(12);
    expect(view.evidence.map((e: { filename: string }) => e.filename).sort()).toEqual(['dpia.pdf', 'policy.docx']);
    expect(view.answers['b.hours']).toBeDefined();
    // Jo is told the company submitted, not that Jo did.
    expect(readPage((await jo.web.get('/respond')).body).text).toMatch(/Acme AI Ltd submitted its response on .* \(reference SUB-/);

    // After submission nobody can be added.
    const asLead = { db: ctx.database.db, now: ctx.clock.now(), principal: { ...jo.principal, teamMember: undefined }, mailer: createOutboxMailer(), publicBaseUrl: 'http://localhost' };
    await expect(addTeamMember({ ...asLead, name: 'Ali Khan', email: 'ali@acme.example', sections: ['a'] })).rejects.toMatchObject({ status: 409, code: 'responses.already_submitted' });
  });

  it('removes a colleague: its session ends at once, its link says so, and adding and removing are audited without the link', async () => {
    const { org, invitation } = await invited(ctx);
    const lead = webAgent(ctx.app);
    await lead.get(`/respond/${invitation.token}`);
    await addColleague(lead, JO, ['a', 'b']);
    const joLink = smtp.linkTo(JO.email);
    const jo = await open(ctx, joLink);
    expect((await jo.web.get('/respond')).statusCode).toBe(200);
    const resume = resumeToken({ secretsKey: secretsKey(), principal: jo.principal });
    expect(await ownerOfResumeToken({ db: ctx.database.db, now: ctx.clock.now(), secretsKey: secretsKey(), token: resume })).toMatchObject({ teamMemberId: jo.principal.teamMember!.id });

    let page = readPage((await lead.get('/respond/team')).body);
    const remove = page.button('Remove Jo Bloggs')!;
    const action = remove.closest('form')!.getAttribute('action')!;
    // Without the CSRF token nothing happens.
    expect((await lead.post(action, {})).statusCode).toBe(403);
    expect((await jo.web.get('/respond')).statusCode).toBe(200);

    const removed = await lead.post(action, page.formValues(remove));
    expect(removed.statusCode).toBe(303);
    page = readPage((await lead.get(removed.headers.location as string)).body);
    expect(page.text).toContain('Jo Bloggs has been removed from your bid team. Their link no longer works.');
    expect(page.text).toContain('You have not added any colleagues yet.');

    // Jo's open session has ended, no session row is left, and the link says Jo was removed.
    expect((await jo.web.get('/respond')).statusCode).toBe(401);
    expect(await ctx.database.db.select().from(supplierSessions).where(eq(supplierSessions.teamMemberId, jo.principal.teamMember!.id))).toEqual([]);
    const reopened = await webAgent(ctx.app).get(joLink);
    expect(reopened.statusCode).toBe(404);
    expect(readPage(reopened.body).text).toContain('You have been removed from the bid team, so this link no longer works.');
    expect(await ownerOfResumeToken({ db: ctx.database.db, now: ctx.clock.now(), secretsKey: secretsKey(), token: resume })).toBeNull();
    // Removing again is harmless.
    expect((await lead.post(action, page.formValues(page.button('Add colleague')))).statusCode).toBe(303);

    const events = await audit(ctx, org);
    const added = events.find((e) => e.action === 'team_member.added')!;
    expect(added.details).toMatchObject({ name: 'Jo Bloggs', email: 'jo@acme.example', sections: ['a', 'b'] });
    expect(events.filter((e) => e.action === 'team_member.revoked')).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(joLink.slice('/respond/'.length));
    // A colleague's link is for the web form only: as an API token it is refused.
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(joLink.slice('/respond/'.length)) })).statusCode).toBe(401);
  });

  it('takes a NUL character pasted into the team form without an error, keeping the rest of the text', async () => {
    const { org, invitation } = await invited(ctx);
    const lead = webAgent(ctx.app);
    await lead.get(`/respond/${invitation.token}`);
    const page = readPage((await lead.get('/respond/team')).body);
    const added = await lead.post('/respond/team', { ...page.formValues(page.button('Add colleague')), name: 'Jo\u0000 Bloggs', email: `jo\u0000@acme.example`, sections: ['a\u0000'] });
    expect(added.statusCode, added.body).toBe(303);
    expect((await teamOf(ctx, invitation.responseId, org)).map((m) => [m.name, m.email, m.sections])).toEqual([['Jo Bloggs', JO.email, ['a']]]);
  });

  it('shows the lead GOV.UK errors, keeps what was typed, and changes nothing on a forged or foreign request', async () => {
    const { org, procurementId, invitation } = await invited(ctx);
    const lead = webAgent(ctx.app);
    await lead.get(`/respond/${invitation.token}`);
    let page = readPage((await lead.get('/respond/team')).body);
    const form = page.formValues(page.button('Add colleague'));

    const empty = await lead.post('/respond/team', form);
    expect(empty.statusCode).toBe(400);
    page = readPage(empty.body);
    expect(page.title.startsWith('Error: ')).toBe(true);
    expect(page.errorSummary()).toEqual([
      { href: '#name', text: 'Enter your colleague’s name' },
      { href: '#email', text: 'Enter your colleague’s email address' },
      { href: '#sections', text: 'Select at least one section for your colleague to answer' },
    ]);
    const bad = await lead.post('/respond/team', { ...form, name: 'Jo Bloggs', email: 'jo at acme', sections: ['a', 'nope'] });
    page = readPage(bad.body);
    expect(page.errorSummary()).toEqual([
      { href: '#email', text: 'Enter an email address in the correct format, like name@example.com' },
      { href: '#sections', text: 'Select sections from the list' },
    ]);
    expect(page.byLabel('Full name')?.getAttribute('value')).toBe('Jo Bloggs');
    expect(page.byLabel('Email address')?.getAttribute('value')).toBe('jo at acme');
    expect(page.byLabel('Section A')?.hasAttribute('checked')).toBe(true);

    // No CSRF token: refused, nobody added.
    const { _csrf: _, ...withoutCsrf } = form;
    expect((await lead.post('/respond/team', { ...withoutCsrf, name: 'Jo Bloggs', email: JO.email, sections: 'a' })).statusCode).toBe(403);
    expect(await teamOf(ctx, invitation.responseId, org)).toEqual([]);

    await addColleague(lead, JO, ['a']);
    const duplicate = await lead.post('/respond/team', { ...form, name: 'Joanna Bloggs', email: 'JO@acme.example', sections: 'b' });
    expect(readPage(duplicate.body).errorSummary()).toEqual([{ href: '#email', text: 'Jo Bloggs already has a link for this email address; remove them first to change their sections' }]);
    const [member] = await teamOf(ctx, invitation.responseId, org);

    // Another supplier on the same procurement sees its own (empty) team and cannot remove Jo.
    const other = await seedInvitation(ctx, org, procurementId, { supplierName: 'Bright Analytics' });
    const rival = webAgent(ctx.app);
    await rival.get(`/respond/${other.token}`);
    page = readPage((await rival.get('/respond/team')).body);
    expect(page.text).toContain('You have not added any colleagues yet.');
    expect(page.text).not.toContain('Jo Bloggs');
    const foreign = await rival.post(`/respond/team/${member!.id}/remove`, page.formValues(page.button('Add colleague')));
    expect(foreign.statusCode).toBe(404);
    expect((await rival.post('/respond/team/not-a-uuid/remove', page.formValues(page.button('Add colleague')))).statusCode).toBe(404);
    expect((await teamOf(ctx, invitation.responseId, org))[0]!.revokedAt).toBeNull();

    // The council that invited the supplier can see its team; another council cannot.
    const elsewhere = await seedOrganisation(ctx, { name: 'Other District Council' });
    await expect(teamOf(ctx, invitation.responseId, elsewhere)).rejects.toMatchObject({ status: 404, code: 'responses.not_found' });
    const officer = await seedUser(ctx, org, { role: 'officer' });
    expect((await teamOf(ctx, invitation.responseId, org, officer.token)).map((m) => m.name)).toEqual(['Jo Bloggs']);
    // The supplier's own token does not reach the council's view.
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/responses/${invitation.responseId}/team`, headers: bearer(invitation.token) })).statusCode).toBe(403);

    // Past the deadline nobody can be added.
    ctx.clock.set(new Date('2026-12-11T09:00:00.000Z'));
    const jo = { kind: 'supplier' as const, organisationId: org.organisationId, invitationId: invitation.id, responseId: invitation.responseId, procurementId };
    await expect(addTeamMember({ db: ctx.database.db, now: ctx.clock.now(), principal: jo, mailer: createOutboxMailer(), publicBaseUrl: 'http://localhost', ...SAM, sections: ['b'] })).rejects.toMatchObject({ status: 409, code: 'responses.deadline_passed' });
    expect(await listTeam({ db: ctx.database.db, principal: jo })).toHaveLength(1);
  });
});

// The app's key: the test configuration sets no SECRETS_KEY, so both derive the same development key.
const secretsKey = () => testConfig().secretsKey;

/** The response's team as an officer of a council reads it over the API; another council's gets a 404. */
async function teamOf(ctx: TestContext, responseId: string, org: SeededOrganisation, token = org.admin.token): Promise<Array<{ id: string; name: string; email: string; sections: string[]; revokedAt: string | null }>> {
  const response = await ctx.app.inject({ method: 'GET', url: `/v1/responses/${responseId}/team`, headers: bearer(token) });
  if (response.statusCode !== 200) throw Object.assign(new Error(response.body), { status: response.statusCode, code: response.json().code as string });
  return response.json().items;
}
