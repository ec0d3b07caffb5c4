import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { bearer, problemOf, TEST_SETUP_TOKEN, useTestApp, type TestContext } from '../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../helpers/factories';
import { readPage } from '../helpers/web';
import { smallDefinition } from '../modules/questionnaires/fixtures';

// The limiter's windows run on the app's clock, so these tests move time instead of waiting for it.
// Each test calls from its own addresses (198.51.100.0/24 is for documentation): counters live as long as the app.

const madeUpToken = (kind: 'pat' | 'key' | 'inv' = 'pat') => `aidd_${kind}_${randomBytes(32).toString('base64url')}`;

const me = (ctx: TestContext, remoteAddress: string, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'GET', url: '/v1/me', remoteAddress, headers });

const setup = (ctx: TestContext, remoteAddress: string, token: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/setup',
    remoteAddress,
    headers: { 'x-setup-token': token },
    payload: { organisationName: 'Exampleshire County Council', adminEmail: 'admin@exampleshire.gov.uk', adminName: 'Ada Admin' },
  });

const openLink = (ctx: TestContext, remoteAddress: string, token: string) => ctx.app.inject({ method: 'GET', url: `/respond/${token}`, remoteAddress });

const headersOf = (response: LightMyRequestResponse) => ({
  limit: response.headers['ratelimit-limit'],
  remaining: response.headers['ratelimit-remaining'],
  reset: response.headers['ratelimit-reset'],
  retryAfter: response.headers['retry-after'],
});

