import { and, eq, sql } from 'drizzle-orm';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { users } from '../../../src/modules/accounts';
import { identityProviders, userIdentities } from '../../../src/modules/accounts/identity-providers.table';
import { auditEvents } from '../../../src/platform/audit';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedOrganisation, type SeededOrganisation } from '../../helpers/factories';
import { signInAtProvider, useOidcProvider, type OidcProviderHandle } from '../../helpers/oidc-provider';
import { readPage, webAgent } from '../../helpers/web';

/**
 * Signing in through the organisation's OpenID provider, against a real provider on loopback
 * (oidc-provider), with the browser's part played by supertest agents that follow each redirect by
 * hand: the service's pages through one agent (its cookie jar is the browser's), the provider's
 * login page through another.
 */

const DOMAIN = 'borsetshire.gov.uk';
const CONTINUE = "Continue to your organisation's sign-in";

type Browser = ReturnType<typeof webAgent>;

/** The service's side of the journey, for one browser. */
function journey(ctx: TestContext, idp: OidcProviderHandle) {
  return {
    /** Types the email on the sign-in page; returns the page that follows and, when single sign-on took over, the provider's address. */
    async start(browser: Browser, email: string, returnTo?: string) {
      const form = await browser.get(returnTo ? `/sign-in?returnTo=${encodeURIComponent(returnTo)}` : '/sign-in');
      expect(form.statusCode).toBe(200);
      const answer = await browser.post('/sign-in/email', { ...(readPage(form.body).formValues() as Record<string, string>), email });
      const href = answer.statusCode === 200 ? readPage(answer.body).link(CONTINUE)?.getAttribute('href') : undefined;
      return { answer, authorizationUrl: href ?? null };
    },
    /** Signs in at the provider as `login` and brings the browser back to the callback. */
    async finish(browser: Browser, authorizationUrl: string, login: string) {
      const back = await signInAtProvider({ issuer: idp.issuer, authorizationUrl, login });
      expect(back.pathname).toBe('/sign-in/oidc/callback');
      return { callback: `${back.pathname}${back.search}`, answer: await browser.get(`${back.pathname}${back.search}`) };
    },
    async signIn(browser: Browser, email: string, login: string, returnTo?: string) {
      const { authorizationUrl } = await this.start(browser, email, returnTo);
      expect(authorizationUrl, 'single sign-on should have taken over').toBeTruthy();
      return this.finish(browser, authorizationUrl!, login);
    },
    async register(org: SeededOrganisation, changes: Record<string, unknown> = {}) {
      const put = await ctx.app.inject({
        method: 'PUT',
        url: '/v1/identity-provider',
        headers: bearer(org.admin.token),
        payload: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, allowedDomains: [DOMAIN], ...changes },
      });
      expect(put.statusCode, put.body).toBeLessThan(300);
    },
    async addUser(org: SeededOrganisation, email: string, role = 'officer', name = 'Ada Lovelace') {
      const created = await ctx.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(org.admin.token), payload: { email, name, role } });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().user as { id: string };
    },
    /** Who the browser is signed in as, by its account page (null when it is sent to sign in). */
    async signedInAs(browser: Browser) {
      const account = await browser.get('/account');
      if (account.statusCode !== 200) return null;
      return readPage(account.body).summary().find((row) => row.key === 'Email address')?.value ?? null;
    },
  };
}

const refusal = (body: string) => {
  const page = readPage(body);
  return { h1: page.h1[0], text: page.text };
};

