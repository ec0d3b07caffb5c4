import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../../helpers/factories';
import { multipart } from '../../helpers/multipart';
import { evidenceDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

type Request = { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: object; multipart?: boolean };

/**
 * Two councils; council A has a procurement with suppliers A1 (submitted, with evidence and a
 * clarification) and A2. Every endpoint of the procurement, invitation and supplier APIs is then
 * called by someone who must not reach A1's data.
 */
async function world(ctx: TestContext) {
  const councilA = await seedOrganisation(ctx);
  const councilB = await seedOrganisation(ctx);
  const procurementId = await seedOpenProcurement(ctx, councilA, { definition: evidenceDefinition(), triage });
  const a1 = await seedInvitation(ctx, councilA, procurementId, { supplierName: 'A1' });
  ctx.clock.advance(1000);
  const a2 = await seedInvitation(ctx, councilA, procurementId, { supplierName: 'A2' });
  const as = (token: string, r: Request) => send(ctx, token, r);

  for (const [key, value] of [['a.training', 'never'], ['b.hours', 8]] as const) await as(a1.token, { method: 'PUT', url: `/v1/supplier/response/answers/${key}`, payload: { value } });
  const evidenceIds: string[] = [];
  for (const questionKey of ['b.hours', 'b.policy']) {
    const body = multipart({ fields: { questionKey }, files: [{ filename: 'e.pdf', bytes: pdf }] });
    const uploaded = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(a1.token), ...body.headers }, payload: body.payload });
    evidenceIds.push(uploaded.json().evidence.id);
  }
  const submitted = await as(a1.token, { method: 'POST', url: '/v1/supplier/response/submit', payload: { declaration: true } });
  expect(submitted.statusCode, submitted.body).toBe(200);
  const clarification = (await as(councilA.admin.token, { method: 'POST', url: `/v1/responses/${a1.responseId}/clarifications`, payload: { questionKey: 'b.hours', question: 'Why?' } })).json();
  return { councilA, councilB, procurementId, a1, a2, evidenceId: evidenceIds[0]!, clarificationId: clarification.id as string };
}

function send(ctx: TestContext, token: string, r: Request) {
  if (r.multipart) {
    const body = multipart({ fields: { questionKey: 'b.policy' }, files: [{ filename: 'e.pdf', bytes: pdf }] });
    return ctx.app.inject({ method: r.method, url: r.url, headers: { ...bearer(token), ...body.headers }, payload: body.payload });
  }
  return ctx.app.inject({ method: r.method, url: r.url, headers: bearer(token), ...(r.payload ? { payload: r.payload } : {}) });
}

type World = Awaited<ReturnType<typeof world>>;

/** Council-side endpoints that name one of council A's objects. */
const officerEndpoints = (w: World): Request[] => [
  { method: 'GET', url: `/v1/procurements/${w.procurementId}` },
  { method: 'PATCH', url: `/v1/procurements/${w.procurementId}`, payload: { title: 'Taken over' } },
  { method: 'POST', url: `/v1/procurements/${w.procurementId}/close` },
  { method: 'POST', url: `/v1/procurements/${w.procurementId}/cancel` },
  { method: 'GET', url: `/v1/procurements/${w.procurementId}/invitations` },
  { method: 'POST', url: `/v1/procurements/${w.procurementId}/invitations`, payload: { supplierName: 'Intruder', contactEmail: 'x@example.com' } },
  { method: 'POST', url: `/v1/invitations/${w.a2.id}/revoke` },
  { method: 'POST', url: `/v1/invitations/${w.a2.id}/resend` },
  { method: 'POST', url: `/v1/invitations/${w.a2.id}/remind` },
  { method: 'GET', url: `/v1/procurements/${w.procurementId}/responses` },
  { method: 'GET', url: `/v1/responses/${w.a1.responseId}` },
  { method: 'GET', url: `/v1/responses/${w.a1.responseId}/evidence/${w.evidenceId}` },
  { method: 'POST', url: `/v1/responses/${w.a2.responseId}/deadline-extension`, payload: { deadline: '2026-12-20T17:00:00Z', reason: 'x' } },
  { method: 'GET', url: `/v1/responses/${w.a1.responseId}/clarifications` },
  { method: 'POST', url: `/v1/responses/${w.a1.responseId}/clarifications`, payload: { questionKey: 'b.hours', question: 'x' } },
];

/** Supplier endpoints that name one of supplier A1's objects. */
const supplierObjectEndpoints = (w: World): Request[] => [
  { method: 'GET', url: `/v1/supplier/response/evidence/${w.evidenceId}` },
  { method: 'DELETE', url: `/v1/supplier/response/evidence/${w.evidenceId}` },
  { method: 'GET', url: `/v1/supplier/response/clarifications/${w.clarificationId}` },
  { method: 'POST', url: `/v1/supplier/response/clarifications/${w.clarificationId}/reply`, payload: { reply: 'Not mine' } },
];

