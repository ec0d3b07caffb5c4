import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../helpers/factories';
import { smallDefinition } from '../modules/questionnaires/fixtures';

const NUL = '\u0000';
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

/**
 * A council with an open procurement and two suppliers: Acme still answering (its free-text
 * answer is visible), Beta submitted with a clarification waiting for its reply.
 */
async function world(ctx: TestContext) {
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const org = await seedOrganisation(ctx);
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
  const acme = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
  expect((await call('PUT', '/v1/supplier/response/answers/a.training', acme.token, { value: 'opt_in' })).statusCode).toBe(200);
  const beta = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
  expect((await call('PUT', '/v1/supplier/response/import', beta.token, { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 12 } } })).statusCode).toBe(200);
  expect((await call('POST', '/v1/supplier/response/submit', beta.token, { declaration: true })).statusCode).toBe(200);
  const asked = await call('POST', `/v1/responses/${beta.responseId}/clarifications`, org.admin.token, { questionKey: 'b.hours', question: 'Working hours or calendar hours?' });
  expect(asked.statusCode, asked.body).toBe(201);
  return { org, procurementId, acme, beta, clarificationId: asked.json().id as string };
}
type World = Awaited<ReturnType<typeof world>>;

type Case = {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: (w: World) => string;
  token: (w: World) => string;
  payload?: object;
  headers?: Record<string, string>;
  path: string;
  /** A read whose answer must be the same before and after the refused request. */
  state: (w: World) => { url: string; token: string };
};

const supplierView = (w: World) => ({ url: '/v1/supplier/response', token: w.acme.token });
const invitations = (w: World) => ({ url: `/v1/procurements/${w.procurementId}/invitations`, token: w.org.admin.token });
const procurements = (w: World) => ({ url: '/v1/procurements', token: w.org.admin.token });
const users = (w: World) => ({ url: '/v1/users', token: w.org.admin.token });
const betaClarifications = (w: World) => ({ url: '/v1/supplier/response/clarifications', token: w.beta.token });

const CASES: Case[] = [
  { name: 'a supplier’s free-text answer', method: 'PUT', url: () => '/v1/supplier/response/answers/a.training_detail', token: (w) => w.acme.token, payload: { value: `We ask first.${NUL}` }, path: '/body/value', state: supplierView },
  { name: 'a supplier’s comment', method: 'PUT', url: () => '/v1/supplier/response/answers/a.training', token: (w) => w.acme.token, payload: { value: 'never', comment: `See${NUL}policy` }, path: '/body/comment', state: supplierView },
  {
    name: 'a supplier’s reason for confidentiality',
    method: 'PUT',
    url: () => '/v1/supplier/response/answers/a.training_detail',
    token: (w) => w.acme.token,
    payload: { value: 'We ask first.', confidential: true, confidentialReason: `${NUL}Trade secret` },
    path: '/body/confidentialReason',
    state: supplierView,
  },
  { name: 'an answer in a bulk save', method: 'PATCH', url: () => '/v1/supplier/response/answers', token: (w) => w.acme.token, payload: { answers: { 'a.training_detail': { value: `x${NUL}` } } }, path: '/body/answers/a.training_detail/value', state: supplierView },
  { name: 'an answer in an import', method: 'PUT', url: () => '/v1/supplier/response/import', token: (w) => w.acme.token, payload: { answers: { 'b.hours': { value: 4, comment: NUL } } }, path: '/body/answers/b.hours/comment', state: supplierView },
  { name: 'a procurement title', method: 'POST', url: () => '/v1/procurements', token: (w) => w.org.admin.token, payload: { title: `AI${NUL} chatbot`, questionnaireId: '00000000-0000-4000-8000-000000000000', deadline: '2026-12-10T17:00:00.000Z' }, path: '/body/title', state: procurements },
  { name: 'a procurement title changed', method: 'PATCH', url: (w) => `/v1/procurements/${w.procurementId}`, token: (w) => w.org.admin.token, payload: { title: `Renamed${NUL}` }, path: '/body/title', state: procurements },
  { name: 'an invited supplier’s name', method: 'POST', url: (w) => `/v1/procurements/${w.procurementId}/invitations`, token: (w) => w.org.admin.token, payload: { supplierName: `Gamma${NUL} Ltd`, contactEmail: 'bids@gamma.example' }, path: '/body/supplierName', state: invitations },
  { name: 'a user’s name', method: 'POST', url: () => '/v1/users', token: (w) => w.org.admin.token, payload: { email: 'new@example.gov.uk', name: `Nu${NUL}l`, role: 'viewer' }, path: '/body/name', state: users },
  {
    name: 'a clarification question',
    method: 'POST',
    url: (w) => `/v1/responses/${w.beta.responseId}/clarifications`,
    token: (w) => w.org.admin.token,
    payload: { questionKey: 'a.training', question: `Really${NUL}?` },
    path: '/body/question',
    state: betaClarifications,
  },
  { name: 'a supplier’s clarification reply', method: 'POST', url: (w) => `/v1/supplier/response/clarifications/${w.clarificationId}/reply`, token: (w) => w.beta.token, payload: { reply: `Calendar${NUL} hours` }, path: '/body/reply', state: betaClarifications },
  { name: 'a key of an answers object', method: 'PATCH', url: () => '/v1/supplier/response/answers', token: (w) => w.acme.token, payload: { answers: { [`b.hours${NUL}`]: { value: 4 } } }, path: '/body/answers/b.hours\\u0000', state: supplierView },
  { name: 'a query parameter', method: 'GET', url: () => '/v1/users?cursor=abc%00', token: (w) => w.org.admin.token, path: '/querystring/cursor', state: users },
  { name: 'a repeated query parameter', method: 'GET', url: () => '/v1/procurements?limit=5&cursor=a&cursor=%00', token: (w) => w.org.admin.token, path: '/querystring/cursor/1', state: procurements },
  {
    name: 'the Idempotency-Key header of a submission',
    method: 'POST',
    url: () => '/v1/supplier/response/submit',
    token: (w) => w.acme.token,
    payload: { declaration: true },
    headers: { 'idempotency-key': `retry${NUL}1` },
    path: '/headers/idempotency-key',
    state: supplierView,
  },
];

