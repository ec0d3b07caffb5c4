import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli';
import { loadConfig } from '../../../src/config';
import { createUser, safeReturnTo } from '../../../src/modules/accounts';
import { queryRows } from '../../../src/platform/db';
import { bearer, TEST_SETUP_TOKEN, useTestApp, type TestContext } from '../../helpers/app';
import { seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { useSmtpCapture } from '../../helpers/smtp';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { until } from '../../helpers/wait';
import { readPage, webAgent } from '../../helpers/web';

/**
 * Council staff signing in to the officer console by emailed link, over HTTP with a cookie-keeping
 * agent and a real SMTP server on loopback; sessions (idle and absolute expiry, deactivation, "Your
 * sessions", signing out), CSRF on every form, and first-run setup in the browser.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
type Agent = ReturnType<typeof webAgent>;

const actions = (ctx: TestContext, organisationId: string) =>
  queryRows<{ action: string; actor_type: string; actor_id: string; subject_type: string; details: Record<string, unknown> }>(
    ctx.database.db,
    sql`select action, actor_type, actor_id, subject_type, details from audit_events where organisation_id = ${organisationId} and action like 'staff.%' order by seq`,
  );

const outboxTo = (ctx: TestContext, to: string) =>
  queryRows<{ organisation_id: string; text: string; status: string }>(ctx.database.db, sql`select organisation_id, text, status from outbox where "to" = ${to} order by created_at`);

/** Whether the agent's browser is signed in: a console page answers, rather than sending it to sign in. */
async function signedIn(agent: Agent): Promise<boolean> {
  const res = await agent.get('/account');
  if (res.statusCode === 200) return true;
  expect([res.statusCode, String(res.headers.location).startsWith('/sign-in')]).toEqual([303, true]);
  return false;
}

describe('staff sign-in by emailed link', () => {
  const smtp = useSmtpCapture();
  const ctx = useTestApp({ config: () => ({ COOKIE_SECURE: 'false', SMTP_URL: smtp.url() }) });

  const mailsTo = (to: string) => smtp.received.filter((m) => m.to.includes(to));
  /** The links in the latest email to `to`, once it has arrived. */
  async function linksTo(to: string, count = 1): Promise<string[]> {
    const mail = await until(`an email to ${to}`, () => mailsTo(to).at(-count), Boolean, { guardMs: 30_000 });
    return [...mail!.text.matchAll(/https?:\/\/[^/\s]+(\/sign-in\/link\/aidd_signin_[A-Za-z0-9_-]{43})/g)].map((m) => m[1]!);
  }

  async function askForLink(agent: Agent, email: string, returnTo?: string) {
    const form = await agent.get(returnTo ? `/sign-in?returnTo=${encodeURIComponent(returnTo)}` : '/sign-in');
    expect(form.statusCode).toBe(200);
    return agent.post('/sign-in/email', { ...readPage(form.body).formValues(), email });
  }

  async function useLink(agent: Agent, link: string) {
    const opened = await agent.get(link);
    if (opened.statusCode !== 200) return opened;
    return agent.post(link, readPage(opened.body).formValues());
  }

  async function officerOf(org: SeededOrganisation, name = 'Olu Officer') {
    return seedUser(ctx, org, { role: 'officer', name });
  }

  it('signs an officer in: email address, "check your email", the emailed link, its button, and back where they started', async () => {
    const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
    const officer = await officerOf(org);
    const browser = webAgent(ctx.app);

    // Sent to sign in from a console page, and brought back to it afterwards.
    const guarded = await browser.get('/account/sessions');
    expect([guarded.statusCode, guarded.headers.location]).toEqual([303, '/sign-in?returnTo=%2Faccount%2Fsessions']);
    const form = readPage((await browser.get(guarded.headers.location as string)).body);
    expect(form.h1).toEqual(['Sign in']);
    expect(form.byLabel('Email address')?.getAttribute('type')).toBe('email');
    expect(form.document.documentElement.getAttribute('lang')).toBe('en-GB');

    const asked = await browser.post('/sign-in/email', { ...form.formValues(), email: `  ${officer.email.toUpperCase()} ` });
    expect([asked.statusCode, asked.headers.location]).toEqual([303, '/sign-in/check-email']);
    const check = readPage((await browser.get('/sign-in/check-email')).body);
    expect(check.h1).toEqual(['Check your email']);
    expect(check.text).toContain(`If ${officer.email} has an account, we have sent it a link to sign in.`);

    const [link] = await linksTo(officer.email);
    const mail = mailsTo(officer.email).at(-1)!;
    expect(mail.text).toContain('Use this link to sign in to AI supplier due diligence for Borsetshire County Council:');
    // The outbox keeps a copy without the secret, marked sent.
    const [kept] = await until('the outbox row marked sent', () => outboxTo(ctx, officer.email), (rows) => rows[0]?.status === 'sent');
    expect(kept!.text).toContain('/sign-in/link/[REDACTED]');
    expect(kept!.text).not.toContain(link!.split('/').at(-1)!);

    const opened = readPage((await browser.get(link!)).body);
    expect(opened.h1).toEqual(['Sign in to Borsetshire County Council']);
    const done = await browser.post(link!, opened.formValues());
    expect([done.statusCode, done.headers.location]).toEqual([303, '/account/sessions']);
    expect(String(done.headers['set-cookie'])).toMatch(/aidd_staff=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax/);

    const sessions = readPage((await browser.get('/account/sessions')).body);
    expect(sessions.h1).toEqual(['Your sessions']);
    expect(sessions.text).toContain('This session');
    expect(sessions.text).toContain('Emailed link');
    expect(sessions.title).toBe('Your sessions – AI supplier due diligence – Borsetshire County Council');

    const audit = await actions(ctx, org.organisationId);
    expect(audit.map((a) => a.action)).toEqual(['staff.sign_in_link_issued', 'staff.signed_in']);
    expect(audit[0]).toMatchObject({ actor_type: 'system', actor_id: 'sign-in', subject_type: 'user', details: { issuedBy: 'email' } });
    expect(audit[1]).toMatchObject({ actor_type: 'user', actor_id: officer.id, subject_type: 'staff_session', details: { method: 'link' } });
  });

  it('lands an evaluator on "Your evaluations" and an officer on the procurements, when nothing else was asked for', async () => {
    const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
    const evaluator = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve Evaluator' });
    const officer = await officerOf(org);
    for (const [user, home] of [[evaluator, '/evaluations'], [officer, '/procurements']] as const) {
      const browser = webAgent(ctx.app);
      expect((await askForLink(browser, user.email)).statusCode).toBe(303);
      const [link] = await linksTo(user.email);
      const done = await useLink(browser, link!);
      expect([done.statusCode, done.headers.location]).toEqual([303, home]);
      // Signed in already, the sign-in page and the front door send each to the same place.
      expect((await browser.get('/sign-in')).headers.location).toBe(home);
      expect((await browser.get('/')).headers.location).toBe(home);
    }
  });

  it('does not use the link when it is only opened (mail scanners open links first)', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await officerOf(org);
    const browser = webAgent(ctx.app);
    await askForLink(browser, officer.email);
    const [link] = await linksTo(officer.email);
    const scanner = webAgent(ctx.app);
    for (let i = 0; i < 3; i += 1) expect((await scanner.get(link!)).statusCode).toBe(200);
    expect(await signedIn(scanner)).toBe(false);
    expect((await useLink(browser, link!)).statusCode).toBe(303);
    expect(await signedIn(browser)).toBe(true);
  });

  it('refuses a link used twice with a clear page, and signs nobody in the second time', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await officerOf(org);
    const browser = webAgent(ctx.app);
    await askForLink(browser, officer.email);
    const [link] = await linksTo(officer.email);
    const first = webAgent(ctx.app);
    const second = webAgent(ctx.app);
    const openedBoth = [readPage((await first.get(link!)).body), readPage((await second.get(link!)).body)];
    expect((await first.post(link!, openedBoth[0]!.formValues())).statusCode).toBe(303);
    const again = await second.post(link!, openedBoth[1]!.formValues());
    expect(again.statusCode).toBe(410);
    const page = readPage(again.body);
    expect(page.h1).toEqual(['This sign-in link has already been used']);
    expect(page.link('ask for a new link')?.getAttribute('href')).toBe('/sign-in');
    expect(await signedIn(second)).toBe(false);
    expect(await signedIn(first)).toBe(true);
    // Opening it again says so too.
    expect(readPage((await webAgent(ctx.app).get(link!)).body).h1).toEqual(['This sign-in link has already been used']);
  });

  it('lets exactly one of two simultaneous uses of a link sign in', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await officerOf(org);
    await askForLink(webAgent(ctx.app), officer.email);
    const [link] = await linksTo(officer.email);
    const agents = [webAgent(ctx.app), webAgent(ctx.app), webAgent(ctx.app)];
    const forms = await Promise.all(agents.map(async (agent) => readPage((await agent.get(link!)).body).formValues()));
    const answers = await Promise.all(agents.map((agent, i) => agent.post(link!, forms[i]!)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 410, 410]);
  });

  it('refuses an expired link with a clear page and a way to get a new one', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await officerOf(org);
    const browser = webAgent(ctx.app);
    await askForLink(browser, officer.email);
    const [link] = await linksTo(officer.email);
    const opened = readPage((await browser.get(link!)).body);
    ctx.clock.advance(15 * MINUTE);
    const late = await browser.post(link!, opened.formValues());
    expect(late.statusCode).toBe(410);
    const page = readPage(late.body);
    expect(page.h1).toEqual(['This sign-in link has expired']);
    expect(page.text).toContain('Sign-in links work for 15 minutes after we send them.');
    expect(page.link('Get a new link')?.getAttribute('href')).toBe('/sign-in');
    expect(await signedIn(browser)).toBe(false);
    expect(readPage((await browser.get(link!)).body).h1).toEqual(['This sign-in link has expired']);
  });

  it('says the same for an address without an account, and sends nothing to it', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await officerOf(org);
    const stranger = 'nobody-here@example.gov.uk';
    const strangerBrowser = webAgent(ctx.app);
    const refusedQuietly = await askForLink(strangerBrowser, stranger);
    const known = await askForLink(webAgent(ctx.app), officer.email);
    expect([refusedQuietly.statusCode, refusedQuietly.headers.location]).toEqual([known.statusCode, known.headers.location]);
    const strangerPage = readPage((await strangerBrowser.get('/sign-in/check-email')).body);
    expect(strangerPage.h1).toEqual(['Check your email']);
    expect(strangerPage.text).toContain(`If ${stranger} has an account, we have sent it a link to sign in.`);
    // The known address's email has arrived; the stranger's was never made.
    await linksTo(officer.email);
    expect(mailsTo(stranger)).toEqual([]);
    expect(await outboxTo(ctx, stranger)).toEqual([]);
    expect((await actions(ctx, org.organisationId)).map((a) => a.action)).toEqual(['staff.sign_in_link_issued']);
  });

  it('a deactivated user is not sent a link', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await officerOf(org);
    await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${officer.id}`, headers: bearer(org.admin.token), payload: { active: false } });
    await askForLink(webAgent(ctx.app), officer.email);
    expect(await outboxTo(ctx, officer.email)).toEqual([]);
  });

  it('asks again, keeping what was typed, when the address is empty or not an email address', async () => {
    const browser = webAgent(ctx.app);
    for (const [typed, message] of [
      ['', 'Enter your email address'],
      ['not an email', 'Enter an email address in the correct format, like name@example.gov.uk'],
    ] as const) {
      const answer = await askForLink(browser, typed, '/account');
      expect(answer.statusCode).toBe(400);
      const page = readPage(answer.body);
      expect(page.title).toBe('Error: Sign in – AI supplier due diligence');
      expect(page.errorSummary()).toEqual([{ href: '#email', text: message }]);
      expect(page.inlineErrors()).toEqual([`Error: ${message}`]);
      expect(page.byLabel('Email address')?.getAttribute('value') ?? '').toBe(typed);
      expect(page.formValues().returnTo).toBe('/account');
    }
  });

  it('sends one email with a link for each organisation the address has an account in, each signing in to its own', async () => {
    const north = await seedOrganisation(ctx, { name: 'North Council' });
    const south = await seedOrganisation(ctx, { name: 'South Council' });
    const email = 'shared.officer@example.gov.uk';
    for (const org of [north, south]) {
      await createUser({ db: ctx.database.db, now: ctx.clock.now(), principal: { kind: 'user', organisationId: org.organisationId, userId: org.admin.id, role: 'admin', tokenId: 't' }, email, name: 'Sam Shared', role: 'officer' });
    }
    await askForLink(webAgent(ctx.app), email);
    const links = await linksTo(email);
    expect(mailsTo(email)).toHaveLength(1);
    const mail = mailsTo(email)[0]!.text;
    expect(mail).toContain('You have an account with more than one organisation.');
    expect(links).toHaveLength(2);
    // Each council's outbox keeps only its own message: no council learns of the other.
    const kept = await until('both outbox rows sent', () => outboxTo(ctx, email), (rows) => rows.length === 2 && rows.every((r) => r.status === 'sent'));
    for (const row of kept) {
      const own = row.organisation_id === north.organisationId ? 'North Council' : 'South Council';
      const other = own === 'North Council' ? 'South Council' : 'North Council';
      expect(row.text).toContain(own);
      expect(row.text).not.toContain(other);
    }
    const councils: string[] = [];
    for (const link of links) {
      const browser = webAgent(ctx.app);
      expect((await useLink(browser, link)).statusCode).toBe(303);
      councils.push(readPage((await browser.get('/account')).body).summary().find((row) => row.key === 'Organisation')!.value);
    }
    expect(councils.sort()).toEqual(['North Council', 'South Council']);
  });

  it.each([
    ['//evil.example', '/procurements'],
    ['https://evil.example', '/procurements'],
    ['/\\evil.example', '/procurements'],
    ['/account?tab=1', '/account?tab=1'],
  ])('follows returnTo %s only to a path of this service (lands on %s)', async (returnTo, lands) => {
    const org = await seedOrganisation(ctx);
    const officer = await officerOf(org);
    const browser = webAgent(ctx.app);
    await askForLink(browser, officer.email, returnTo);
    const [link] = await linksTo(officer.email);
    const done = await useLink(browser, link!);
    expect([done.statusCode, done.headers.location]).toEqual([303, lands]);
  });

  it.each([
    ['//evil.example', null],
    ['https://evil.example', null],
    ['/\\evil.example', null],
    ['/%0d%0aSet-Cookie', '/%0d%0aSet-Cookie'],
    ['/ok path', null],
    ['/caf\u00e9', null],
    ['/a\tb', null],
    ['javascript:alert(1)', null],
    ['', null],
    ['/procurements/1?x=2', '/procurements/1?x=2'],
  ])('safeReturnTo(%j) is %j', (given, expected) => {
    expect(safeReturnTo(given)).toBe(expected);
  });

  it('a signed-in user who opens the sign-in page goes on to the console', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const res = await agent.get('/sign-in?returnTo=%2Faccount').redirects(0);
    expect([res.status, res.headers.location]).toEqual([303, '/account']);
    expect((await agent.get('/').redirects(0)).headers.location).toBe('/procurements');
  });

  it('the CLI prints a link that signs in, recorded as issued by the CLI', async () => {
    const org = await seedOrganisation(ctx, { name: 'Cli Council' });
    const officer = await officerOf(org, 'Cora Cli');
    const lines: string[] = [];
    const output = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(`err: ${t}`) };
    expect(await runCli({ argv: ['sign-in-link', '--email', officer.email], database: ctx.database, now: ctx.clock.now, output, publicBaseUrl: 'https://due-diligence.example.gov.uk' })).toBe(0);
    const printed = lines.join('\n');
    expect(printed).toContain('Sign-in link for Cora Cli, Cli Council (works once, within 15 minutes):');
    const url = /https:\/\/due-diligence\.example\.gov\.uk(\/sign-in\/link\/aidd_signin_[A-Za-z0-9_-]{43})/.exec(printed)![1]!;
    const browser = webAgent(ctx.app);
    expect((await useLink(browser, url)).statusCode).toBe(303);
    expect(await signedIn(browser)).toBe(true);
    expect((await actions(ctx, org.organisationId))[0]).toMatchObject({ action: 'staff.sign_in_link_issued', actor_type: 'system', actor_id: 'cli', details: { issuedBy: 'cli' } });

    lines.length = 0;
    expect(await runCli({ argv: ['sign-in-link', '--email', 'nobody@example.gov.uk'], database: ctx.database, output })).toBe(1);
    expect(lines).toEqual(['err: No active user has the email address nobody@example.gov.uk. Check the address, or create the organisation with "bootstrap".']);
  });
});

describe('staff sessions', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  const get = async (agent: Awaited<ReturnType<typeof signedInAgent>>, url: string) => agent.get(url).redirects(0);
  const alive = async (agent: Awaited<ReturnType<typeof signedInAgent>>) => {
    const res = await get(agent, '/account');
    return res.status === 200;
  };

  it('end after an hour without a request, and activity keeps them going', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    ctx.clock.advance(HOUR - 1_000);
    expect(await alive(agent)).toBe(true);
    ctx.clock.advance(HOUR - 1_000);
    expect(await alive(agent)).toBe(true);
    ctx.clock.advance(HOUR);
    const res = await get(agent, '/account');
    expect([res.status, res.headers.location]).toEqual([303, '/sign-in?returnTo=%2Faccount']);
    // Coming back later does not revive it.
    ctx.clock.advance(-30 * MINUTE);
    expect(await alive(agent)).toBe(false);
  });

  it('end 12 hours after sign-in however active the user is', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    for (let elapsed = 50 * MINUTE; elapsed < 12 * HOUR; elapsed += 50 * MINUTE) {
      ctx.clock.advance(50 * MINUTE);
      expect(await alive(agent), `${elapsed / MINUTE} minutes in`).toBe(true);
    }
    ctx.clock.advance(50 * MINUTE);
    expect(await alive(agent)).toBe(false);
  });

  it('idle and absolute times come from the configuration', () => {
    const config = loadConfig({ STAFF_SESSION_IDLE_MS: '900000', STAFF_SESSION_ABSOLUTE_MS: '28800000' });
    expect([config.staffSessionIdleMs, config.staffSessionAbsoluteMs]).toEqual([15 * MINUTE, 8 * HOUR]);
    expect([loadConfig({}).staffSessionIdleMs, loadConfig({}).staffSessionAbsoluteMs]).toEqual([HOUR, 12 * HOUR]);
    expect(() => loadConfig({ STAFF_SESSION_IDLE_MS: '10' })).toThrow(/STAFF_SESSION_IDLE_MS/);
  });

  it("of a deactivated user end at once, and stay ended if the user is reactivated", async () => {
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const agent = await signedInAgent({ app: ctx.app, userId: officer.id });
    expect(await alive(agent)).toBe(true);
    const patch = (active: boolean) => ctx.app.inject({ method: 'PATCH', url: `/v1/users/${officer.id}`, headers: bearer(org.admin.token), payload: { active } });
    expect((await patch(false)).statusCode).toBe(200);
    expect(await alive(agent)).toBe(false);
    expect((await patch(true)).statusCode).toBe(200);
    expect(await alive(agent)).toBe(false);
  });

  it('read the role afresh: a demoted admin loses the Administration item at once', async () => {
    const org = await seedOrganisation(ctx);
    const other = await seedUser(ctx, org, { role: 'admin' });
    const agent = await signedInAgent({ app: ctx.app, userId: other.id });
    expect(readPage((await get(agent, '/account')).text).link('Administration')).toBeDefined();
    await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${other.id}`, headers: bearer(org.admin.token), payload: { role: 'viewer' } });
    const page = readPage((await get(agent, '/account')).text);
    expect(page.link('Administration')).toBeUndefined();
    expect(page.summary().find((row) => row.key === 'Role')?.value).toBe('Viewer');
  });

  it('sign out asks first, then ends the session and says so', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const confirm = await get(agent, '/sign-out');
    expect(readPage(confirm.text).h1).toEqual(['Are you sure you want to sign out?']);
    expect(await alive(agent)).toBe(true);
    const out = await agent.post('/sign-out').type('form').send({ _csrf: csrfFrom(confirm.text) }).redirects(0);
    expect([out.status, out.headers.location]).toEqual([303, '/sign-in?signedOut=1']);
    expect(String(out.headers['set-cookie'])).toMatch(/aidd_staff=;/);
    const banner = readPage((await get(agent, '/sign-in?signedOut=1')).text);
    expect(banner.text).toContain('You have signed out.');
    expect(await alive(agent)).toBe(false);
    expect((await get(agent, '/sign-out')).headers.location).toBe('/sign-in');
    expect((await actions(ctx, org.organisationId)).map((a) => a.action)).toEqual(['staff.signed_in', 'staff.signed_out']);
  });

  it('"Your sessions" lists them, and ends another one or all the others, never the one in use', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const here = await signedInAgent({ app: ctx.app, userId: officer.id });
    ctx.clock.advance(5 * MINUTE);
    const phone = await signedInAgent({ app: ctx.app, userId: officer.id });
    ctx.clock.advance(5 * MINUTE);
    const laptop = await signedInAgent({ app: ctx.app, userId: officer.id });
    ctx.clock.advance(5 * MINUTE);
    const someoneElse = await signedInAgent({ app: ctx.app, userId: org.admin.id });

    const listed = (await get(here, '/account/sessions')).text;
    let page = readPage(listed);
    expect([...page.document.querySelectorAll('.govuk-summary-card__title')].map((title) => title.textContent)).toEqual([
      'This session',
      'Signed in at 12:10 on 26 November 2026',
      'Signed in at 12:05 on 26 November 2026',
    ]);
    expect(page.text).toContain('12:00 on 26 November 2026');
    expect(page.button(/^End session signed in at 12:05 on 26 November 2026$/)).toBeDefined();

    // Another user's session cannot be ended from here: not found, and it carries on.
    const othersSessions = readPage((await get(someoneElse, '/account/sessions')).text);
    const foreignAction = [...othersSessions.document.querySelectorAll('form')].map((f) => f.getAttribute('action')).find((a) => a?.includes('/end'));
    expect(foreignAction).toBeUndefined();
    const foreignId = (await queryRows<{ id: string }>(ctx.database.db, sql`select id from staff_sessions where user_id = ${org.admin.id}`))[0]!.id;
    const refused = await here.post(`/account/sessions/${foreignId}/end`).type('form').send({ _csrf: csrfFrom(listed) }).redirects(0);
    expect(refused.status).toBe(404);
    expect(readPage(refused.text).h1).toEqual(['Page not found']);
    expect(await alive(someoneElse)).toBe(true);
    expect((await here.post('/account/sessions/not-a-uuid/end').type('form').send({ _csrf: csrfFrom(listed) }).redirects(0)).status).toBe(404);

    // End the phone's session (the one signed in at 12:05).
    const phoneForm = page.button(/12:05/)!.closest('form')!;
    const ended = await here.post(phoneForm.getAttribute('action')!).type('form').send(page.formValues(phoneForm)).redirects(0);
    expect([ended.status, ended.headers.location]).toEqual([303, '/account/sessions?ended=1']);
    page = readPage((await get(here, '/account/sessions?ended=1')).text);
    expect(page.text).toContain('The session has been ended.');
    expect(await alive(phone)).toBe(false);
    expect(await alive(laptop)).toBe(true);

    const all = page.button('End all other sessions')!.closest('form')!;
    const endedAll = await here.post(all.getAttribute('action')!).type('form').send(page.formValues(all)).redirects(0);
    expect(endedAll.headers.location).toBe('/account/sessions?ended=1');
    expect(await alive(laptop)).toBe(false);
    expect(await alive(here)).toBe(true);
    page = readPage((await get(here, '/account/sessions')).text);
    expect(page.text).toContain('You are not signed in anywhere else.');
    const audit = (await actions(ctx, org.organisationId)).filter((a) => a.action === 'staff.session_ended');
    expect(audit).toHaveLength(2);
    expect(audit.every((a) => a.actor_id === officer.id)).toBe(true);
  });
});