describe('single sign-on through the organisation’s OpenID provider', () => {
  const idp = useOidcProvider({
    accounts: {
      ada: { sub: 'sub-ada', email: `ada@${DOMAIN}`, email_verified: true, name: 'Ada Lovelace' },
      'ada-renamed': { sub: 'sub-ada', email: `countess@${DOMAIN}`, email_verified: true },
      'ada-impostor': { sub: 'sub-someone-else', email: `ada@${DOMAIN}`, email_verified: true },
      unverified: { email: `unverified@${DOMAIN}`, email_verified: false },
      silent: { email: `silent@${DOMAIN}` },
      outsider: { email: 'ada@gmail.example', email_verified: true },
      newcomer: { email: `newcomer@${DOMAIN}`, email_verified: true, name: 'Nia Newcomer' },
    },
  });
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false', SIGN_IN_LIMIT_PER_MINUTE: '100000', SIGN_IN_EMAIL_LIMIT_PER_HOUR: '100000' } });
  const j = journey(ctx, idp);

  it('signs a returning officer in: to the page they asked for, as themselves, bound to their identity at the provider', async () => {
    const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
    await j.register(org);
    const ada = await j.addUser(org, `ada@${DOMAIN}`);
    const browser = webAgent(ctx.app);

    const { answer, authorizationUrl } = await j.start(browser, `Ada@${DOMAIN}`, '/account/sessions');
    expect(answer.statusCode).toBe(200);
    const continuePage = readPage(answer.body);
    expect(continuePage.h1).toEqual(['Continue to sign in']);
    expect(continuePage.document.querySelector('meta[http-equiv="refresh"]')?.getAttribute('content')).toBe(`0;url=${authorizationUrl}`);
    // The sign-in in flight is sealed in a cookie only the callback receives.
    const cookie = String(answer.headers['set-cookie']).match(/aidd_oidc=[^;]+;[^,]*/)?.[0] ?? '';
    expect(cookie).toMatch(/Path=\/sign-in\/oidc/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const request = new URL(authorizationUrl!);
    expect(request.origin).toBe(idp.issuer);
    expect(Object.fromEntries(request.searchParams)).toMatchObject({
      client_id: idp.clientId,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: 'http://localhost:3000/sign-in/oidc/callback',
      code_challenge_method: 'S256',
      login_hint: `ada@${DOMAIN}`,
    });
    for (const parameter of ['state', 'nonce', 'code_challenge']) expect(request.searchParams.get(parameter)).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const { answer: back } = await j.finish(browser, authorizationUrl!, 'ada');
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe('/account/sessions');
    expect(String(back.headers['set-cookie'])).toMatch(/aidd_oidc=;/);
    expect(await j.signedInAs(browser)).toBe(`ada@${DOMAIN}`);

    const [identity] = await ctx.database.db.select().from(userIdentities).where(eq(userIdentities.userId, ada.id));
    expect(identity).toMatchObject({ organisationId: org.organisationId, subject: 'sub-ada' });
    const actions = await ctx.database.db.select({ action: auditEvents.action, details: auditEvents.details }).from(auditEvents).where(and(eq(auditEvents.organisationId, org.organisationId), eq(auditEvents.actorId, ada.id)));
    expect(actions).toEqual(expect.arrayContaining([{ action: 'user.identity_linked', details: { issuer: idp.issuer } }, { action: 'staff.signed_in', details: { method: 'oidc' } }]));

    // Later sign-ins are matched by the person at the provider, even after their address there changed.
    const later = webAgent(ctx.app);
    const { answer: again } = await j.signIn(later, `ada@${DOMAIN}`, 'ada-renamed');
    expect([again.statusCode, again.headers.location]).toEqual([303, '/procurements']);
    expect(await j.signedInAs(later)).toBe(`ada@${DOMAIN}`);
  });

  it('an address whose domain no provider claims gets an emailed link instead', async () => {
    const org = await seedOrganisation(ctx);
    await j.register(org);
    const browser = webAgent(ctx.app);
    const { answer, authorizationUrl } = await j.start(browser, 'someone@wessex.gov.uk');
    expect([answer.statusCode, answer.headers.location, authorizationUrl]).toEqual([303, '/sign-in/check-email', null]);
  });

  it('refuses an answer whose state is not the one this browser sent, and the sign-in cannot be finished afterwards', async () => {
    const org = await seedOrganisation(ctx);
    await j.register(org);
    await j.addUser(org, `ada@${DOMAIN}`);
    const browser = webAgent(ctx.app);
    const { authorizationUrl } = await j.start(browser, `ada@${DOMAIN}`);
    const back = await signInAtProvider({ issuer: idp.issuer, authorizationUrl: authorizationUrl!, login: 'ada' });
    const forged = new URL(back);
    forged.searchParams.set('state', 'x'.repeat(43));

    const refused = await browser.get(`${forged.pathname}${forged.search}`);
    expect(refused.statusCode).toBe(400);
    expect(refusal(refused.body).h1).toBe('Your sign-in could not be finished');
    expect(refusal(refused.body).text).toContain('does not belong to the sign-in this browser started');
    expect(await j.signedInAs(browser)).toBeNull();

    // The genuine answer, after that: the sign-in in flight is already over.
    const late = await browser.get(`${back.pathname}${back.search}`);
    expect(late.statusCode).toBe(400);
    expect(refusal(late.body).text).toContain('started in another browser');
    expect(await j.signedInAs(browser)).toBeNull();
  });

  it('refuses a code used a second time, even with the sign-in cookie copied', async () => {
    const org = await seedOrganisation(ctx);
    await j.register(org);
    await j.addUser(org, `ada@${DOMAIN}`);
    const browser = webAgent(ctx.app);
    const { answer, authorizationUrl } = await j.start(browser, `ada@${DOMAIN}`);
    const stolenCookie = String(answer.headers['set-cookie']).match(/aidd_oidc=[^;]+/)![0];
    const { callback, answer: first } = await j.finish(browser, authorizationUrl!, 'ada');
    expect(first.statusCode).toBe(303);

    const replayed = await supertest(ctx.app.server).get(callback).set('cookie', stolenCookie).redirects(0);
    expect(replayed.status).toBe(400);
    expect(refusal(replayed.text).h1).toBe('Your sign-in service did not confirm who you are');
    expect(String(replayed.headers['set-cookie'] ?? '')).not.toMatch(/aidd_staff=[^;]/);
  });

  it('refuses a sign-in that took longer than 10 minutes', async () => {
    const org = await seedOrganisation(ctx);
    await j.register(org);
    await j.addUser(org, `ada@${DOMAIN}`);
    const browser = webAgent(ctx.app);
    const { authorizationUrl } = await j.start(browser, `ada@${DOMAIN}`);
    ctx.clock.advance(10 * 60_000 + 1000);
    const { answer } = await j.finish(browser, authorizationUrl!, 'ada');
    expect(answer.statusCode).toBe(400);
    expect(refusal(answer.body).text).toContain('took longer than 10 minutes');
    expect(await j.signedInAs(browser)).toBeNull();
  });

  it.each([
    ['false', 'unverified'],
    ['missing', 'silent'],
  ])('refuses an email the provider says is not verified (email_verified %s)', async (_label, login) => {
    const org = await seedOrganisation(ctx);
    await j.register(org);
    await j.addUser(org, `${login}@${DOMAIN}`);
    const browser = webAgent(ctx.app);
    const { answer } = await j.signIn(browser, `${login}@${DOMAIN}`, login);
    expect(answer.statusCode).toBe(403);
    expect(refusal(answer.body).h1).toBe('Your email address has not been verified');
    expect(await j.signedInAs(browser)).toBeNull();
    expect(await ctx.database.db.select().from(userIdentities)).toEqual([]);
  });

  it('refuses an email at a domain the organisation does not allow, even for a known address', async () => {
    const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
    await j.register(org);
    await j.addUser(org, 'ada@gmail.example');
    const browser = webAgent(ctx.app);
    const { answer } = await j.signIn(browser, `ada@${DOMAIN}`, 'outsider');
    expect(answer.statusCode).toBe(403);
    expect(refusal(answer.body).h1).toBe('You cannot sign in with that email address');
    expect(refusal(answer.body).text).toContain('Borsetshire County Council does not let people with an email address at gmail.example sign in');
    expect(await j.signedInAs(browser)).toBeNull();
  });

  it('refuses someone with no account from an allowed domain, and with "create viewers" on makes them a viewer', async () => {
    const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
    await j.register(org);
    const browser = webAgent(ctx.app);
    const { answer } = await j.signIn(browser, `newcomer@${DOMAIN}`, 'newcomer');
    expect(answer.statusCode).toBe(403);
    expect(refusal(answer.body).h1).toBe('You do not have an account yet');
    expect(refusal(answer.body).text).toContain(`newcomer@${DOMAIN} is not a user of this service at Borsetshire County Council. Ask an administrator in your organisation to add you`);
    expect(await ctx.database.db.select().from(users).where(eq(users.email, `newcomer@${DOMAIN}`))).toEqual([]);

    await j.register(org, { createViewers: true });
    const { answer: created } = await j.signIn(browser, `newcomer@${DOMAIN}`, 'newcomer');
    expect([created.statusCode, created.headers.location]).toEqual([303, '/procurements']);
    expect(await j.signedInAs(browser)).toBe(`newcomer@${DOMAIN}`);
    const [user] = await ctx.database.db.select().from(users).where(eq(users.email, `newcomer@${DOMAIN}`));
    expect(user).toMatchObject({ organisationId: org.organisationId, name: 'Nia Newcomer', role: 'viewer', active: true });
    const [audit] = await ctx.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'user.created'), eq(auditEvents.subjectId, user!.id)));
    expect(audit).toMatchObject({ actorType: 'system', actorId: 'identity-provider', details: { role: 'viewer', via: 'identity_provider', issuer: idp.issuer } });
  });

  it('refuses a deactivated user, whether or not they signed in this way before', async () => {
    const org = await seedOrganisation(ctx);
    await j.register(org);
    const ada = await j.addUser(org, `ada@${DOMAIN}`);
    const deactivate = await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${ada.id}`, headers: bearer(org.admin.token), payload: { active: false } });
    expect(deactivate.statusCode).toBe(200);
    const browser = webAgent(ctx.app);
    const { answer } = await j.signIn(browser, `ada@${DOMAIN}`, 'ada');
    expect(answer.statusCode).toBe(403);
    expect(refusal(answer.body).h1).toBe('Your account has been deactivated');
    expect(await j.signedInAs(browser)).toBeNull();

    // Bound earlier, deactivated since: the binding does not get round it.
    await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${ada.id}`, headers: bearer(org.admin.token), payload: { active: true } });
    expect((await j.signIn(webAgent(ctx.app), `ada@${DOMAIN}`, 'ada')).answer.statusCode).toBe(303);
    await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${ada.id}`, headers: bearer(org.admin.token), payload: { active: false } });
    const { answer: bound } = await j.signIn(webAgent(ctx.app), `ada@${DOMAIN}`, 'ada');
    expect([bound.statusCode, refusal(bound.body).h1]).toEqual([403, 'Your account has been deactivated']);
  });

  it('refuses another person at the provider who now has a bound user’s address', async () => {
    const org = await seedOrganisation(ctx);
    await j.register(org);
    await j.addUser(org, `ada@${DOMAIN}`);
    expect((await j.signIn(webAgent(ctx.app), `ada@${DOMAIN}`, 'ada')).answer.statusCode).toBe(303);
    const browser = webAgent(ctx.app);
    const { answer } = await j.signIn(browser, `ada@${DOMAIN}`, 'ada-impostor');
    expect(answer.statusCode).toBe(403);
    expect(refusal(answer.body).h1).toBe('This account belongs to someone else');
    expect(await j.signedInAs(browser)).toBeNull();
  });

  it('matches only within the provider’s organisation: a user of the same address elsewhere is not signed in', async () => {
    const org = await seedOrganisation(ctx);
    const other = await seedOrganisation(ctx);
    await j.register(org);
    await j.addUser(other, `ada@${DOMAIN}`);
    const browser = webAgent(ctx.app);
    const { answer } = await j.signIn(browser, `ada@${DOMAIN}`, 'ada');
    expect([answer.statusCode, refusal(answer.body).h1]).toEqual([403, 'You do not have an account yet']);
    expect(await j.signedInAs(browser)).toBeNull();
  });

  it('says the provider is not answering (502) when it cannot be reached, and signs nobody in', async () => {
    const org = await seedOrganisation(ctx);
    await j.register(org);
    await j.addUser(org, `ada@${DOMAIN}`);
    // The provider moves away: a port nothing listens on, as a new version of the registration.
    await ctx.database.db.update(identityProviders).set({ issuer: 'http://127.0.0.1:9', version: sql`${identityProviders.version} + 1` }).where(eq(identityProviders.organisationId, org.organisationId));
    const browser = webAgent(ctx.app);
    const { answer, authorizationUrl } = await j.start(browser, `ada@${DOMAIN}`);
    expect([answer.statusCode, authorizationUrl]).toEqual([502, null]);
    expect(readPage(answer.body).h1).toEqual(['Your sign-in service is not answering']);
  });
});

describe('single sign-on refusals count as failed sign-ins', () => {
  const idp = useOidcProvider({ accounts: { unverified: { email: `unverified@${DOMAIN}`, email_verified: false } } });
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false', AUTH_FAILURE_LIMIT_PER_MINUTE: '3', SIGN_IN_LIMIT_PER_MINUTE: '100000', SIGN_IN_EMAIL_LIMIT_PER_HOUR: '100000' } });
  const j = journey(ctx, idp);

  it('after the address’s failed sign-ins are used up, the next attempt is "Too many attempts"', async () => {
    const org = await seedOrganisation(ctx);
    await j.register(org);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const browser = webAgent(ctx.app);
      const { authorizationUrl } = await j.start(browser, `unverified@${DOMAIN}`);
      if (!authorizationUrl) {
        statuses.push(429);
        break;
      }
      const { answer } = await j.finish(browser, authorizationUrl, 'unverified');
      statuses.push(answer.statusCode);
    }
    expect(statuses).toEqual([403, 403, 403, 429]);
  });
});