async function times(count: number, call: (i: number) => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse[]> {
  const responses: LightMyRequestResponse[] = [];
  for (let i = 0; i < count; i += 1) responses.push(await call(i));
  return responses;
}

describe('failed authentications are limited per address', () => {
  const ctx = useTestApp({ config: { AUTH_FAILURE_LIMIT_PER_MINUTE: '5' } });

  it('a different made-up token on every request is refused with 429 once the address has failed too often', async () => {
    const responses = await times(12, () => me(ctx, '198.51.100.1', bearer(madeUpToken())));
    expect(responses.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    expect(problemOf(responses[0]!).code).toBe('auth.invalid_token');
    const refused = responses[11]!;
    expect(problemOf(refused)).toMatchObject({ status: 429, code: 'request.rate_limited' });
    expect(headersOf(refused)).toEqual({ limit: '5', remaining: '0', reset: '60', retryAfter: '60' });
  });

  it('every kind of failed authentication counts: no token, a malformed one, an unknown one', async () => {
    const kinds: Record<string, string>[] = [{}, { authorization: 'Basic dXNlcjpwYXNz' }, bearer('not-one-of-ours'), bearer(madeUpToken('key')), bearer(madeUpToken('inv'))];
    const responses = await times(kinds.length, (i) => me(ctx, '198.51.100.2', kinds[i]!));
    expect(responses.map((r) => problemOf(r).code)).toEqual(['auth.missing_token', 'auth.malformed_token', 'auth.malformed_token', 'auth.invalid_token', 'auth.invalid_token']);
    // The failed-authentication allowance, counting down, on every 401.
    expect(responses.map((r) => headersOf(r).remaining)).toEqual(['4', '3', '2', '1', '0']);
    expect((await me(ctx, '198.51.100.2')).statusCode).toBe(429);
  });

  it('keeps a locked address locked even for a valid token until the window has passed, and locks no other address', async () => {
    const org = await seedOrganisation(ctx);
    await times(5, () => me(ctx, '198.51.100.3', bearer(madeUpToken())));

    ctx.clock.advance(20_000);
    const locked = await me(ctx, '198.51.100.3', bearer(org.admin.token));
    expect(locked.statusCode).toBe(429);
    expect(problemOf(locked).code).toBe('request.rate_limited');
    expect(headersOf(locked).retryAfter).toBe('40');

    // The same user from another address is not caught by the lock, and its allowance is its own.
    const elsewhere = await me(ctx, '198.51.100.4', bearer(org.admin.token));
    expect(elsewhere.statusCode).toBe(200);
    expect(headersOf(elsewhere)).toMatchObject({ limit: '100000', remaining: '99999' });

    ctx.clock.advance(40_000);
    expect((await me(ctx, '198.51.100.3', bearer(org.admin.token))).statusCode).toBe(200);
  });

  it('counts a wrong setup token as a failed authentication, and a correct one from the locked address stays refused', async () => {
    const guesses = await times(6, () => setup(ctx, '198.51.100.5', `guess-${randomBytes(12).toString('hex')}`));
    expect(guesses.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401, 429]);
    expect(problemOf(guesses[0]!).code).toBe('setup.invalid_token');
    expect(problemOf(guesses[5]!).code).toBe('request.rate_limited');

    // Once locked, the address is refused before the token is even compared: a lucky guess reveals nothing.
    const correct = await setup(ctx, '198.51.100.5', TEST_SETUP_TOKEN);
    expect(correct.statusCode).toBe(429);
    expect(headersOf(correct).retryAfter).toBe('60');
    expect((await setup(ctx, '198.51.100.6', TEST_SETUP_TOKEN)).statusCode).toBe(201);
  });

  it('answers supplier link guessing with the HTML page, and the lock covers the API too', async () => {
    const guesses = await times(6, () => openLink(ctx, '198.51.100.7', madeUpToken('inv')));
    expect(guesses.slice(0, 5).map((r) => r.statusCode)).toEqual([404, 404, 404, 404, 404]);
    expect(readPage(guesses[0]!.body).h1).toEqual(['This link does not work']);

    const refused = guesses[5]!;
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(headersOf(refused).retryAfter).toBe('60');
    const page = readPage(refused.body);
    expect(page.h1).toEqual(['Too many attempts']);
    expect(page.text).toContain('Try again in 1 minute.');

    // One counter per address, whatever was guessed.
    const api = await me(ctx, '198.51.100.7', bearer(madeUpToken()));
    expect(api.statusCode).toBe(429);
    expect(problemOf(api).code).toBe('request.rate_limited');
  });
});

describe('the request limit is per principal, and per address for everyone else', () => {
  const ctx = useTestApp({ config: { RATE_LIMIT_PER_MINUTE: '3' } });

  it('counts made-up tokens against the address, not a fresh allowance for each token', async () => {
    const responses = await times(5, () => me(ctx, '198.51.100.20', bearer(madeUpToken())));
    expect(responses.map((r) => r.statusCode)).toEqual([401, 401, 401, 429, 429]);
    expect(problemOf(responses[3]!).code).toBe('request.rate_limited');
  });

  it('gives two users behind one address an allowance each, apart from the address', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });

    const admin = await times(4, () => me(ctx, '198.51.100.21', bearer(org.admin.token)));
    expect(admin.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
    const colleague = await times(3, () => me(ctx, '198.51.100.21', bearer(officer.token)));
    expect(colleague.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    // The address itself, unauthenticated, has not been charged for either.
    expect((await me(ctx, '198.51.100.21')).statusCode).toBe(401);
  });

  it('does not let bad tokens sent from elsewhere use up a valid token’s allowance', async () => {
    const org = await seedOrganisation(ctx);
    await times(5, () => me(ctx, '198.51.100.22', bearer(madeUpToken())));
    const valid = await times(3, () => me(ctx, '198.51.100.23', bearer(org.admin.token)));
    expect(valid.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(valid.map((r) => headersOf(r).remaining)).toEqual(['2', '1', '0']);
  });

  it('counts a request the principal may not make (403) against that principal, not its address', async () => {
    const org = await seedOrganisation(ctx);
    const viewer = await seedUser(ctx, org, { role: 'viewer' });
    const forbidden = await ctx.app.inject({ method: 'GET', url: '/v1/api-keys', remoteAddress: '198.51.100.25', headers: bearer(viewer.token) });
    expect(forbidden.statusCode).toBe(403);
    expect(headersOf(forbidden)).toMatchObject({ limit: '3', remaining: '2' });
    expect(headersOf(await me(ctx, '198.51.100.25', bearer(viewer.token)))).toMatchObject({ remaining: '1' });
    expect(headersOf(await me(ctx, '198.51.100.25'))).toMatchObject({ remaining: '2' });
  });

  it('sends RateLimit-Limit, -Remaining and -Reset on every answer, and Retry-After with the 429', async () => {
    const org = await seedOrganisation(ctx);
    const first = await me(ctx, '198.51.100.24', bearer(org.admin.token));
    expect(headersOf(first)).toEqual({ limit: '3', remaining: '2', reset: '60', retryAfter: undefined });
    ctx.clock.advance(15_000);
    const second = await me(ctx, '198.51.100.24', bearer(org.admin.token));
    expect(headersOf(second)).toEqual({ limit: '3', remaining: '1', reset: '45', retryAfter: undefined });
    await me(ctx, '198.51.100.24', bearer(org.admin.token));

    const refused = await me(ctx, '198.51.100.24', bearer(org.admin.token));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(refused)).toMatchObject({ status: 429, code: 'request.rate_limited', title: 'Too many requests' });
    expect(headersOf(refused)).toEqual({ limit: '3', remaining: '0', reset: '45', retryAfter: '45' });

    // A new window, a full allowance.
    ctx.clock.advance(45_000);
    expect(headersOf(await me(ctx, '198.51.100.24', bearer(org.admin.token)))).toMatchObject({ remaining: '2', reset: '60' });
  });
});

describe('setup and invitation links have a tighter limit per address', () => {
  const ctx = useTestApp({ config: { SETUP_LIMIT_PER_MINUTE: '3', LINK_OPEN_LIMIT_PER_MINUTE: '3' } });

  it('limits calls to setup per address, right or wrong', async () => {
    const calls = await times(3, () => setup(ctx, '198.51.100.40', 'not-the-setup-token'));
    expect(calls.map((r) => r.statusCode)).toEqual([401, 401, 401]);
    expect(calls.map((r) => headersOf(r).limit)).toEqual(['3', '3', '3']);
    const refused = await setup(ctx, '198.51.100.40', TEST_SETUP_TOKEN);
    expect(refused.statusCode).toBe(429);
    expect(problemOf(refused).code).toBe('request.rate_limited');
    expect((await setup(ctx, '198.51.100.41', TEST_SETUP_TOKEN)).statusCode).toBe(201);
  });

  it('limits opening supplier links per address, valid links included', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
    const invitation = await seedInvitation(ctx, org, procurementId);

    const opened = await times(4, () => openLink(ctx, '198.51.100.42', invitation.token));
    expect(opened.map((r) => r.statusCode)).toEqual([303, 303, 303, 429]);
    expect(readPage(opened[3]!.body).h1).toEqual(['Too many attempts']);
    expect((await openLink(ctx, '198.51.100.43', invitation.token)).statusCode).toBe(303);
  });
});
