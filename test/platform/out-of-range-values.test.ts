import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../helpers/factories';
import { smallDefinition } from '../modules/questionnaires/fixtures';

// Found by the fuzz (test/fuzz): values that pass their schema but not the database column behind it
// were a 500 (PostgreSQL refused them) instead of a 4xx naming the field. ISO 8601 lets an offset carry
// an instant past the years a column holds (9999-12-31T23:59:59-12:00 is 10000-01-01 in UTC,
// 0000-01-01T00:00:00+01:00 is in year -1), and the audit log's cursor is a number for an int4 column.
const PAST_9999 = '9999-12-31T23:59:59-12:00';
const BEFORE_YEAR_1 = '0000-01-01T00:00:00+01:00';
const cursorAt = (at: string) => Buffer.from(JSON.stringify([at, '00000000-0000-4000-8000-000000000000'])).toString('base64url');
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

async function world(ctx: TestContext) {
  const org = await seedOrganisation(ctx);
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
  const questionnaireId = (await ctx.app.inject({ method: 'GET', url: `/v1/procurements/${procurementId}`, headers: bearer(org.admin.token) })).json().questionnaire.id as string;
  const draft = await ctx.app.inject({ method: 'POST', url: '/v1/procurements', headers: bearer(org.admin.token), payload: { title: 'Draft', questionnaireId, deadline: '2026-12-20T17:00:00Z', triage } });
  expect(draft.statusCode, draft.body).toBe(201);
  const answering = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
  const supplier = await seedInvitation(ctx, org, procurementId);
  const submitted = await ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/import', headers: bearer(supplier.token), payload: { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 12 } } } });
  expect(submitted.statusCode, submitted.body).toBe(200);
  expect((await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/submit', headers: bearer(supplier.token), payload: { declaration: true } })).statusCode).toBe(200);
  return { org, procurementId, questionnaireId, draftId: draft.json().id as string, answering, supplier };
}
type World = Awaited<ReturnType<typeof world>>;

type Case = { name: string; method: 'GET' | 'POST' | 'PATCH'; url: (w: World) => string; payload?: object | ((w: World) => object); status: number; code: string; path?: string; state?: (w: World) => string };

const CASES: Case[] = [
  { name: 'a personal token’s expiry', method: 'POST', url: () => '/v1/me/tokens', payload: { name: 'Far', expiresAt: PAST_9999 }, status: 422, code: 'request.validation_failed', path: '/body/expiresAt', state: () => '/v1/me/tokens' },
  { name: 'an API key’s expiry', method: 'POST', url: () => '/v1/api-keys', payload: { name: 'Far', scopes: ['scores:read'], expiresAt: PAST_9999 }, status: 422, code: 'request.validation_failed', path: '/body/expiresAt', state: () => '/v1/api-keys' },
  { name: 'a new procurement’s deadline', method: 'POST', url: () => '/v1/procurements', payload: (w) => ({ title: 'Far', questionnaireId: w.questionnaireId, deadline: PAST_9999 }), status: 422, code: 'request.validation_failed', path: '/body/deadline', state: () => '/v1/procurements' },
  { name: 'a draft procurement’s deadline changed', method: 'PATCH', url: (w) => `/v1/procurements/${w.draftId}`, payload: { deadline: PAST_9999 }, status: 422, code: 'request.validation_failed', path: '/body/deadline', state: (w) => `/v1/procurements/${w.draftId}` },
  { name: 'a supplier’s extended deadline', method: 'POST', url: (w) => `/v1/responses/${w.answering.responseId}/deadline-extension`, payload: { deadline: PAST_9999, reason: 'Asked' }, status: 422, code: 'request.validation_failed', path: '/body/deadline', state: (w) => `/v1/responses/${w.answering.responseId}` },
  { name: 'a clarification’s reply-by date', method: 'POST', url: (w) => `/v1/responses/${w.supplier.responseId}/clarifications`, payload: { questionKey: 'b.hours', question: 'Calendar hours?', replyBy: PAST_9999 }, status: 422, code: 'request.validation_failed', path: '/body/replyBy', state: (w) => `/v1/responses/${w.supplier.responseId}/clarifications` },
  { name: 'the scores feed’s updatedSince after year 9999', method: 'GET', url: () => `/v1/scores?updatedSince=${encodeURIComponent(PAST_9999)}`, status: 400, code: 'request.validation_failed', path: '/querystring/updatedSince' },
  { name: 'the scores feed’s updatedSince before year 1', method: 'GET', url: () => `/v1/scores?updatedSince=${encodeURIComponent(BEFORE_YEAR_1)}`, status: 400, code: 'request.validation_failed', path: '/querystring/updatedSince' },
  { name: 'a list cursor in year 0', method: 'GET', url: () => `/v1/users?cursor=${cursorAt('0000-01-01T00:00:00.000Z')}`, status: 400, code: 'pagination.invalid_cursor' },
  { name: 'the scores feed’s cursor in year 0', method: 'GET', url: () => `/v1/scores?cursor=${cursorAt('0000-01-01T00:00:00.000Z')}`, status: 400, code: 'pagination.invalid_cursor' },
  { name: 'the audit log’s cursor past the largest int4', method: 'GET', url: () => `/v1/audit-events?cursor=${Buffer.from('[2147483648]').toString('base64url')}`, status: 400, code: 'pagination.invalid_cursor' },
  { name: 'the audit log’s cursor at -2^53', method: 'GET', url: () => `/v1/audit-events?cursor=${Buffer.from('[-9007199254740991]').toString('base64url')}`, status: 400, code: 'pagination.invalid_cursor' },
];

describe('a value its column cannot hold: an instant outside the years 1 to 9999 (UTC), a cursor past int4', () => {
  const ctx = useTestApp();

  it.each(CASES)('in $name is a $status $code, and nothing changes', async (c) => {
    const w = await world(ctx);
    const read = async () => (c.state ? (await ctx.app.inject({ method: 'GET', url: c.state(w), headers: bearer(w.org.admin.token) })).json() : undefined);
    const before = await read();
    const response = await ctx.app.inject({ method: c.method, url: c.url(w), headers: bearer(w.org.admin.token), ...(c.payload ? { payload: typeof c.payload === 'function' ? c.payload(w) : c.payload } : {}) });
    expect(response.statusCode, response.body).toBe(c.status);
    const problem = problemOf(response);
    expect(problem.code).toBe(c.code);
    if (c.path) expect(problem.errors?.map((e) => e.path)).toEqual([c.path]);
    expect(await read()).toEqual(before);
  });

  it('still takes the last instant of year 9999 and the first of year 1, as UTC', async () => {
    const w = await world(ctx);
    const late = await ctx.app.inject({ method: 'POST', url: '/v1/me/tokens', headers: bearer(w.org.admin.token), payload: { name: 'Late', expiresAt: '9999-12-31T23:59:59Z' } });
    expect(late.statusCode, late.body).toBe(201);
    expect(late.json().personalToken.expiresAt).toBe('9999-12-31T23:59:59.000Z');
    const early = await ctx.app.inject({ method: 'GET', url: `/v1/scores?updatedSince=${encodeURIComponent('0001-01-01T00:00:00Z')}`, headers: bearer(w.org.admin.token) });
    expect(early.statusCode, early.body).toBe(200);
    expect(early.json().items).toHaveLength(1);
  });
});
