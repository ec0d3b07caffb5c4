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

// Found by the fuzz (test/fuzz): a problem quoted every unknown key it was sent, whole (a 5,000-character
// key came back in full; 5,000 keys made a 108 KB answer), and a procurement's triage with 5,000 unknown
// answers listed each one (880 KB). A problem is short whatever the request held.
describe('a problem about a huge request stays short', () => {
  const ctx = useTestApp();
  const HUGE_KEY = `k${'x'.repeat(5_000)}`;
  const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

  it('quotes no more than the start of a 5,000-character unknown key', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(org.admin.token), payload: { email: 'a@example.gov.uk', name: 'A', role: 'viewer', [HUGE_KEY]: 1 } });
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.errors!.some((e) => e.message.startsWith('Unrecognized key'))).toBe(true);
    expect(response.body).not.toContain('x'.repeat(300));
    for (const e of problem.errors!) expect(e.message.length).toBeLessThanOrEqual(300);
  });

  it('answers 5,000 unknown keys in a few kilobytes', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(org.admin.token), payload: { email: 'a@example.gov.uk', name: 'A', role: 'viewer', ...manyKeys(5_000) } });
    expect(response.statusCode).toBe(422);
    expect(problemOf(response).code).toBe('request.validation_failed');
    expect(response.body.length).toBeLessThan(8 * 1024);
  });

  it('lists at most 200 of 5,000 bad triage answers, and says how many there are', async () => {
    const org = await seedOrganisation(ctx);
    const questionnaireId = ((await ctx.app.inject({ method: 'GET', url: '/v1/questionnaires?builtIn=true', headers: bearer(org.admin.token) })).json().items as Array<{ id: string; version: string }>).find((q) => q.version === '1.1.0')!.id;
    const response = await ctx.app.inject({ method: 'POST', url: '/v1/procurements', headers: bearer(org.admin.token), payload: { title: 'Chatbot', questionnaireId, deadline: '2026-12-20T17:00:00Z', triage: manyKeys(5_000) } });
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe('procurements.invalid_triage');
    expect(problem.errors).toHaveLength(200);
    expect(problem.errors![0]).toEqual({ path: '/body/triage/k0', message: '"k0" is not a triage question of this questionnaire' });
    expect(problem.detail).toMatch(/; and 4990 more$/);
    expect(response.body.length).toBeLessThan(64 * 1024);
  });
});
