import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { queueMail } from '../../../src/platform/mail';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { useSmtpCapture } from '../../helpers/smtp';
import { until } from '../../helpers/wait';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';

/**
 * The console's administration pages for users, API keys and the outbox, through a signed-in
 * browser stand-in (supertest's agent with a live staff session): each journey checks what the
 * page shows and what the API then says changed.
 */

type Agent = Awaited<ReturnType<typeof signedInAgent>>;

/** An answer: its status, where it redirects, and (read when asked, since a redirect has no page) its page. */
const answer = (res: { status: number; headers: Record<string, string>; text: string }) => {
  let read: ReturnType<typeof readPage> | undefined;
  return {
    status: res.status,
    location: res.headers.location as string | undefined,
    html: res.text,
    get page() {
      read ??= readPage(res.text);
      return read;
    },
  };
};

const get = async (agent: Agent, url: string) => answer(await agent.get(url).set('accept', 'text/html').redirects(0));

const post = async (agent: Agent, url: string, form: Record<string, string | string[]>) =>
  answer(await agent.post(url).type('form').send(new URLSearchParams(Object.entries(form).flatMap(([k, v]): Array<[string, string]> => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]]))).toString()).redirects(0));

/** Opens the page holding the form, then posts it with that page's CSRF token (as a browser would). */
const submit = async (agent: Agent, formPage: string, action: string, form: Record<string, string | string[]>) => {
  const opened = await get(agent, formPage);
  expect(opened.status, `${formPage} should open`).toBe(200);
  return post(agent, action, { _csrf: csrfFrom(opened.html), ...form });
};

const apiGet = (ctx: TestContext, url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) });

async function adminAgent(ctx: TestContext, name?: string): Promise<{ org: SeededOrganisation; agent: Agent }> {
  const org = await seedOrganisation(ctx, name ? { name } : {});
  return { org, agent: await signedInAgent({ app: ctx.app, userId: org.admin.id }) };
}