describe('a NUL character (U+0000) in any text the API reads', () => {
  const ctx = useTestApp();

  it.each(CASES)('in $name is refused with 422 and its path, and nothing is saved', async (c) => {
    const w = await world(ctx);
    const read = async () => {
      const { url, token } = c.state(w);
      const response = await ctx.app.inject({ method: 'GET', url, headers: bearer(token) });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };
    const before = await read();
    const response = await ctx.app.inject({ method: c.method, url: c.url(w), headers: { ...bearer(c.token(w)), ...c.headers }, ...(c.payload ? { payload: c.payload } : {}) });
    expect(response.statusCode, response.body).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe('request.validation_failed');
    expect(problem.errors).toEqual([{ path: c.path, message: 'Remove the NUL character (U+0000)', code: 'nul_character' }]);
    expect(problem.detail).toContain(c.path);
    expect(await read()).toEqual(before);
  });

  it('lists every field that holds one, at any depth, in the order they were sent', async () => {
    const w = await world(ctx);
    const response = await ctx.app.inject({
      method: 'PATCH',
      url: '/v1/supplier/response/answers',
      headers: bearer(w.acme.token),
      payload: { answers: { 'a.training_detail': { value: `one${NUL}`, comment: 'fine' }, 'a.training': { value: ['x', `two${NUL}`] } } },
    });
    expect(response.statusCode).toBe(422);
    expect(problemOf(response).errors!.map((e) => e.path)).toEqual(['/body/answers/a.training_detail/value', '/body/answers/a.training/value/1']);
  });

  it('still asks for a token first: an anonymous request is 401, not a validation error', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/v1/users', payload: { email: 'a@example.gov.uk', name: NUL, role: 'viewer' } });
    expect(response.statusCode).toBe(401);
  });

  it('leaves text without one alone: a tab, a line break and a non-Latin name are saved', async () => {
    const w = await world(ctx);
    const value = 'Opt-in\tby letter\r\nСогласие — 同意 🙂';
    const saved = await ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/answers/a.training_detail', headers: bearer(w.acme.token), payload: { value } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().answer.value).toBe(value);
  });
});
