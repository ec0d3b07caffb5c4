import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../../src/platform/db';
import { bearer, problemOf, useTestApp } from '../../helpers/app';
import { seedOrganisation, seedUser } from '../../helpers/factories';

describe('managing users', () => {
  const ctx = useTestApp();

  it('an admin adds a user, who gets a working first token with their role', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: bearer(org.admin.token),
      payload: { email: ' Sam.Officer@Example.gov.uk ', name: 'Sam Officer', role: 'officer' },
    });
    expect(response.statusCode).toBe(201);
    const { user, token } = response.json();
    expect(user).toMatchObject({ email: 'sam.officer@example.gov.uk', role: 'officer', active: true });
    const me = (await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).json();
    expect(me.user).toMatchObject({ id: user.id, role: 'officer' });
  });

  it('refuses a second user with the same email in any letter case', async () => {
    const org = await seedOrganisation(ctx);
    const add = (email: string) => ctx.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(org.admin.token), payload: { email, name: 'X', role: 'viewer' } });
    expect((await add('dup@example.gov.uk')).statusCode).toBe(201);
    const again = await add('DUP@example.gov.uk');
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).code).toBe('accounts.email_taken');
  });

  it('changes a role, and the change applies to the user’s existing tokens at once', async () => {
    const org = await seedOrganisation(ctx);
    const viewer = await seedUser(ctx, org, { role: 'viewer' });
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/users', headers: bearer(viewer.token) })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(viewer.token) })).json().user.role).toBe('viewer');
    const changed = await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${viewer.id}`, headers: bearer(org.admin.token), payload: { role: 'admin' } });
    expect(changed.json().role).toBe('admin');
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(viewer.token) })).json().user.role).toBe('admin');
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/users', headers: bearer(viewer.token) })).statusCode).toBe(200);
  });

  it.each([
    ['demoted', { role: 'officer' }],
    ['deactivated', { active: false }],
  ])('the last active admin cannot be %s', async (_label, payload) => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${org.admin.id}`, headers: bearer(org.admin.token), payload });
    expect(response.statusCode).toBe(409);
    expect(problemOf(response).code).toBe('accounts.last_admin');
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(org.admin.token) })).json().user.role).toBe('admin');
  });

  it('two admins demoting each other at once leave one admin standing', async () => {
    const org = await seedOrganisation(ctx);
    const second = await seedUser(ctx, org, { role: 'admin' });
    const [a, b] = await Promise.all([
      ctx.app.inject({ method: 'PATCH', url: `/v1/users/${second.id}`, headers: bearer(org.admin.token), payload: { role: 'viewer' } }),
      ctx.app.inject({ method: 'PATCH', url: `/v1/users/${org.admin.id}`, headers: bearer(second.token), payload: { role: 'viewer' } }),
    ]);
    const codes = [a.statusCode, b.statusCode].sort();
    // Either the second request is refused as last admin, or it was made by someone no longer an admin.
    expect(codes[0]).toBe(200);
    expect([403, 409]).toContain(codes[1]);
    const admins = await queryRows<{ n: number }>(ctx.database.db, sql`select count(*)::int as n from users where role = 'admin' and active`);
    expect(admins[0]!.n).toBe(1);
  });

  it('an empty change is refused', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${org.admin.id}`, headers: bearer(org.admin.token), payload: {} });
    expect(response.statusCode).toBe(422);
  });
});

describe('API keys and personal tokens', () => {
  const ctx = useTestApp();

  it('creates an API key shown once, stored only as a hash, listed without the secret', async () => {
    const org = await seedOrganisation(ctx);
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(org.admin.token),
      payload: { name: 'Contract system', scopes: ['scores:read', 'procurements:read'] },
    });
    expect(created.statusCode).toBe(201);
    const { apiKey, token } = created.json();
    expect(token).toMatch(/^aidd_key_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.scopes).toEqual(['procurements:read', 'scores:read']);

    const listed = await ctx.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(org.admin.token) });
    expect(listed.body).not.toContain(token);
    expect(listed.json().items[0]).toMatchObject({ id: apiKey.id, revokedAt: null });

    const stored = await queryRows<Record<string, unknown>>(ctx.database.db, sql`select * from access_tokens`);
    expect(JSON.stringify(stored)).not.toContain(token.slice(9));

    const me = (await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).json();
    expect(me).toMatchObject({ kind: 'api_key', apiKey: { id: apiKey.id, scopes: ['procurements:read', 'scores:read'] }, organisation: { id: org.organisationId } });
  });

  it('revoking is idempotent and shows when it happened', async () => {
    const org = await seedOrganisation(ctx);
    const { apiKey } = (await ctx.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(org.admin.token), payload: { name: 'k', scopes: ['scores:read'] } })).json();
    const first = (await ctx.app.inject({ method: 'POST', url: `/v1/api-keys/${apiKey.id}/revoke`, headers: bearer(org.admin.token) })).json();
    ctx.clock.advance(5000);
    const second = (await ctx.app.inject({ method: 'POST', url: `/v1/api-keys/${apiKey.id}/revoke`, headers: bearer(org.admin.token) })).json();
    expect(first.revokedAt).toBe('2026-11-26T12:00:00.000Z');
    expect(second.revokedAt).toBe(first.revokedAt);
    const actions = (await ctx.app.inject({ method: 'GET', url: '/v1/audit-events', headers: bearer(org.admin.token) })).json().items.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'api_key.revoked')).toHaveLength(1);
  });

  it('refuses an API key with no scopes, an unknown scope or a past expiry', async () => {
    const org = await seedOrganisation(ctx);
    const post = (payload: object) => ctx.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(org.admin.token), payload });
    expect((await post({ name: 'k', scopes: [] })).statusCode).toBe(422);
    expect((await post({ name: 'k', scopes: ['everything'] })).statusCode).toBe(422);
    const past = await post({ name: 'k', scopes: ['scores:read'], expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(422);
    expect(problemOf(past).code).toBe('accounts.expiry_in_past');
  });

  it('an API key cannot manage tokens as if it were a user', async () => {
    const org = await seedOrganisation(ctx);
    const { token } = (await ctx.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(org.admin.token), payload: { name: 'k', scopes: ['scores:read'] } })).json();
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/me/tokens', headers: bearer(token), payload: { name: 'x' } })).statusCode).toBe(403);
  });

  it('a user lists only their own personal tokens', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    await ctx.app.inject({ method: 'POST', url: '/v1/me/tokens', headers: bearer(officer.token), payload: { name: 'cli' } });
    const mine = (await ctx.app.inject({ method: 'GET', url: '/v1/me/tokens', headers: bearer(officer.token) })).json();
    expect(mine.items.map((t: { name: string }) => t.name).sort()).toEqual(['First token', 'cli']);
    const admins = (await ctx.app.inject({ method: 'GET', url: '/v1/me/tokens', headers: bearer(org.admin.token) })).json();
    expect(admins.items.map((t: { name: string }) => t.name)).toEqual(['First token']);
  });
});

describe('lists', () => {
  const ctx = useTestApp();

  it('walks every user exactly once, page by page, with opaque cursors', async () => {
    const org = await seedOrganisation(ctx);
    const ids = [org.admin.id];
    for (let i = 0; i < 6; i += 1) ids.push((await seedUser(ctx, org, { role: 'viewer' })).id); // same timestamp: the id breaks ties
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/users?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = (await ctx.app.inject({ method: 'GET', url, headers: bearer(org.admin.token) })).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((u: { id: string }) => u.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen.sort()).toEqual(ids.sort());
  });

  it.each([
    ['limit=0', 400],
    ['limit=101', 400],
    ['limit=abc', 400],
    ['cursor=not-a-cursor', 400],
    [`cursor=${Buffer.from('["2026-01-01T00:00:00.000Z","x"]').toString('base64url')}`, 400],
  ])('refuses %s with a 400 problem', async (query, status) => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({ method: 'GET', url: `/v1/users?${query}`, headers: bearer(org.admin.token) });
    expect(response.statusCode).toBe(status);
    expect(problemOf(response).code).toMatch(/^(request\.validation_failed|pagination\.invalid_cursor)$/);
  });
});
