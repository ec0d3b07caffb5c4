import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../../helpers/app';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

describe('the council’s view of responses', () => {
  const ctx = useTestApp();
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  async function scenario() {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 1 } });
    const a = await seedInvitation(ctx, org, procurementId, { supplierName: 'Alpha Ltd' });
    ctx.clock.advance(1_000); // suppliers are listed in the order they were invited
    const b = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Ltd' });
    await call('PUT', '/v1/supplier/response/answers/a.training', a.token, { value: 'opt_in' });
    await call('PUT', '/v1/supplier/response/answers/a.training', b.token, { value: 'never' });
    await call('PUT', '/v1/supplier/response/answers/b.hours', b.token, { value: 4 });
    await call('POST', '/v1/supplier/response/submit', b.token, { declaration: true });
    return { org, procurementId, a, b };
  }

  it('lists each supplier with status and progress against the questions visible to it', async () => {
    const { org, procurementId, a, b } = await scenario();
    const items = (await call('GET', `/v1/procurements/${procurementId}/responses`, org.admin.token)).json().items;
    expect(items).toEqual([
      expect.objectContaining({ responseId: a.responseId, supplierName: 'Alpha Ltd', status: 'in_progress', requiredQuestions: 3, requiredAnswered: 1, answered: 1 }),
      expect.objectContaining({ responseId: b.responseId, supplierName: 'Beta Ltd', status: 'submitted', requiredQuestions: 2, requiredAnswered: 2, submittedAt: '2026-11-26T12:00:01.000Z' }),
    ]);
  });

  it('shows one response with its answers and, once submitted, the frozen submission', async () => {
    const { org, b } = await scenario();
    const response = (await call('GET', `/v1/responses/${b.responseId}`, org.admin.token)).json();
    expect(response).toMatchObject({ supplierName: 'Beta Ltd', status: 'submitted', answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 4 } } });
    expect(response.submission).toMatchObject({ reference: expect.stringMatching(/^SUB-/), answers: { 'b.hours': { value: 4 } } });
  });

  it('is open to officers, viewers and procurements:read keys, not to evaluators or suppliers', async () => {
    const { org, procurementId, a } = await scenario();
    const viewer = await seedUser(ctx, org, { role: 'viewer' });
    const evaluator = await seedUser(ctx, org, { role: 'evaluator' });
    const key = await seedApiKey(ctx, org, { scopes: ['procurements:read'] });
    expect((await call('GET', `/v1/responses/${a.responseId}`, viewer.token)).statusCode).toBe(200);
    expect((await call('GET', `/v1/procurements/${procurementId}/responses`, key.token)).statusCode).toBe(200);
    expect((await call('GET', `/v1/responses/${a.responseId}`, evaluator.token)).statusCode).toBe(403);
    expect((await call('GET', `/v1/responses/${a.responseId}`, a.token)).statusCode).toBe(403);
  });

  it("answers 404 for another organisation's responses", async () => {
    const { procurementId, a } = await scenario();
    const other = await seedOrganisation(ctx);
    expect((await call('GET', `/v1/responses/${a.responseId}`, other.admin.token)).statusCode).toBe(404);
    expect((await call('GET', `/v1/procurements/${procurementId}/responses`, other.admin.token)).statusCode).toBe(404);
  });
});