describe('CSRF on every form of sign-in and sessions', () => {
  const smtp = useSmtpCapture();
  const ctx = useTestApp({ config: () => ({ COOKIE_SECURE: 'false', SMTP_URL: smtp.url() }) });

  const expired = (res: { statusCode: number; body: string }) => {
    expect(res.statusCode).toBe(403);
    expect(readPage(res.body).h1).toEqual(['This page has expired']);
    expect(readPage(res.body).text).toContain('Nothing has been changed.');
  };
  const variants = (valid: string): Array<Record<string, string>> => [{}, { _csrf: 'x'.repeat(valid.length) }, { _csrf: `${valid}x` }];

  it('before sign-in: asking for a link, using it, and setup refuse a missing or wrong token and change nothing', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const browser = webAgent(ctx.app);
    const form = readPage((await browser.get('/sign-in')).body).formValues();
    for (const sent of variants(form._csrf as string)) expired(await browser.post('/sign-in/email', { email: officer.email, ...sent }));
    // A form from another browser (its cookie is not this one's) is refused too.
    expired(await webAgent(ctx.app).post('/sign-in/email', { ...form, email: officer.email }));
    expect(await outboxTo(ctx, officer.email)).toEqual([]);

    await browser.post('/sign-in/email', { ...form, email: officer.email });
    const mail = await until('the link', () => smtp.received.find((m) => m.to.includes(officer.email)), Boolean, { guardMs: 30_000 });
    const link = /\/sign-in\/link\/aidd_signin_[A-Za-z0-9_-]{43}/.exec(mail!.text)![0];
    const opened = readPage((await browser.get(link)).body).formValues();
    for (const sent of variants(opened._csrf as string)) expired(await browser.post(link, sent));
    // Still unused: the right form signs in.
    expect((await browser.post(link, opened)).statusCode).toBe(303);
    expect((await browser.get('/account')).statusCode).toBe(200);

    // Setup: on a fresh install, nothing is created without the token.
    await ctx.testDb.truncate();
    const setup = webAgent(ctx.app);
    const setupForm = readPage((await setup.get('/setup')).body).formValues();
    const values = { setupToken: TEST_SETUP_TOKEN, organisationName: 'Csrf Council', adminName: 'Ada', adminEmail: 'ada@example.gov.uk' };
    for (const sent of variants(setupForm._csrf as string)) expired(await setup.post('/setup', { ...values, ...sent }));
    expect(await queryRows(ctx.database.db, sql`select id from organisations`)).toEqual([]);
  });

  it('signed in: sign out, ending a session and ending all others refuse a missing or wrong token and change nothing', async () => {
    const org = await seedOrganisation(ctx);
    const here = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const elsewhere = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const page = await here.get('/account/sessions').redirects(0);
    const csrf = csrfFrom(page.text);
    const otherId = (await queryRows<{ id: string }>(ctx.database.db, sql`select id from staff_sessions order by created_at desc limit 1`))[0]!.id;
    for (const url of ['/sign-out', `/account/sessions/${otherId}/end`, '/account/sessions/end-others']) {
      for (const sent of variants(csrf)) {
        const res = await here.post(url).type('form').send(sent).redirects(0);
        expired({ statusCode: res.status, body: res.text });
        // The refusal page still knows who is signed in.
        expect(readPage(res.text).link('Sign out')).toBeDefined();
      }
    }
    expect((await here.get('/account').redirects(0)).status).toBe(200);
    expect((await elsewhere.get('/account').redirects(0)).status).toBe(200);
    expect((await actions(ctx, org.organisationId)).map((a) => a.action)).toEqual(['staff.signed_in', 'staff.signed_in']);
  });
});

