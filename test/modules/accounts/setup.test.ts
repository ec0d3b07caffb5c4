import { describe, expect, it } from 'vitest';
import { TEST_SETUP_TOKEN, bearer, problemOf, useTestApp } from '../../helpers/app';
import { buildApp } from '../../../src/app';
import { testConfig } from '../../helpers/app';

const body = { organisationName: 'Example Borough Council', adminEmail: 'Lead@Example.gov.uk', adminName: 'Priya Lead' };

describe('first-run setup', () => {
  const ctx = useTestApp();

  const setup = (token: string | undefined, payload: object = body) =>
    ctx.app.inject({ method: 'POST', url: '/v1/setup', headers: token ? { 'x-setup-token': token } : {}, payload });

  it('creates the organisation and its admin, whose token then works', async () => {
    const response = await setup(TEST_SETUP_TOKEN);
    expect(response.statusCode).toBe(201);
    const result = response.json();
    expect(result.organisation.name).toBe('Example Borough Council');
    expect(result.user).toMatchObject({ email: 'lead@example.gov.uk', role: 'admin', active: true });
    expect(result.token).toMatch(/^aidd_pat_[A-Za-z0-9_-]{43}$/);

    const me = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(result.token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'user', user: { id: result.user.id }, organisation: { id: result.organisation.id } });
  });

  it('works once only: afterwards it answers 409 even with the right token', async () => {
    expect((await setup(TEST_SETUP_TOKEN)).statusCode).toBe(201);
    const again = await setup(TEST_SETUP_TOKEN, { ...body, organisationName: 'Second' });
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).code).toBe('setup.already_done');
  });

  it.each([
    ['missing', undefined],
    ['wrong', 'not-the-setup-token-at-all'],
  ])('refuses a %s setup token with 401 and creates nothing', async (_label, token) => {
    const response = await setup(token);
    expect(response.statusCode).toBe(401);
    expect(problemOf(response).code).toBe('setup.invalid_token');
    expect((await setup(TEST_SETUP_TOKEN)).statusCode).toBe(201);
  });

  it('lets exactly one of several simultaneous setups win', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, (_, i) => setup(TEST_SETUP_TOKEN, { ...body, organisationName: `Council ${i}` })));
    const codes = responses.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 409, 409, 409, 409]);
  });

  it('validates the body and lists each bad field', async () => {
    const response = await setup(TEST_SETUP_TOKEN, { organisationName: '', adminEmail: 'not-an-email' });
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe('request.validation_failed');
    expect(problem.errors!.map((e) => e.path).sort()).toEqual(['/body/adminEmail', '/body/adminName', '/body/organisationName']);
  });

  it('is disabled on an instance started without any setup token', async () => {
    const config = { ...testConfig(), setupToken: undefined };
    const app = await buildApp({ config, database: ctx.database, logger: false });
    const response = await app.inject({ method: 'POST', url: '/v1/setup', headers: { 'x-setup-token': 'anything-at-all-here' }, payload: body });
    expect(response.statusCode).toBe(403);
    expect(problemOf(response).code).toBe('setup.disabled');
    await app.close();
  });
});
