import { expect } from 'vitest';
import { bearer, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
type Method = 'GET' | 'POST' | 'PUT';

/**
 * A procurement on the small questionnaire being evaluated, through the API: two evaluators (Eve One,
 * Evan Two) and a moderator (Mo Derator); Alpha AI needs a consensus mark on `a.training_detail`,
 * Beta Bots is scored automatically. The evaluators have declared no conflict; the moderator has not
 * declared yet (`declare` does it).
 */
export async function evaluatingWorld(ctx: TestContext) {
  const call = (method: Method, url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const org = await seedOrganisation(ctx);
  const e1 = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve One' });
  const e2 = await seedUser(ctx, org, { role: 'evaluator', name: 'Evan Two' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, evaluatorIds: [e1.id, e2.id], moderatorId: moderator.id });
  const a = await seedInvitation(ctx, org, procurementId, { supplierName: 'Alpha AI' });
  ctx.clock.advance(1000);
  const b = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
  const answer = (token: string, answers: Record<string, unknown>) =>
    call('PUT', '/v1/supplier/response/import', token, { answers: Object.fromEntries(Object.entries(answers).map(([k, value]) => [k, { value }])) });
  await answer(a.token, { 'a.training': 'opt_in', 'a.training_detail': 'Each council opts in per dataset, in writing.', 'b.hours': 12 });
  await answer(b.token, { 'a.training': 'never', 'b.hours': 100 });
  for (const s of [a, b]) expect((await call('POST', '/v1/supplier/response/submit', s.token, { declaration: true })).statusCode).toBe(200);
  await call('POST', `/v1/procurements/${procurementId}/close`, org.admin.token);
  await call('POST', `/v1/procurements/${procurementId}/start-evaluation`, org.admin.token);
  for (const member of [e1, e2]) await call('POST', `/v1/procurements/${procurementId}/declarations`, member.token, { hasConflict: false, details: 'None' });
  const declare = () => call('POST', `/v1/procurements/${procurementId}/declarations`, moderator.token, { hasConflict: false, details: 'None' });
  return { call, org, e1, e2, moderator, procurementId, a, b, declare };
}