/** Every supplier endpoint. */
const supplierEndpoints = (w: World): Request[] => [
  { method: 'GET', url: '/v1/supplier/response' },
  { method: 'PUT', url: '/v1/supplier/response/answers/a.training', payload: { value: 'never' } },
  { method: 'PATCH', url: '/v1/supplier/response/answers', payload: { answers: { 'a.training': { value: 'never' } } } },
  { method: 'DELETE', url: '/v1/supplier/response/answers/a.training' },
  { method: 'GET', url: '/v1/supplier/response/export' },
  { method: 'PUT', url: '/v1/supplier/response/import', payload: { answers: {} } },
  { method: 'POST', url: '/v1/supplier/response/evidence', multipart: true },
  { method: 'GET', url: '/v1/supplier/response/evidence' },
  { method: 'POST', url: '/v1/supplier/response/submit', payload: { declaration: true } },
  { method: 'POST', url: '/v1/supplier/response/withdraw' },
  { method: 'GET', url: '/v1/supplier/response/clarifications' },
  ...supplierObjectEndpoints(w),
];

const describeRequest = (r: Request) => `${r.method} ${r.url.replace(/[0-9a-f-]{36}/g, ':id')}`;

describe('isolation: nobody reaches another council’s or another supplier’s data', () => {
  const ctx = useTestApp();

  it('gives another council 404 on every council-side endpoint, and changes nothing', async () => {
    const w = await world(ctx);
    for (const request of officerEndpoints(w)) {
      const response = await send(ctx, w.councilB.admin.token, request);
      expect([describeRequest(request), response.statusCode]).toEqual([describeRequest(request), 404]);
    }
    const procurement = (await send(ctx, w.councilA.admin.token, { method: 'GET', url: `/v1/procurements/${w.procurementId}` })).json();
    expect(procurement).toMatchObject({ status: 'open', title: 'AI chatbot' });
    expect((await send(ctx, w.councilA.admin.token, { method: 'GET', url: `/v1/procurements/${w.procurementId}/invitations` })).json().items).toHaveLength(2);
  });

  it('gives supplier A2 404 for every one of A1’s evidence files and clarifications', async () => {
    const w = await world(ctx);
    for (const request of supplierObjectEndpoints(w)) {
      const response = await send(ctx, w.a2.token, request);
      expect([describeRequest(request), response.statusCode]).toEqual([describeRequest(request), 404]);
    }
    // A2's own view shows only its own response.
    const own = (await send(ctx, w.a2.token, { method: 'GET', url: '/v1/supplier/response' })).json();
    expect(own.response.id).toBe(w.a2.responseId);
    expect(own.evidence).toEqual([]);
  });

  it('refuses a supplier token on council endpoints (403) and a council token on supplier endpoints (403)', async () => {
    const w = await world(ctx);
    for (const request of officerEndpoints(w)) {
      expect([describeRequest(request), (await send(ctx, w.a1.token, request)).statusCode]).toEqual([describeRequest(request), 403]);
    }
    for (const request of supplierEndpoints(w)) {
      expect([describeRequest(request), (await send(ctx, w.councilA.admin.token, request)).statusCode]).toEqual([describeRequest(request), 403]);
    }
  });

  it('gives a revoked link 401 on every supplier endpoint', async () => {
    const w = await world(ctx);
    await send(ctx, w.councilA.admin.token, { method: 'POST', url: `/v1/invitations/${w.a1.id}/revoke` });
    for (const request of supplierEndpoints(w)) {
      expect([describeRequest(request), (await send(ctx, w.a1.token, request)).statusCode]).toEqual([describeRequest(request), 401]);
    }
  });

  it('gives an expired link (30 days after the deadline) 401 on every supplier endpoint, and a replaced link too', async () => {
    const w = await world(ctx);
    const replaced = (await send(ctx, w.councilA.admin.token, { method: 'POST', url: `/v1/invitations/${w.a2.id}/resend` })).json();
    for (const request of supplierEndpoints(w)) {
      expect([describeRequest(request), (await send(ctx, w.a2.token, request)).statusCode]).toEqual([describeRequest(request), 401]);
    }
    expect((await send(ctx, replaced.token, { method: 'GET', url: '/v1/supplier/response' })).statusCode).toBe(200);
    ctx.clock.set(new Date('2027-01-09T17:00:01Z'));
    for (const request of supplierEndpoints(w)) {
      expect([describeRequest(request), (await send(ctx, w.a1.token, request)).statusCode]).toEqual([describeRequest(request), 401]);
    }
  });
});
