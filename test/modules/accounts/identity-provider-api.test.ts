import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { identityProviders } from '../../../src/modules/accounts/identity-providers.table';
import { auditEvents } from '../../../src/platform/audit';
import { openSecret } from '../../../src/platform/crypto';
import { bearer, problemOf, testConfig, useTestApp } from '../../helpers/app';
import { seedApiKey, seedOrganisation, seedUser } from '../../helpers/factories';
import { useOidcProvider } from '../../helpers/oidc-provider';

/**
 * Registering an organisation's OpenID Connect provider through the API: admins only, one
 * organisation's settings invisible to another, the client secret sealed and never returned, the
 * issuer discovered before anything is saved, and an email domain held by one organisation only.
 */
describe('the identity provider API', () => {
  const idp = useOidcProvider();
  const ctx = useTestApp({ config: { PUBLIC_BASE_URL: 'https://aidd.borsetshire.gov.uk' } });

  const registration = (overrides: Record<string, unknown> = {}) => ({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, allowedDomains: ['borsetshire.gov.uk'], ...overrides });
  const put = (token: string, payload: object, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'PUT', url: '/v1/identity-provider', headers: { ...bearer(token), ...headers }, payload });
  const get = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/identity-provider', headers: bearer(token) });

  it('an admin registers a provider, reads it back without the secret, and the secret is kept sealed', async () => {
    const org = await seedOrganisation(ctx);
    expect(problemOf(await get(org.admin.token)).code).toBe('accounts.identity_provider_not_found');

    const created = await put(org.admin.token, registration({ allowedDomains: ['@Borsetshire.GOV.uk', 'schools.borsetshire.gov.uk', 'borsetshire.gov.uk'] }));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.json()).toEqual({
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecretSet: true,
      allowedDomains: ['borsetshire.gov.uk', 'schools.borsetshire.gov.uk'],
      createViewers: false,
      redirectUri: 'https://aidd.borsetshire.gov.uk/sign-in/oidc/callback',
      createdAt: '2026-11-26T12:00:00.000Z',
      updatedAt: '2026-11-26T12:00:00.000Z',
    });
    expect(created.body).not.toContain(idp.clientSecret);

    const read = await get(org.admin.token);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.json()).toEqual(created.json());
    expect(read.body).not.toContain(idp.clientSecret);

    // In the database: sealed, not the secret, and it opens only with the key and for this row.
    const [row] = await ctx.database.db.select().from(identityProviders).where(eq(identityProviders.organisationId, org.organisationId));
    expect(row!.clientSecretSealed).not.toContain(idp.clientSecret);
    expect(openSecret({ key: testConfig().secretsKey, sealed: row!.clientSecretSealed!, context: `identity-provider:${row!.id}` })).toBe(idp.clientSecret);
    expect(() => openSecret({ key: Buffer.alloc(32), sealed: row!.clientSecretSealed!, context: `identity-provider:${row!.id}` })).toThrow();

    const [audit] = await ctx.database.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, org.organisationId), eq(auditEvents.action, 'identity_provider.created')));
    expect(audit).toMatchObject({ actorType: 'user', actorId: org.admin.id, subjectType: 'identity_provider', subjectId: row!.id });
    expect(audit!.details).toMatchObject({ issuer: idp.issuer, clientId: idp.clientId, allowedDomains: ['borsetshire.gov.uk', 'schools.borsetshire.gov.uk'], createViewers: false, clientSecretChanged: true });
    expect(JSON.stringify(audit!.details)).not.toContain(idp.clientSecret);
  });

  it('a change keeps the stored secret when none is sent, honours If-Match, and is audited', async () => {
    const org = await seedOrganisation(ctx);
    await put(org.admin.token, registration());
    const changed = await put(org.admin.token, { issuer: idp.issuer, clientId: idp.clientId, allowedDomains: ['borsetshire.gov.uk'], createViewers: true }, { 'if-match': '"1"' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.headers.etag).toBe('"2"');
    expect(changed.json()).toMatchObject({ clientSecretSet: true, createViewers: true });

    const stale = await put(org.admin.token, registration({ createViewers: false }), { 'if-match': '"1"' });
    expect([stale.statusCode, problemOf(stale).code]).toEqual([412, 'accounts.identity_provider_stale']);
    expect((await get(org.admin.token)).json().createViewers).toBe(true);

    const withoutSecret = await put(org.admin.token, registration({ clientSecret: null }));
    // The test provider's client authenticates with its secret, but discovery does not: a public client registers.
    expect(withoutSecret.statusCode, withoutSecret.body).toBe(200);
    expect(withoutSecret.json().clientSecretSet).toBe(false);

    const actions = await ctx.database.db.select({ action: auditEvents.action, details: auditEvents.details }).from(auditEvents).where(and(eq(auditEvents.organisationId, org.organisationId), eq(auditEvents.subjectType, 'identity_provider')));
    expect(actions.map((a) => a.action)).toEqual(['identity_provider.created', 'identity_provider.updated', 'identity_provider.updated']);
    expect(actions[1]!.details).toMatchObject({ createViewers: true, clientSecretChanged: false });
    expect(actions[2]!.details).toMatchObject({ clientSecretChanged: true });
  });

  it('only admins may read or change it: officers, viewers and API keys are refused', async () => {
    const org = await seedOrganisation(ctx);
    await put(org.admin.token, registration());
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const viewer = await seedUser(ctx, org, { role: 'viewer' });
    const key = await seedApiKey(ctx, org, { scopes: ['scores:read', 'procurements:read', 'responses:read', 'responses:read-confidential', 'reports:read', 'questionnaires:read', 'webhooks:manage', 'audit:read'] });
    for (const token of [officer.token, viewer.token, key.token]) {
      expect(problemOf(await get(token)).code).toBe('auth.forbidden');
      const changed = await put(token, registration({ createViewers: true }));
      expect([changed.statusCode, problemOf(changed).code]).toEqual([403, 'auth.forbidden']);
      const removed = await ctx.app.inject({ method: 'DELETE', url: '/v1/identity-provider', headers: bearer(token) });
      expect(removed.statusCode).toBe(403);
    }
    expect((await get(org.admin.token)).json().createViewers).toBe(false);
  });

  it('another organisation neither sees it nor can take its domains (409)', async () => {
    const first = await seedOrganisation(ctx);
    const second = await seedOrganisation(ctx);
    await put(first.admin.token, registration());
    expect([(await get(second.admin.token)).statusCode, problemOf(await get(second.admin.token)).code]).toEqual([404, 'accounts.identity_provider_not_found']);
    const removed = await ctx.app.inject({ method: 'DELETE', url: '/v1/identity-provider', headers: bearer(second.admin.token) });
    expect([removed.statusCode, problemOf(removed).code]).toEqual([404, 'accounts.identity_provider_not_found']);
    expect((await get(first.admin.token)).statusCode).toBe(200);

    const taken = await put(second.admin.token, registration({ allowedDomains: ['wessex.gov.uk', 'Borsetshire.gov.uk'] }));
    expect(taken.statusCode).toBe(409);
    expect(problemOf(taken)).toMatchObject({ code: 'accounts.identity_provider_domain_taken', errors: [{ path: '/body/allowedDomains', message: 'borsetshire.gov.uk is already used by another organisation' }] });
    expect((await get(second.admin.token)).statusCode).toBe(404);

    // Once the first lets the domain go, the second may have it.
    expect((await put(first.admin.token, registration({ allowedDomains: ['ambridge.gov.uk'] }))).statusCode).toBe(200);
    expect((await put(second.admin.token, registration({ allowedDomains: ['borsetshire.gov.uk'] }))).statusCode).toBe(201);
  });

  it.each([
    ['not a URL', { issuer: 'login.microsoftonline.com/tenant' }, 'request.validation_failed', '/body/issuer'],
    ['another scheme', { issuer: 'ftp://idp.example' }, 'request.validation_failed', '/body/issuer'],
    ['a query string', { issuer: 'https://idp.example/?tenant=1' }, 'request.validation_failed', '/body/issuer'],
    ['plain http to another host', { issuer: 'http://idp.example' }, 'accounts.identity_provider_https_required', '/body/issuer'],
    ['a host that does not resolve', { issuer: 'https://idp.invalid' }, 'accounts.identity_provider_discovery_failed', '/body/issuer'],
    ['a server that is not an OpenID provider', { issuer: 'ISSUER/not-here' }, 'accounts.identity_provider_discovery_failed', '/body/issuer'],
    ['no domains', { allowedDomains: [] }, 'request.validation_failed', '/body/allowedDomains'],
    ['a domain that is not one', { allowedDomains: ['borsetshire gov uk'] }, 'request.validation_failed', '/body/allowedDomains/0'],
    ['an email address for a domain', { allowedDomains: ['ada@borsetshire.gov.uk'] }, 'request.validation_failed', '/body/allowedDomains/0'],
    ['an empty client id', { clientId: ' ' }, 'request.validation_failed', '/body/clientId'],
    ['an unknown field', { tenant: 'x' }, 'request.validation_failed', '/body'],
  ])('refuses %s with a 422 naming the field, and saves nothing', async (_label, change, code, path) => {
    const org = await seedOrganisation(ctx);
    const payload = registration(Object.fromEntries(Object.entries(change).map(([k, v]) => [k, typeof v === 'string' ? v.replace('ISSUER', idp.issuer) : v])));
    const refused = await put(org.admin.token, payload);
    expect(refused.statusCode, refused.body).toBe(422);
    const problem = problemOf(refused);
    expect(problem.code).toBe(code);
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    expect((await get(org.admin.token)).statusCode).toBe(404);
  });

  it('removing it forgets the provider and frees its domains', async () => {
    const org = await seedOrganisation(ctx);
    await put(org.admin.token, registration());
    const removed = await ctx.app.inject({ method: 'DELETE', url: '/v1/identity-provider', headers: bearer(org.admin.token) });
    expect(removed.statusCode).toBe(204);
    expect((await get(org.admin.token)).statusCode).toBe(404);
    const other = await seedOrganisation(ctx);
    expect((await put(other.admin.token, registration())).statusCode).toBe(201);
    const [audit] = await ctx.database.db.select().from(auditEvents).where(and(eq(auditEvents.organisationId, org.organisationId), eq(auditEvents.action, 'identity_provider.deleted')));
    expect(audit).toMatchObject({ actorId: org.admin.id, details: { issuer: idp.issuer } });
  });
});
