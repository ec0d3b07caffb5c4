import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/platform/auth';
import { buildApp } from '../../src/app';
import { bearer, problemOf, testConfig, useTestApp } from '../helpers/app';
import { seedApiKey, seedOrganisation, seedUser } from '../helpers/factories';

describe('bearer tokens', () => {
  const ctx = useTestApp();

  it.each([
    ['no Authorization header', undefined, 'auth.missing_token'],
    ['a Basic header', 'Basic dXNlcjpwYXNz', 'auth.malformed_token'],
    ['a bearer value we never issue', 'Bearer hello', 'auth.malformed_token'],
    ['a well-formed token that does not exist', `Bearer aidd_pat_${'A'.repeat(43)}`, 'auth.invalid_token'],
  ])('refuses %s with 401 and a WWW-Authenticate challenge', async (_label, header, code) => {
    const response = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: header ? { authorization: header } : {} });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(problemOf(response).code).toBe(code);
  });

  it('refuses a revoked personal token', async () => {
    const org = await seedOrganisation(ctx);
    const created = await ctx.app.inject({ method: 'POST', url: '/v1/me/tokens', headers: bearer(org.admin.token), payload: { name: 'laptop' } });
    const { personalToken, token } = created.json();
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    await ctx.app.inject({ method: 'POST', url: `/v1/me/tokens/${personalToken.id}/revoke`, headers: bearer(org.admin.token) });
    const after = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(problemOf(after).code).toBe('auth.invalid_token');
  });

  it('refuses an expired token once its expiry passes', async () => {
    const org = await seedOrganisation(ctx);
    const expiresAt = new Date(ctx.clock.now().getTime() + 60_000).toISOString();
    const { token } = (await ctx.app.inject({ method: 'POST', url: '/v1/me/tokens', headers: bearer(org.admin.token), payload: { name: 'short', expiresAt } })).json();
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    ctx.clock.advance(61_000);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode).toBe(401);
  });

  it('refuses the tokens of a deactivated user at once', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${officer.id}`, headers: bearer(org.admin.token), payload: { active: false } });
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(officer.token) })).statusCode).toBe(401);
  });

  it('refuses a revoked API key', async () => {
    const org = await seedOrganisation(ctx);
    const key = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.token) })).statusCode).toBe(200);
    await ctx.app.inject({ method: 'POST', url: `/v1/api-keys/${key.id}/revoke`, headers: bearer(org.admin.token) });
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.token) })).statusCode).toBe(401);
  });

  it('records when a token was last used, without writing on every request', async () => {
    const org = await seedOrganisation(ctx);
    const list = async () =>
      (await ctx.app.inject({ method: 'GET', url: '/v1/me/tokens', headers: bearer(org.admin.token) })).json().items[0].lastUsedAt;
    expect(await list()).toBe(ctx.clock.now().toISOString());
    const first = ctx.clock.now().toISOString();
    ctx.clock.advance(30_000);
    expect(await list()).toBe(first);
    ctx.clock.advance(31_000);
    expect(await list()).toBe(ctx.clock.now().toISOString());
  });
});

describe('with several instances of the service', () => {
  const ctx = useTestApp({ config: { AUTH_CACHE_TTL_MS: '5000' } });

  it('a token revoked on one instance stops working on another at once on PostgreSQL, else within AUTH_CACHE_TTL_MS', async () => {
    const other = await buildApp({ config: testConfig({ AUTH_CACHE_TTL_MS: '5000' }), database: ctx.database, now: () => ctx.clock.now(), logger: false });
    try {
      const org = await seedOrganisation(ctx);
      const key = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
      expect((await other.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.token) })).statusCode).toBe(200);
      await ctx.app.inject({ method: 'POST', url: `/v1/api-keys/${key.id}/revoke`, headers: bearer(org.admin.token) });
      expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.token) })).statusCode).toBe(401);
      if (ctx.database.kind === 'postgres') {
        // Told by the revoking instance (LISTEN/NOTIFY): test/platform/two-instances.test.ts times it.
        await expect.poll(async () => (await other.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.token) })).statusCode, { interval: 5, timeout: 5_000 }).toBe(401);
        return;
      }
      // Nothing tells the other instance: it remembers the key for at most the cache lifetime.
      ctx.clock.advance(4_000);
      expect((await other.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.token) })).statusCode).toBe(200);
      ctx.clock.advance(1_001);
      expect((await other.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.token) })).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('with AUTH_CACHE_TTL_MS=0 every request checks the database', async () => {
    const other = await buildApp({ config: testConfig({ AUTH_CACHE_TTL_MS: '0' }), database: ctx.database, now: () => ctx.clock.now(), logger: false });
    try {
      const org = await seedOrganisation(ctx);
      const key = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
      expect((await other.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.token) })).statusCode).toBe(200);
      await ctx.app.inject({ method: 'POST', url: `/v1/api-keys/${key.id}/revoke`, headers: bearer(org.admin.token) });
      expect((await other.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.token) })).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});

type Who = Role | 'key:scores:read' | 'key:audit:read';
const everyone: Who[] = ['admin', 'officer', 'evaluator', 'viewer', 'key:scores:read', 'key:audit:read'];

// Each route with the callers it admits; every other caller must get 403.
const routes: Array<{ name: string; method: 'GET' | 'POST' | 'PATCH'; url: (ids: { userId: string }) => string; payload?: object; allowed: Who[] }> = [
  { name: 'GET /v1/me', method: 'GET', url: () => '/v1/me', allowed: everyone },
  { name: 'GET /v1/users', method: 'GET', url: () => '/v1/users', allowed: ['admin'] },
  { name: 'POST /v1/users', method: 'POST', url: () => '/v1/users', payload: { email: 'new@example.gov.uk', name: 'New', role: 'viewer' }, allowed: ['admin'] },
  { name: 'GET /v1/users/{id}', method: 'GET', url: ({ userId }) => `/v1/users/${userId}`, allowed: ['admin'] },
  { name: 'PATCH /v1/users/{id}', method: 'PATCH', url: ({ userId }) => `/v1/users/${userId}`, payload: { name: 'Renamed' }, allowed: ['admin'] },
  { name: 'GET /v1/api-keys', method: 'GET', url: () => '/v1/api-keys', allowed: ['admin'] },
  { name: 'POST /v1/api-keys', method: 'POST', url: () => '/v1/api-keys', payload: { name: 'k', scopes: ['scores:read'] }, allowed: ['admin'] },
  { name: 'GET /v1/me/tokens', method: 'GET', url: () => '/v1/me/tokens', allowed: ['admin', 'officer', 'evaluator', 'viewer'] },
  { name: 'POST /v1/me/tokens', method: 'POST', url: () => '/v1/me/tokens', payload: { name: 't' }, allowed: ['admin', 'officer', 'evaluator', 'viewer'] },
  { name: 'GET /v1/audit-events', method: 'GET', url: () => '/v1/audit-events', allowed: ['admin', 'viewer', 'key:audit:read'] },
];

describe('what each role and scope may do', () => {
  const ctx = useTestApp();

  const cases = routes.flatMap((route) => everyone.map((who) => ({ ...route, who, expected: route.allowed.includes(who) ? 'allowed' : 'refused' })));

  it.each(cases)('$name as $who is $expected', async ({ method, url, payload, who, allowed }) => {
    const org = await seedOrganisation(ctx);
    const target = await seedUser(ctx, org, { role: 'viewer' });
    const token =
      who === 'key:scores:read'
        ? (await seedApiKey(ctx, org, { scopes: ['scores:read'] })).token
        : who === 'key:audit:read'
          ? (await seedApiKey(ctx, org, { scopes: ['audit:read'] })).token
          : who === 'admin'
            ? org.admin.token
            : (await seedUser(ctx, org, { role: who })).token;
    const response = await ctx.app.inject({ method, url: url({ userId: target.id }), headers: bearer(token), ...(payload ? { payload } : {}) });
    if (allowed.includes(who)) {
      expect(response.statusCode, response.body).toBeLessThan(300);
    } else {
      expect(response.statusCode).toBe(403);
      expect(problemOf(response).code).toMatch(/^auth\.(forbidden|user_required)$/);
    }
  });
});

describe('organisations never see each other', () => {
  const ctx = useTestApp();

  it("answers 404 for another organisation's user, API key and tokens", async () => {
    const mine = await seedOrganisation(ctx);
    const theirs = await seedOrganisation(ctx);
    const theirUser = await seedUser(ctx, theirs, { role: 'officer' });
    const theirKey = await seedApiKey(ctx, theirs, { scopes: ['scores:read'] });
    const theirPat = (await ctx.app.inject({ method: 'POST', url: '/v1/me/tokens', headers: bearer(theirUser.token), payload: { name: 'x' } })).json();

    const attempts = [
      ctx.app.inject({ method: 'GET', url: `/v1/users/${theirUser.id}`, headers: bearer(mine.admin.token) }),
      ctx.app.inject({ method: 'PATCH', url: `/v1/users/${theirUser.id}`, headers: bearer(mine.admin.token), payload: { active: false } }),
      ctx.app.inject({ method: 'POST', url: `/v1/api-keys/${theirKey.id}/revoke`, headers: bearer(mine.admin.token) }),
      ctx.app.inject({ method: 'POST', url: `/v1/me/tokens/${theirPat.personalToken.id}/revoke`, headers: bearer(mine.admin.token) }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(404);
    }
    // And nothing of theirs changed.
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(theirUser.token) })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(theirKey.token) })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(theirPat.token) })).statusCode).toBe(200);
  });

  it('lists only the caller organisation in users, keys and the audit log', async () => {
    const mine = await seedOrganisation(ctx);
    const theirs = await seedOrganisation(ctx);
    await seedUser(ctx, theirs, { role: 'officer' });
    await seedApiKey(ctx, theirs, { scopes: ['scores:read'] });
    const users = (await ctx.app.inject({ method: 'GET', url: '/v1/users', headers: bearer(mine.admin.token) })).json();
    expect(users.items.map((u: { id: string }) => u.id)).toEqual([mine.admin.id]);
    const keys = (await ctx.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(mine.admin.token) })).json();
    expect(keys.items).toEqual([]);
    const audit = (await ctx.app.inject({ method: 'GET', url: '/v1/audit-events', headers: bearer(mine.admin.token) })).json();
    expect(audit.items.every((e: { subject: { id: string }; details: { adminUserId?: string } }) => e.subject.id === mine.organisationId)).toBe(true);
    expect(audit.items).toHaveLength(1);
  });

  it("one user cannot revoke another user's personal token in the same organisation", async () => {
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const { personalToken } = (await ctx.app.inject({ method: 'POST', url: '/v1/me/tokens', headers: bearer(officer.token), payload: { name: 'x' } })).json();
    const response = await ctx.app.inject({ method: 'POST', url: `/v1/me/tokens/${personalToken.id}/revoke`, headers: bearer(org.admin.token) });
    expect(response.statusCode).toBe(404);
  });
});
