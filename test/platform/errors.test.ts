import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { bearer, problemOf, testConfig, useTestApp } from '../helpers/app';
import { createTestDatabase } from '../helpers/db';
import { seedOrganisation } from '../helpers/factories';

describe('errors are problem+json with a stable code', () => {
  const ctx = useTestApp({ config: { BODY_LIMIT_BYTES: '2048' } });

  it('bad JSON is a 400 request.malformed_json', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: { ...bearer(org.admin.token), 'content-type': 'application/json' },
      payload: '{"email": "a@b.gov.uk",',
    });
    expect(response.statusCode).toBe(400);
    const problem = problemOf(response);
    expect(problem).toMatchObject({ status: 400, code: 'request.malformed_json', type: 'urn:problem-type:request.malformed_json' });
  });

  it('a content type the endpoint does not take is a 415', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: { ...bearer(org.admin.token), 'content-type': 'application/xml' },
      payload: '<user/>',
    });
    expect(response.statusCode).toBe(415);
    expect(problemOf(response).code).toBe('request.unsupported_media_type');
  });

  it('a body over the limit is a 413 and nothing is created', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: bearer(org.admin.token),
      payload: { email: 'big@example.gov.uk', name: 'x'.repeat(3000), role: 'viewer' },
    });
    expect(response.statusCode).toBe(413);
    expect(problemOf(response).code).toBe('request.body_too_large');
    const users = (await ctx.app.inject({ method: 'GET', url: '/v1/users', headers: bearer(org.admin.token) })).json();
    expect(users.items).toHaveLength(1);
  });

  it('validation errors list every field with its path', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: bearer(org.admin.token),
      payload: { email: 'nope', name: '', role: 'superuser', extra: true },
    });
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe('request.validation_failed');
    const paths = problem.errors!.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/body/email', '/body/name', '/body/role']));
    expect(problem.errors!.some((e) => e.message.includes('extra'))).toBe(true);
  });

  it('a malformed id in the path is a 400, not a database error', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({ method: 'GET', url: '/v1/users/not-a-uuid', headers: bearer(org.admin.token) });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors![0]!.path).toBe('/params/id');
  });

  it('an unknown route is a problem+json 404', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(problemOf(response).code).toBe('route.not_found');
  });

  it('every response carries security headers and a request id', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('authenticated responses are not cached', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(org.admin.token) });
    expect(response.headers['cache-control']).toBe('no-store');
  });
});

describe('a server-side failure', () => {
  it('answers 500 problem+json without showing what went wrong inside', async () => {
    const testDb = await createTestDatabase();
    const app = await buildApp({ config: testConfig(), database: testDb.database, logger: false });
    const response0 = await app.inject({ method: 'POST', url: '/v1/setup', headers: { 'x-setup-token': testConfig().setupToken! }, payload: { organisationName: 'C', adminEmail: 'a@b.gov.uk', adminName: 'A' } });
    const token = response0.json().token;
    // Break the schema under the running app: the next query fails inside the database.
    await testDb.database.db.execute('alter table users rename to users_gone' as never);
    const response = await app.inject({ method: 'GET', url: '/v1/users', headers: bearer(token) });
    expect(response.statusCode).toBe(500);
    const problem = problemOf(response);
    expect(problem.code).toBe('internal_error');
    expect(response.body).not.toMatch(/users_gone|relation|does not exist|at .*\.ts/);
    await app.close();
    await testDb.close();
  });
});

describe('the global rate limit', () => {
  const ctx = useTestApp({ config: { RATE_LIMIT_PER_MINUTE: '3' } });

  it('answers 429 problem+json with Retry-After past the limit', async () => {
    const responses = [];
    for (let i = 0; i < 4; i += 1) responses.push(await ctx.app.inject({ method: 'GET', url: '/v1/me' }));
    expect(responses.slice(0, 3).map((r) => r.statusCode)).toEqual([401, 401, 401]);
    expect(responses[3]!.statusCode).toBe(429);
    expect(responses[3]!.headers['retry-after']).toBeDefined();
    expect(problemOf(responses[3]!).code).toBe('request.rate_limited');
  });
});
