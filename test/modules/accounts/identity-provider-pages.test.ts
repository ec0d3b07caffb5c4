import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { identityProviders } from '../../../src/modules/accounts/identity-providers.table';
import { bearer, useTestApp } from '../../helpers/app';
import { seedOrganisation, seedUser } from '../../helpers/factories';
import { useOidcProvider } from '../../helpers/oidc-provider';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';

/**
 * The admin page for the organisation's identity provider (`/admin/identity-provider`), a journey
 * over supertest's agent with a signed-in admin: the same use cases as the API, GOV.UK error
 * summaries, the secret never shown, and nothing for anyone but admins.
 */
describe('the identity provider admin page', () => {
  const idp = useOidcProvider();
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false', PUBLIC_BASE_URL: 'https://aidd.borsetshire.gov.uk' } });
  const PAGE = '/admin/identity-provider';

  const formFor = (html: string, values: Record<string, string>) => ({ ...(readPage(html).formValues() as Record<string, string>), ...values });
  const apiGet = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/identity-provider', headers: bearer(token) });

  it('an admin registers the provider, sees it saved once, and the API reads the same settings', async () => {
    const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
    const admin = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const empty = await admin.get(PAGE).redirects(0);
    expect(empty.status).toBe(200);
    const blank = readPage(empty.text);
    expect(blank.h1).toEqual(['Identity provider']);
    expect(blank.link('Administration')).toBeDefined();
    expect(blank.text).toContain('No identity provider is registered');
    expect(blank.text).toContain('https://aidd.borsetshire.gov.uk/sign-in/oidc/callback');
    expect(blank.button('Register identity provider')).toBeDefined();

    const saved = await admin
      .post(PAGE)
      .type('form')
      .send(formFor(empty.text, { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, allowedDomains: 'Borsetshire.gov.uk\r\nschools.borsetshire.gov.uk', createViewers: 'yes' }))
      .redirects(0);
    expect([saved.status, saved.headers.location]).toEqual([303, PAGE]);

    const shown = await admin.get(PAGE).redirects(0);
    const view = readPage(shown.text);
    expect(view.document.querySelector('.govuk-notification-banner')?.textContent).toContain('Identity provider saved');
    expect(view.summary()).toEqual([
      { key: 'Issuer', value: idp.issuer },
      { key: 'Client ID', value: idp.clientId },
      { key: 'Client secret', value: 'Stored (not shown)' },
      { key: 'Allowed email domains', value: 'borsetshire.gov.uk, schools.borsetshire.gov.uk' },
      { key: 'New people', value: 'Become viewers when they first sign in' },
    ]);
    expect(shown.text).not.toContain(idp.clientSecret);
    expect(view.byLabel('Client secret')?.getAttribute('value')).toBeNull();
    expect(view.byLabel('Allowed email domains')?.textContent?.trim()).toBe('borsetshire.gov.uk\nschools.borsetshire.gov.uk');
    // Shown once: reloading the page does not say "saved" again.
    expect(readPage((await admin.get(PAGE).redirects(0)).text).document.querySelector('.govuk-notification-banner')).toBeNull();

    expect((await apiGet(org.admin.token)).json()).toMatchObject({ issuer: idp.issuer, clientId: idp.clientId, clientSecretSet: true, allowedDomains: ['borsetshire.gov.uk', 'schools.borsetshire.gov.uk'], createViewers: true });
  });

  it('saving again with the secret left empty keeps the stored secret', async () => {
    const org = await seedOrganisation(ctx);
    const admin = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const first = await admin.get(PAGE);
    await admin.post(PAGE).type('form').send(formFor(first.text, { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, allowedDomains: 'borsetshire.gov.uk' })).redirects(0);
    const [before] = await ctx.database.db.select().from(identityProviders).where(eq(identityProviders.organisationId, org.organisationId));
    const again = await admin.get(PAGE);
    const changed = await admin.post(PAGE).type('form').send(formFor(again.text, { allowedDomains: 'borsetshire.gov.uk\nambridge.gov.uk' })).redirects(0);
    expect(changed.status).toBe(303);
    const [after] = await ctx.database.db.select().from(identityProviders).where(eq(identityProviders.organisationId, org.organisationId));
    expect(after!.clientSecretSealed).toBe(before!.clientSecretSealed);
    expect(after!.version).toBe(2);
    expect((await apiGet(org.admin.token)).json().allowedDomains).toEqual(['ambridge.gov.uk', 'borsetshire.gov.uk']);
  });

  it('lists every problem in an error summary, keeps what was typed except the secret, and saves nothing', async () => {
    const org = await seedOrganisation(ctx);
    const admin = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const form = await admin.get(PAGE);

    const empty = await admin.post(PAGE).type('form').send(formFor(form.text, { clientSecret: 'typed-secret' })).redirects(0);
    expect(empty.status).toBe(422);
    const page = readPage(empty.text);
    expect(page.title).toMatch(/^Error: Identity provider/);
    expect(page.errorSummary()).toEqual([
      { href: '#issuer', text: 'Enter the issuer URL' },
      { href: '#clientId', text: 'Enter the client ID' },
      { href: '#allowedDomains', text: 'Enter at least one email domain' },
    ]);
    expect(page.inlineErrors()).toEqual(['Error: Enter the issuer URL', 'Error: Enter the client ID', 'Error: Enter at least one email domain']);
    expect(empty.text).not.toContain('typed-secret');

    const badDomain = await admin.post(PAGE).type('form').send(formFor(form.text, { issuer: idp.issuer, clientId: 'abc', allowedDomains: 'borsetshire.gov.uk\nnot a domain' })).redirects(0);
    expect(readPage(badDomain.text).errorSummary()).toEqual([{ href: '#allowedDomains', text: 'Enter each email domain like borsetshire.gov.uk: “not” is not one' }]);
    expect(readPage(badDomain.text).byLabel('Issuer URL')?.getAttribute('value')).toBe(idp.issuer);

    const nobodyThere = await admin.post(PAGE).type('form').send(formFor(form.text, { issuer: 'http://127.0.0.1:9', clientId: 'abc', allowedDomains: 'borsetshire.gov.uk' })).redirects(0);
    expect(nobodyThere.status).toBe(422);
    expect(readPage(nobodyThere.text).errorSummary()).toEqual([{ href: '#issuer', text: 'The issuer could not be reached, or did not answer with an OpenID Connect discovery document. Check the issuer URL.' }]);

    const insecure = await admin.post(PAGE).type('form').send(formFor(form.text, { issuer: 'http://idp.borsetshire.gov.uk', clientId: 'abc', allowedDomains: 'borsetshire.gov.uk' })).redirects(0);
    expect(readPage(insecure.text).errorSummary()).toEqual([{ href: '#issuer', text: 'Enter an issuer URL that starts with https://' }]);

    const other = await seedOrganisation(ctx);
    const otherAdmin = await signedInAgent({ app: ctx.app, userId: other.admin.id });
    const otherForm = await otherAdmin.get(PAGE);
    await otherAdmin.post(PAGE).type('form').send(formFor(otherForm.text, { issuer: idp.issuer, clientId: 'abc', allowedDomains: 'wessex.gov.uk' })).redirects(0);
    const taken = await admin.post(PAGE).type('form').send(formFor(form.text, { issuer: idp.issuer, clientId: 'abc', allowedDomains: 'wessex.gov.uk' })).redirects(0);
    expect(taken.status).toBe(409);
    expect(readPage(taken.text).errorSummary()).toEqual([{ href: '#allowedDomains', text: 'wessex.gov.uk is already used by another organisation. An email domain can belong to one organisation only.' }]);

    expect((await apiGet(org.admin.token)).statusCode).toBe(404);
  });

  it('says when someone else saved the settings first, and keeps theirs', async () => {
    const org = await seedOrganisation(ctx);
    const admin = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const first = await admin.get(PAGE);
    await admin.post(PAGE).type('form').send(formFor(first.text, { issuer: idp.issuer, clientId: 'one', allowedDomains: 'borsetshire.gov.uk' })).redirects(0);
    const tabA = await admin.get(PAGE);
    const tabB = await admin.get(PAGE);
    expect((await admin.post(PAGE).type('form').send(formFor(tabA.text, { clientId: 'two' })).redirects(0)).status).toBe(303);
    const late = await admin.post(PAGE).type('form').send(formFor(tabB.text, { clientId: 'three' })).redirects(0);
    expect(late.status).toBe(409);
    expect(readPage(late.text).errorSummary()[0]?.text).toBe('Someone else changed these settings while you were editing them. Check the settings below and save again.');
    expect((await apiGet(org.admin.token)).json().clientId).toBe('two');
  });

  it('removes the provider after asking, and the API finds none', async () => {
    const org = await seedOrganisation(ctx);
    const admin = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const first = await admin.get(PAGE);
    await admin.post(PAGE).type('form').send(formFor(first.text, { issuer: idp.issuer, clientId: 'one', allowedDomains: 'borsetshire.gov.uk' })).redirects(0);
    const confirm = await admin.get(`${PAGE}/remove`).redirects(0);
    expect(readPage(confirm.text).h1).toEqual(['Are you sure you want to remove the identity provider?']);
    const removed = await admin.post(`${PAGE}/remove`).type('form').send(readPage(confirm.text).formValues() as Record<string, string>).redirects(0);
    expect([removed.status, removed.headers.location]).toEqual([303, PAGE]);
    const after = readPage((await admin.get(PAGE)).text);
    expect(after.document.querySelector('.govuk-notification-banner')?.textContent).toContain('Identity provider removed');
    expect((await apiGet(org.admin.token)).statusCode).toBe(404);
  });

  it('refuses a form without its CSRF token (403, nothing saved or removed)', async () => {
    const org = await seedOrganisation(ctx);
    const admin = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const form = await admin.get(PAGE);
    const values = formFor(form.text, { issuer: idp.issuer, clientId: 'one', allowedDomains: 'borsetshire.gov.uk' });
    for (const _csrf of [undefined, 'x'.repeat(43)]) {
      const refused = await admin.post(PAGE).type('form').send({ ...values, _csrf }).redirects(0);
      expect(refused.status).toBe(403);
      expect(readPage(refused.text).h1).toEqual(['This page has expired']);
    }
    expect((await apiGet(org.admin.token)).statusCode).toBe(404);
    await admin.post(PAGE).type('form').send(values).redirects(0);
    const remove = await admin.post(`${PAGE}/remove`).type('form').send({ version: '1' }).redirects(0);
    expect(remove.status).toBe(403);
    expect((await apiGet(org.admin.token)).statusCode).toBe(200);
  });

  it('is not found for officers, evaluators and viewers, who cannot change it either', async () => {
    const org = await seedOrganisation(ctx);
    const admin = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const form = await admin.get(PAGE);
    await admin.post(PAGE).type('form').send(formFor(form.text, { issuer: idp.issuer, clientId: 'one', allowedDomains: 'borsetshire.gov.uk' })).redirects(0);
    for (const role of ['officer', 'evaluator', 'viewer'] as const) {
      const user = await seedUser(ctx, org, { role });
      const agent = await signedInAgent({ app: ctx.app, userId: user.id });
      const page = await agent.get(PAGE).redirects(0);
      expect(page.status).toBe(404);
      expect(readPage(page.text).h1).toEqual(['Page not found']);
      expect(readPage(page.text).link('Administration')).toBeUndefined();
      const csrf = csrfFrom((await agent.get('/sign-out')).text);
      expect((await agent.post(PAGE).type('form').send({ _csrf: csrf, issuer: idp.issuer, clientId: 'mine', allowedDomains: 'evil.example' }).redirects(0)).status).toBe(404);
      expect((await agent.post(`${PAGE}/remove`).type('form').send({ _csrf: csrf }).redirects(0)).status).toBe(404);
      expect((await agent.get(`${PAGE}/remove`).redirects(0)).status).toBe(404);
    }
    expect((await apiGet(org.admin.token)).json().clientId).toBe('one');
  });

  it('sends a visitor who is not signed in to sign in, and back afterwards', async () => {
    const anonymous = await ctx.app.inject({ method: 'GET', url: PAGE });
    expect([anonymous.statusCode, anonymous.headers.location]).toEqual([303, '/sign-in?returnTo=%2Fadmin%2Fidentity-provider']);
  });
});
