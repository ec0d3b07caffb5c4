import { expect } from 'vitest';
import { bearer, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, type SeededOrganisation } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

export const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

/** An open procurement of `org`, with an optional panel, and one submitted response per supplier name, each through the supplier API. */
export async function submittedResponses(ctx: TestContext, org: SeededOrganisation, names: string[], panel: { evaluatorIds?: string[]; moderatorId?: string } = {}) {
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, ...panel });
  const responses: Array<{ supplierName: string; responseId: string; token: string }> = [];
  for (const [i, supplierName] of names.entries()) {
    const invitation = await seedInvitation(ctx, org, procurementId, { supplierName });
    const answers = { 'a.training': 'never', 'b.hours': 10 + i };
    const imported = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/supplier/response/import',
      headers: bearer(invitation.token),
      payload: { answers: Object.fromEntries(Object.entries(answers).map(([k, value]) => [k, { value }])) },
    });
    expect(imported.statusCode, imported.body).toBe(200);
    const submitted = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/submit', headers: bearer(invitation.token), payload: { declaration: true } });
    expect(submitted.statusCode, submitted.body).toBe(200);
    responses.push({ supplierName, responseId: invitation.responseId, token: invitation.token });
  }
  return { procurementId, responses };
}