describe('first-run setup in the browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('asks for the setup token, the council and the first admin, ends signed in as that admin, and is then gone', async () => {
    const browser = webAgent(ctx.app);
    expect((await browser.get('/')).headers.location).toBe('/sign-in');
    const signIn = readPage((await browser.get('/sign-in')).body);
    expect(signIn.link('set up the service')?.getAttribute('href')).toBe('/setup');

    let page = readPage((await browser.get('/setup')).body);
    expect(page.h1).toEqual(['Set up the service']);
    const csrf = page.formValues()._csrf as string;

    let res = await browser.post('/setup', { _csrf: csrf, setupToken: '', organisationName: ' ', adminName: '', adminEmail: 'nope' });
    expect(res.statusCode).toBe(400);
    page = readPage(res.body);
    expect(page.errorSummary()).toEqual([
      { href: '#setupToken', text: 'Enter the setup token' },
      { href: '#organisationName', text: 'Enter the name of your council or organisation' },
      { href: '#adminName', text: 'Enter your full name' },
      { href: '#adminEmail', text: 'Enter an email address in the correct format, like name@example.gov.uk' },
    ]);

    res = await browser.post('/setup', { _csrf: csrf, setupToken: 'not-the-token', organisationName: 'Borsetshire County Council', adminName: 'Priya Shah', adminEmail: 'Priya@Borsetshire.gov.uk' });
    expect(res.statusCode).toBe(400);
    page = readPage(res.body);
    expect(page.errorSummary().map((e) => e.href)).toEqual(['#setupToken']);
    // What was typed stays, except the token.
    expect(page.byLabel('Name of your council or organisation')?.getAttribute('value')).toBe('Borsetshire County Council');
    expect(page.byLabel('Setup token')?.getAttribute('value') ?? '').toBe('');
    expect(await queryRows(ctx.database.db, sql`select id from organisations`)).toEqual([]);

    res = await browser.post('/setup', { _csrf: csrf, setupToken: TEST_SETUP_TOKEN, organisationName: 'Borsetshire County Council', adminName: 'Priya Shah', adminEmail: 'Priya@Borsetshire.gov.uk' });
    expect([res.statusCode, res.headers.location]).toEqual([303, '/procurements']);
    page = readPage((await browser.get('/account')).body);
    expect(page.summary()).toEqual([
      { key: 'Name', value: 'Priya Shah' },
      { key: 'Email address', value: 'priya@borsetshire.gov.uk' },
      { key: 'Role', value: 'Admin' },
      { key: 'Organisation', value: 'Borsetshire County Council' },
    ]);
    const [organisation] = await queryRows<{ id: string }>(ctx.database.db, sql`select id from organisations`);
    expect((await actions(ctx, organisation!.id)).map((a) => [a.action, a.details.method])).toEqual([['staff.signed_in', 'setup']]);

    // Gone: the page sends to sign in, and posting again creates nothing.
    expect((await browser.get('/setup')).headers.location).toBe('/sign-in');
    res = await webAgent(ctx.app).post('/setup', { _csrf: csrf, setupToken: TEST_SETUP_TOKEN, organisationName: 'Second', adminName: 'X', adminEmail: 'x@example.gov.uk' });
    expect(res.statusCode).toBe(403);
    const again = webAgent(ctx.app);
    const fresh = readPage((await again.get('/sign-in')).body).formValues()._csrf as string;
    res = await again.post('/setup', { _csrf: fresh, setupToken: TEST_SETUP_TOKEN, organisationName: 'Second', adminName: 'X', adminEmail: 'x@example.gov.uk' });
    expect([res.statusCode, res.headers.location]).toEqual([303, '/sign-in']);
    expect(await queryRows(ctx.database.db, sql`select id from organisations`)).toHaveLength(1);
  });
});