describe('the administration pages for users, API keys and the outbox', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false', SIGN_IN_LIMIT_PER_MINUTE: '1000', SIGN_IN_EMAIL_LIMIT_PER_HOUR: '1000' } });

  it('the index links to every administration area', async () => {
    const { agent } = await adminAgent(ctx, 'Borsetshire County Council');
    const { status, page } = await get(agent, '/admin');
    expect(status).toBe(200);
    expect(page.h1).toEqual(['Administration']);
    const links = Object.fromEntries(['Users', 'Identity provider', 'API keys', 'Webhooks', 'Audit log', 'Outbox'].map((name) => [name, page.link(name)?.getAttribute('href')]));
    expect(links).toEqual({
      Users: '/admin/users',
      'Identity provider': '/admin/identity-provider',
      'API keys': '/admin/api-keys',
      Webhooks: '/admin/webhooks',
      'Audit log': '/admin/audit',
      Outbox: '/admin/outbox',
    });
    // The service navigation's "Administration" leads here, marked as the current area.
    const nav = page.link('Administration');
    expect(nav?.getAttribute('href')).toBe('/admin');
    expect(nav?.closest('li')?.getAttribute('class')).toContain('govuk-service-navigation__item--active');
  });

  it('an admin adds a user, who then appears in the list with their role and status', async () => {
    const { org, agent } = await adminAgent(ctx);
    const added = await submit(agent, '/admin/users/new', '/admin/users/new', { name: 'Priya Shah', email: ' Priya.Shah@Borsetshire.gov.uk ', role: 'officer' });
    expect(added.status).toBe(303);
    const userPath = added.location!;
    expect(userPath).toMatch(/^\/admin\/users\/[0-9a-f-]{36}$/);

    const shown = await get(agent, userPath);
    expect(shown.page.h1).toEqual(['Priya Shah']);
    expect(shown.page.text).toContain('Priya Shah has been added as officer. They can sign in with priya.shah@borsetshire.gov.uk.');
    expect(shown.page.summary()).toEqual(expect.arrayContaining([{ key: 'Email address', value: 'priya.shah@borsetshire.gov.uk' }, { key: 'Role', value: 'Officer' }, { key: 'Status', value: 'Active' }]));
    // The banner was for that one visit.
    expect((await get(agent, userPath)).page.text).not.toContain('has been added');

    const list = await get(agent, '/admin/users');
    const row = list.page.link('Priya Shah')?.closest('.govuk-summary-list__row');
    expect(row?.textContent?.replace(/\s+/g, ' ')).toContain('priya.shah@borsetshire.gov.uk Officer Active');
    // The same user, as the API sees it.
    const id = userPath.split('/').pop()!;
    const api = await apiGet(ctx, `/v1/users/${id}`, org.admin.token);
    expect(api.json()).toMatchObject({ name: 'Priya Shah', email: 'priya.shah@borsetshire.gov.uk', role: 'officer', active: true });
  });

  it('the add-user form lists every problem, and a duplicate email is refused on the email field with the use case’s message', async () => {
    const { org, agent } = await adminAgent(ctx);
    const empty = await submit(agent, '/admin/users/new', '/admin/users/new', { name: ' ', email: 'not-an-address' });
    expect(empty.status).toBe(400);
    expect(empty.page.title).toMatch(/^Error: Add a user/);
    expect(empty.page.errorSummary()).toEqual([
      { href: '#name', text: 'Enter the user’s full name' },
      { href: '#email', text: 'Enter an email address in the correct format, like name@example.gov.uk' },
      { href: '#role', text: 'Select the user’s role' },
    ]);
    expect(empty.page.byLabel('Email address')?.getAttribute('value')).toBe('not-an-address');

    const existing = await seedUser(ctx, org, { role: 'viewer' });
    const duplicate = await submit(agent, '/admin/users/new', '/admin/users/new', { name: 'Someone Else', email: existing.email.toUpperCase(), role: 'officer' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.page.errorSummary()).toEqual([{ href: '#email', text: 'A user with that email address already exists in this organisation.' }]);
    expect(duplicate.page.inlineErrors()).toEqual(['Error: A user with that email address already exists in this organisation.']);
    expect(duplicate.page.byLabel('Full name')?.getAttribute('value')).toBe('Someone Else');
    const users = await apiGet(ctx, '/v1/users', org.admin.token);
    expect(users.json().items.map((u: { name: string }) => u.name)).not.toContain('Someone Else');
  });

  it('an admin changes a user’s role, and it takes effect on that user’s next request', async () => {
    const { org, agent } = await adminAgent(ctx);
    const other = await seedUser(ctx, org, { role: 'admin', name: 'Second Admin' });
    const theirs = await signedInAgent({ app: ctx.app, userId: other.id });
    expect((await get(theirs, '/admin/users')).status).toBe(200);

    const changed = await submit(agent, `/admin/users/${other.id}`, `/admin/users/${other.id}/role`, { role: 'viewer' });
    expect(changed.status).toBe(303);
    expect(changed.location).toBe(`/admin/users/${other.id}`);
    const shown = await get(agent, changed.location!);
    expect(shown.page.text).toContain('Second Admin’s role is now viewer.');
    expect(shown.page.summary()).toContainEqual({ key: 'Role', value: 'Viewer' });
    expect((await apiGet(ctx, `/v1/users/${other.id}`, org.admin.token)).json().role).toBe('viewer');
    // Their personal token now acts as a viewer (the API's cache forgot the old role), and their browser has no administration.
    expect((await apiGet(ctx, '/v1/users', other.token)).statusCode).toBe(403);
    const now = await get(theirs, '/admin/users');
    expect(now.status).toBe(404);
    expect(now.page.h1).toEqual(['Page not found']);

    const none = await submit(agent, `/admin/users/${other.id}`, `/admin/users/${other.id}/role`, {});
    expect(none.status).toBe(400);
    expect(none.page.errorSummary()).toEqual([{ href: '#role', text: 'Select the user’s role' }]);
  });

  it('the last admin cannot demote or deactivate themselves: the use case’s refusal is shown and nothing changes', async () => {
    const { org, agent } = await adminAgent(ctx);
    const demote = await submit(agent, `/admin/users/${org.admin.id}`, `/admin/users/${org.admin.id}/role`, { role: 'officer' });
    expect(demote.status).toBe(409);
    expect(demote.page.errorSummary()).toEqual([
      { href: '#role', text: 'The last admin cannot be removed. Make another user an admin first, so the organisation is never left without one.' },
    ]);
    // The choice is kept on the form; the role is not changed.
    expect(demote.page.document.querySelector('input[name="role"][value="officer"]')?.hasAttribute('checked')).toBe(true);
    expect(demote.page.summary()).toContainEqual({ key: 'Role', value: 'Admin' });

    const confirm = await get(agent, `/admin/users/${org.admin.id}/deactivate`);
    expect(confirm.page.text).toContain('You will be signed out at once');
    const deactivate = await post(agent, `/admin/users/${org.admin.id}/deactivate`, { _csrf: csrfFrom(confirm.html) });
    expect(deactivate.status).toBe(409);
    expect(deactivate.page.errorSummary()[0]?.text).toBe('The last admin cannot be removed. Make another user an admin first, so the organisation is never left without one.');
    expect((await apiGet(ctx, `/v1/users/${org.admin.id}`, org.admin.token)).json()).toMatchObject({ role: 'admin', active: true });
    expect((await get(agent, '/admin')).status).toBe(200);
  });

  it('with another admin in place, an admin may demote or deactivate themselves, and leaves the administration pages at once', async () => {
    const { org, agent } = await adminAgent(ctx);
    const second = await seedUser(ctx, org, { role: 'admin', name: 'Second Admin' });
    const demoted = await submit(agent, `/admin/users/${org.admin.id}`, `/admin/users/${org.admin.id}/role`, { role: 'officer' });
    expect(demoted.status).toBe(303);
    expect(demoted.location).toBe('/account');
    expect((await get(agent, '/account')).page.summary()).toContainEqual({ key: 'Role', value: 'Officer' });
    expect((await get(agent, '/admin')).status).toBe(404);

    const secondAgent = await signedInAgent({ app: ctx.app, userId: second.id });
    const confirm = await get(secondAgent, `/admin/users/${second.id}/deactivate`);
    expect(confirm.page.text).toContain('You will be signed out at once');
    // The first is an officer now, so the second is the last admin: the use case refuses, until the first is an admin again.
    const refused = await post(secondAgent, `/admin/users/${second.id}/deactivate`, { _csrf: csrfFrom(confirm.html) });
    expect(refused.status).toBe(409);
    await submit(secondAgent, `/admin/users/${org.admin.id}`, `/admin/users/${org.admin.id}/role`, { role: 'admin' });
    const done = await post(secondAgent, `/admin/users/${second.id}/deactivate`, { _csrf: csrfFrom(confirm.html) });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/sign-in');
    expect((await get(secondAgent, '/admin')).location).toBe('/sign-in?returnTo=%2Fadmin');
    expect((await apiGet(ctx, `/v1/users/${second.id}`, org.admin.token)).json()).toMatchObject({ role: 'admin', active: false });
  });

  it('deactivating a user, after a confirmation, signs their browser out on its next request; reactivating lets them sign in again', async () => {
    const { org, agent } = await adminAgent(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
    const theirs = await signedInAgent({ app: ctx.app, userId: officer.id });
    expect((await get(theirs, '/account')).status).toBe(200);

    const user = await get(agent, `/admin/users/${officer.id}`);
    expect(user.page.link('Deactivate Olu Officer')?.getAttribute('href')).toBe(`/admin/users/${officer.id}/deactivate`);
    const confirm = await get(agent, `/admin/users/${officer.id}/deactivate`);
    expect(confirm.page.h1).toEqual(['Deactivate Olu Officer?']);
    expect(confirm.page.text).toContain('Olu Officer will be signed out at once');
    // Opening the confirmation changed nothing.
    expect((await get(theirs, '/account')).status).toBe(200);

    const done = await post(agent, `/admin/users/${officer.id}/deactivate`, { _csrf: csrfFrom(confirm.html) });
    expect(done.status).toBe(303);
    expect((await get(agent, done.location!)).page.text).toContain('Olu Officer has been deactivated and signed out everywhere.');
    const signedOut = await get(theirs, '/account');
    expect(signedOut.status).toBe(303);
    expect(signedOut.location).toBe('/sign-in?returnTo=%2Faccount');
    expect((await apiGet(ctx, '/v1/me', officer.token)).statusCode).toBe(401);
    const list = await get(agent, '/admin/users');
    expect(list.page.link('Olu Officer')?.closest('.govuk-summary-list__row')?.textContent).toContain('Deactivated');

    // A deactivated user cannot be deactivated again: the confirmation sends back to their page.
    expect((await get(agent, `/admin/users/${officer.id}/deactivate`)).location).toBe(`/admin/users/${officer.id}`);
    const reconfirm = await get(agent, `/admin/users/${officer.id}/reactivate`);
    expect(reconfirm.page.h1).toEqual(['Reactivate Olu Officer?']);
    const back = await post(agent, `/admin/users/${officer.id}/reactivate`, { _csrf: csrfFrom(reconfirm.html) });
    expect(back.status).toBe(303);
    expect((await get(agent, back.location!)).page.text).toContain('Olu Officer has been reactivated and can sign in again.');
    const again = await signedInAgent({ app: ctx.app, userId: officer.id });
    expect((await get(again, '/account')).status).toBe(200);
  });

  it('the users list is paginated, 20 a page', async () => {
    const { org, agent } = await adminAgent(ctx);
    for (let i = 0; i < 21; i += 1) {
      ctx.clock.advance(1000);
      await seedUser(ctx, org, { role: 'viewer', name: `Viewer ${String(i).padStart(2, '0')}` });
    }
    const first = await get(agent, '/admin/users');
    const names = (p: typeof first) => [...p.page.document.querySelectorAll('.govuk-summary-list__key a')].map((a) => (a as { textContent: string }).textContent.trim());
    expect(names(first)).toHaveLength(20);
    expect(names(first)[0]).toBe('Ada Admin');
    const next = first.page.link(/Next page/)?.getAttribute('href');
    expect(next).toMatch(/^\/admin\/users\?cursor=/);
    const second = await get(agent, next!);
    expect(names(second)).toEqual(['Viewer 19', 'Viewer 20']);
    expect(second.page.link(/First page/)?.getAttribute('href')).toBe('/admin/users');
    expect(second.page.link(/Next page/)).toBeUndefined();
    // A cursor that was tampered with shows the first page, not a problem.
    expect(names(await get(agent, '/admin/users?cursor=not-a-cursor'))).toEqual(names(first));
  });

  it('an API key is created with its scopes, its secret shown once; it works as a bearer, and once revoked it answers 401', async () => {
    const { agent } = await adminAgent(ctx);
    const form = await get(agent, '/admin/api-keys/new');
    // Each scope has the README's line about what it allows.
    const scoresBox = form.page.document.querySelector('input[name="scopes"][value="scores:read"]');
    const hintId = scoresBox?.getAttribute('aria-describedby');
    expect(form.page.document.getElementById(hintId!)?.textContent?.trim()).toMatch(/^The scores feed, results and comparison/);

    const refused = await post(agent, '/admin/api-keys/new', { _csrf: csrfFrom(form.html), name: '' });
    expect(refused.status).toBe(400);
    expect(refused.page.errorSummary()).toEqual([
      { href: '#name', text: 'Enter a name for the key, like the system that will use it' },
      { href: '#scopes', text: 'Select what the key may read or do' },
    ]);

    const created = await post(agent, '/admin/api-keys/new', { _csrf: csrfFrom(form.html), name: 'Contract register', scopes: ['scores:read', 'procurements:read'] });
    expect(created.status).toBe(303);
    expect(created.location).toMatch(/^\/admin\/api-keys\/[0-9a-f-]{36}\/created$/);
    const shown = await get(agent, created.location!);
    expect(shown.page.h1).toEqual(['API key created']);
    const secret = shown.page.byLabel('The key')?.getAttribute('value');
    expect(secret).toMatch(/^aidd_key_[A-Za-z0-9_-]{43}$/);
    expect(shown.page.text).toContain('It will not be shown again');
    expect(shown.page.button('Copy the key')).toBeDefined();

    const me = await apiGet(ctx, '/v1/me', secret!);
    expect(me.statusCode).toBe(200);
    expect(me.json().apiKey.scopes).toEqual(['procurements:read', 'scores:read']);

    // A reload shows the key, never the secret.
    const reload = await get(agent, created.location!);
    expect(reload.status).toBe(200);
    expect(reload.page.h1).toEqual(['The key’s secret cannot be shown again']);
    expect(reload.html).not.toContain(secret!);

    const list = await get(agent, '/admin/api-keys');
    const card = list.page.heading('Contract register')?.closest('.govuk-summary-card');
    const cardText = card?.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(cardText).toContain(secret!.slice(0, 12));
    expect(cardText).toContain('procurements:read');
    // It was used just now, on /v1/me.
    expect(cardText).toMatch(/Last used \d\d:\d\d on \d{1,2} \w+ \d{4}/);
    expect(cardText).toContain('Active');
    expect(list.html).not.toContain(secret!);

    const revokeHref = list.page.link(/Revoke/)?.getAttribute('href');
    const confirm = await get(agent, revokeHref!);
    expect(confirm.page.h1).toEqual(['Revoke the key “Contract register”?']);
    expect((await apiGet(ctx, '/v1/me', secret!)).statusCode).toBe(200);
    const revoked = await post(agent, revokeHref!, { _csrf: csrfFrom(confirm.html) });
    expect(revoked.status).toBe(303);
    expect(revoked.location).toBe('/admin/api-keys');
    const after = await get(agent, '/admin/api-keys');
    expect(after.page.text).toContain('The key “Contract register” has been revoked. It no longer works.');
    expect(after.page.heading('Contract register')?.closest('.govuk-summary-card')?.textContent).toContain('Revoked');
    expect(after.page.link(/Revoke/)).toBeUndefined();
    expect((await apiGet(ctx, '/v1/me', secret!)).statusCode).toBe(401);
  });

  it('the outbox lists a sign-in email, newest first, with its link redacted as the API shows it', async () => {
    const { org, agent } = await adminAgent(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
    await queueMail({ db: ctx.database.db, organisationId: org.organisationId, now: ctx.clock.now(), message: { to: 'supplier@example.com', subject: 'An older message', text: 'Hello', kind: 'reminder', about: { type: 'invitation', id: 'x' } } });
    ctx.clock.advance(60_000);

    // Someone asks for a sign-in link, as anyone would, on the sign-in page.
    const browser = supertest.agent(ctx.app.server);
    const signIn = await browser.get('/sign-in').redirects(0);
    const asked = await browser.post('/sign-in/email').type('form').send({ _csrf: csrfFrom(signIn.text), email: officer.email }).redirects(0);
    expect(asked.status).toBe(303);

    const outbox = await get(agent, '/admin/outbox');
    expect(outbox.status).toBe(200);
    expect(outbox.page.text).toContain('No mail server is set up for the service (SMTP_URL)');
    const subjects = [...outbox.page.document.querySelectorAll('.govuk-summary-list__key a')].map((a) => (a as { textContent: string }).textContent.trim());
    expect(subjects).toHaveLength(2);
    expect(subjects[1]).toBe('An older message');
    const row = outbox.page.link(subjects[0]!)?.closest('.govuk-summary-list__row')?.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(row).toContain(`To ${officer.email}`);
    expect(row).toContain('Sign-in link');
    expect(row).toContain('Held, not sent');

    const message = await get(agent, outbox.page.link(subjects[0]!)!.getAttribute('href')!);
    expect(message.status).toBe(200);
    const api = (await apiGet(ctx, '/v1/outbox', org.admin.token)).json().items.find((m: { kind: string }) => m.kind === 'staff.sign_in_link');
    expect(api.text).toContain('/sign-in/link/[REDACTED]');
    // The page shows the text exactly as the API does: every line of it, the redaction included, and no token.
    for (const line of (api.text as string).split('\n').filter((l) => l.trim() !== '')) expect(message.page.text).toContain(line.replace(/\s+/g, ' ').trim());
    expect(message.html).not.toMatch(/aidd_signin_/);
  });

  it('officers, evaluators and viewers get the not-found page on every administration address, and their forged POSTs change nothing', async () => {
    const { org } = await adminAgent(ctx);
    const target = await seedUser(ctx, org, { role: 'officer', name: 'Target User' });
    const key = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
    const mail = await queueMail({ db: ctx.database.db, organisationId: org.organisationId, now: ctx.clock.now(), message: { to: 'a@example.com', subject: 'S', text: 'T', kind: 'reminder', about: { type: 'invitation', id: 'x' } } });
    const pages = [
      '/admin',
      '/admin/users',
      '/admin/users/new',
      `/admin/users/${target.id}`,
      `/admin/users/${target.id}/deactivate`,
      `/admin/users/${target.id}/reactivate`,
      '/admin/api-keys',
      '/admin/api-keys/new',
      `/admin/api-keys/${key.id}/created`,
      `/admin/api-keys/${key.id}/revoke`,
      '/admin/outbox',
      `/admin/outbox/${mail.id}`,
    ];
    const usersBefore = (await apiGet(ctx, '/v1/users', org.admin.token)).json().items.length;
    for (const role of ['officer', 'evaluator', 'viewer'] as const) {
      const user = await seedUser(ctx, org, { role });
      const agent = await signedInAgent({ app: ctx.app, userId: user.id });
      expect((await get(agent, '/account')).page.link('Administration'), role).toBeUndefined();
      for (const url of pages) {
        const seen = await get(agent, url);
        expect(seen.status, `${role} ${url}`).toBe(404);
        expect(seen.page.h1, `${role} ${url}`).toEqual(['Page not found']);
      }
      // Their own session's CSRF token is valid: only the role refuses these.
      const _csrf = csrfFrom((await get(agent, '/sign-out')).html);
      const posts: Array<[string, Record<string, string | string[]>]> = [
        ['/admin/users/new', { _csrf, name: 'Sneaky', email: `sneaky-${role}@example.gov.uk`, role: 'admin' }],
        [`/admin/users/${user.id}/role`, { _csrf, role: 'admin' }],
        [`/admin/users/${target.id}/deactivate`, { _csrf }],
        ['/admin/api-keys/new', { _csrf, name: 'Sneaky key', scopes: ['audit:read'] }],
        [`/admin/api-keys/${key.id}/revoke`, { _csrf }],
      ];
      for (const [url, form] of posts) {
        const sent = await post(agent, url, form);
        expect(sent.status, `${role} POST ${url}`).toBe(404);
        expect(sent.page.h1).toEqual(['Page not found']);
      }
      expect((await apiGet(ctx, `/v1/users/${user.id}`, org.admin.token)).json().role).toBe(role);
      const users = (await apiGet(ctx, '/v1/users', org.admin.token)).json().items as Array<{ name: string }>;
      expect(users.map((u) => u.name)).not.toContain('Sneaky');
    }
    expect((await apiGet(ctx, '/v1/users', org.admin.token)).json().items.length).toBe(usersBefore + 3);
    expect((await apiGet(ctx, `/v1/users/${target.id}`, org.admin.token)).json().active).toBe(true);
    const keys = (await apiGet(ctx, '/v1/api-keys', org.admin.token)).json().items as Array<{ name: string; revokedAt: string | null }>;
    expect(keys).toEqual([expect.objectContaining({ name: 'Contract system', revokedAt: null })]);
    expect((await apiGet(ctx, '/v1/me', key.token)).statusCode).toBe(200);
  });

  it('another organisation’s users, keys and emails are not found, to read or to change', async () => {
    const { agent } = await adminAgent(ctx);
    const other = await seedOrganisation(ctx);
    const theirUser = await seedUser(ctx, other, { role: 'officer' });
    const theirKey = await seedApiKey(ctx, other, { scopes: ['scores:read'] });
    const theirMail = await queueMail({ db: ctx.database.db, organisationId: other.organisationId, now: ctx.clock.now(), message: { to: 'a@example.com', subject: 'Theirs', text: 'T', kind: 'reminder', about: { type: 'invitation', id: 'x' } } });
    for (const url of [`/admin/users/${theirUser.id}`, `/admin/users/${theirUser.id}/deactivate`, `/admin/api-keys/${theirKey.id}/created`, `/admin/api-keys/${theirKey.id}/revoke`, `/admin/outbox/${theirMail.id}`, '/admin/users/not-a-uuid', '/admin/outbox/not-a-uuid']) {
      const seen = await get(agent, url);
      expect(seen.status, url).toBe(404);
      expect(seen.page.h1, url).toEqual(['Page not found']);
    }
    const _csrf = csrfFrom((await get(agent, '/admin/users/new')).html);
    for (const [url, form] of [
      [`/admin/users/${theirUser.id}/role`, { _csrf, role: 'viewer' }],
      [`/admin/users/${theirUser.id}/deactivate`, { _csrf }],
      [`/admin/api-keys/${theirKey.id}/revoke`, { _csrf }],
    ] as const) {
      const sent = await post(agent, url, form);
      expect(sent.status, url).toBe(404);
    }
    expect((await apiGet(ctx, `/v1/users/${theirUser.id}`, other.admin.token)).json()).toMatchObject({ role: 'officer', active: true });
    expect((await apiGet(ctx, '/v1/me', theirKey.token)).statusCode).toBe(200);
    expect((await get(agent, '/admin/outbox')).page.text).not.toContain('Theirs');
  });

  it('a POST without the CSRF token is refused with "This page has expired" and changes nothing', async () => {
    const { org, agent } = await adminAgent(ctx);
    const target = await seedUser(ctx, org, { role: 'officer' });
    const key = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
    const posts: Array<[string, Record<string, string | string[]>]> = [
      ['/admin/users/new', { name: 'No Token', email: 'no-token@example.gov.uk', role: 'viewer' }],
      [`/admin/users/${target.id}/role`, { role: 'viewer' }],
      [`/admin/users/${target.id}/deactivate`, {}],
      ['/admin/api-keys/new', { name: 'No token key', scopes: 'scores:read' }],
      [`/admin/api-keys/${key.id}/revoke`, { _csrf: 'wrong'.padEnd(43, 'x') }],
    ];
    for (const [url, form] of posts) {
      const sent = await post(agent, url, form);
      expect(sent.status, url).toBe(403);
      expect(sent.page.h1, url).toEqual(['This page has expired']);
    }
    expect((await apiGet(ctx, `/v1/users/${target.id}`, org.admin.token)).json()).toMatchObject({ role: 'officer', active: true });
    const users = (await apiGet(ctx, '/v1/users', org.admin.token)).json().items as Array<{ name: string }>;
    expect(users.map((u) => u.name)).not.toContain('No Token');
    expect((await apiGet(ctx, '/v1/api-keys', org.admin.token)).json().items).toHaveLength(1);
    expect((await apiGet(ctx, '/v1/me', key.token)).statusCode).toBe(200);
  });

  it('without a session, an administration page sends the browser to sign in and back', async () => {
    const anonymous = supertest.agent(ctx.app.server);
    const res = await anonymous.get('/admin/api-keys').redirects(0);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Fadmin%2Fapi-keys');
  });
});

describe('the outbox page when a mail server is set up', () => {
  const smtp = useSmtpCapture();
  const ctx = useTestApp({ config: () => ({ COOKIE_SECURE: 'false', SMTP_URL: smtp.url(), SIGN_IN_LIMIT_PER_MINUTE: '1000', SIGN_IN_EMAIL_LIMIT_PER_HOUR: '1000' }) });

  it('records what was sent, and never shows the token the recipient received', async () => {
    const { org, agent } = await adminAgent(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const browser = supertest.agent(ctx.app.server);
    const signIn = await browser.get('/sign-in').redirects(0);
    await browser.post('/sign-in/email').type('form').send({ _csrf: csrfFrom(signIn.text), email: officer.email }).redirects(0);

    // Delivery happens after the answer: wait for the message, and for its row to say it was sent.
    const token = await until(
      'the sign-in email to arrive',
      () => {
        const mail = smtp.received.find((m) => m.to.includes(officer.email));
        return mail ? /\/sign-in\/link\/(aidd_signin_[A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] : undefined;
      },
      (found) => found !== undefined,
    );
    const outbox = await until('the outbox to say the email was sent', () => get(agent, '/admin/outbox'), (seen) => seen.page.text.includes('Sent'));
    expect(outbox.page.text).not.toContain('No mail server is set up');
    expect(outbox.page.text).toContain('A record of every email the service has sent.');
    const link = outbox.page.document.querySelector('.govuk-summary-list__key a');
    const message = await get(agent, link!.getAttribute('href')!);
    expect(message.page.summary()).toContainEqual({ key: 'Status', value: 'Sent' });
    expect(message.page.text).toContain('/sign-in/link/[REDACTED]');
    expect(message.html).not.toContain(token!);
    expect(outbox.html).not.toContain(token!);
  });
});