describe('sign-in rate limits', () => {
  const smtp = useSmtpCapture();
  const ctx = useTestApp({ config: () => ({ COOKIE_SECURE: 'false', SMTP_URL: smtp.url(), SIGN_IN_EMAIL_LIMIT_PER_HOUR: '3', AUTH_FAILURE_LIMIT_PER_MINUTE: '4', SIGN_IN_LIMIT_PER_MINUTE: '10' }) });

  const tooMany = (res: { statusCode: number; body: string; headers: Record<string, unknown> }) => {
    expect(res.statusCode).toBe(429);
    const page = readPage(res.body);
    expect(page.h1).toEqual(['Too many attempts']);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    return page;
  };

  it('limits links asked for per email address, known or not, whatever the case, from any address', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const ask = async (email: string) => {
      const browser = webAgent(ctx.app);
      const form = readPage((await browser.get('/sign-in')).body).formValues();
      return browser.post('/sign-in/email', { ...form, email });
    };
    for (const email of [officer.email, officer.email.toUpperCase(), officer.email]) expect((await ask(email)).statusCode).toBe(303);
    const page = tooMany(await ask(officer.email));
    expect(page.text).toMatch(/Try again in \d+ minutes\./);
    await until('three emails', () => smtp.received.filter((m) => m.to.includes(officer.email)).length, (n) => n === 3, { guardMs: 30_000 });
    expect(await outboxTo(ctx, officer.email)).toHaveLength(3);
    // An unknown address has the same allowance, so the 429 says nothing about accounts.
    for (let i = 0; i < 3; i += 1) expect((await ask('unknown@example.gov.uk')).statusCode).toBe(303);
    tooMany(await ask('unknown@example.gov.uk'));
    // Another address is not affected, and the hour passing restores the allowance.
    ctx.clock.advance(5 * MINUTE);
    expect((await ask('someone.else@example.gov.uk')).statusCode).toBe(303);
    ctx.clock.advance(HOUR);
    expect((await ask(officer.email)).statusCode).toBe(303);
  });

  it('limits failed sign-ins per client address: past the limit even a good link waits', async () => {
    ctx.clock.advance(3 * HOUR);
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const browser = webAgent(ctx.app);
    const form = readPage((await browser.get('/sign-in')).body).formValues();
    await browser.post('/sign-in/email', { ...form, email: officer.email });
    const mail = await until('the link', () => smtp.received.find((m) => m.to.includes(officer.email)), Boolean, { guardMs: 30_000 });
    const good = /\/sign-in\/link\/aidd_signin_[A-Za-z0-9_-]{43}/.exec(mail!.text)![0];
    const goodForm = readPage((await browser.get(good)).body).formValues();
    const bad = `/sign-in/link/aidd_signin_${'A'.repeat(43)}`;
    for (let i = 0; i < 4; i += 1) expect((await browser.post(bad, goodForm)).statusCode).toBe(404);
    tooMany(await browser.post(good, goodForm));
    tooMany(await browser.get(good));
    ctx.clock.advance(MINUTE);
    expect((await browser.post(good, goodForm)).statusCode).toBe(303);
  });

  it('limits sign-in requests per client address a minute', async () => {
    ctx.clock.advance(6 * HOUR);
    const browser = webAgent(ctx.app);
    const form = readPage((await browser.get('/sign-in')).body).formValues();
    for (let i = 0; i < 10; i += 1) expect((await browser.post('/sign-in/email', { ...form, email: `person${i}@example.gov.uk` })).statusCode).toBe(303);
    tooMany(await browser.post('/sign-in/email', { ...form, email: 'person9@example.gov.uk' }));
  });
});
