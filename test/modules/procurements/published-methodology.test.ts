import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedPublishedQuestionnaire, seedUser } from '../../helpers/factories';
import { readPage } from '../../helpers/web';
import { smallDefinition } from '../questionnaires/fixtures';

/** A procurement's published methodology: anyone may read it without signing in, and only what bidders are told. */
describe('the public methodology page of a procurement', () => {
  const ctx = useTestApp();
  const triage = { 'triage.personal_data': 'yes', 'triage.people': 4321 };
  const anonymous = (url: string) => ctx.app.inject({ method: 'GET', url });

  it('shows an open procurement’s weights, marking scale, gateways and descriptors to anyone, and nothing else', async () => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const evaluator = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve Secretpanel' });
    const id = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, title: 'Council tax chatbot', evaluatorIds: [evaluator.id] });
    await seedInvitation(ctx, org, id, { supplierName: 'Hidden Bidder Ltd' });
    const weights = (await ctx.app.inject({ method: 'GET', url: `/v1/procurements/${id}`, headers: bearer(org.admin.token) })).json().weights as Record<string, number>;

    const res = await anonymous(`/published/procurements/${id}/methodology`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const page = readPage(res.body);
    expect(page.h1).toEqual(['How tenders are assessed']);
    expect(page.text).toContain('Council tax chatbot');
    expect(page.text).toContain('How Example Borough Council assesses tenders in this procurement');
    for (const heading of ['Award criteria and their weights', 'The marking scale', 'Gateways', 'Written answers: what each mark means']) expect(page.heading(heading), heading).toBeDefined();
    // This procurement's own weights, which add up to 100, and when each section applies.
    expect(page.text).toMatch(new RegExp(`1\\. Section A\\s*${weights.a}\\s*Always\\.`));
    expect(page.text).toMatch(new RegExp(`2\\. Section B\\s*${weights.b}\\s*Only when`));
    expect(page.text).toMatch(/Total\s*100/);
    expect(page.text).toMatch(/Only when the council's answer to "Personal data\?" is "Yes"/);
    // The descriptors of the written answer evaluators mark, and the gateway's rule.
    expect(page.text).toContain('Explain the opt-in.');
    expect(page.text).toContain('Training on council data by default is not acceptable.');
    // Nothing bidders are not told: no panel, no suppliers, no triage answers.
    for (const secret of ['Eve Secretpanel', 'Hidden Bidder Ltd', '4321']) expect(page.text).not.toContain(secret);
    // It needs no sign-in: no session or token was sent, and no sign-in page came back.
    expect(res.headers.location).toBeUndefined();
  });

  it('is not found for a draft, another council’s draft, an unknown id or something that is not an id', async () => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const other = await seedOrganisation(ctx, { name: 'Other Council' });
    const questionnaireId = await seedPublishedQuestionnaire(ctx, other, smallDefinition());
    const draft = await ctx.app.inject({ method: 'POST', url: '/v1/procurements', headers: bearer(other.admin.token), payload: { title: 'Draft bot', questionnaireId, deadline: '2026-12-10T17:00:00.000Z', triage } });
    expect(draft.statusCode, draft.body).toBe(201);
    const ownDraftQuestionnaire = await seedPublishedQuestionnaire(ctx, org, smallDefinition());
    const ownDraft = await ctx.app.inject({ method: 'POST', url: '/v1/procurements', headers: bearer(org.admin.token), payload: { title: 'Own draft', questionnaireId: ownDraftQuestionnaire, deadline: '2026-12-10T17:00:00.000Z', triage } });
    for (const url of [
      `/published/procurements/${draft.json().id}/methodology`,
      `/published/procurements/${ownDraft.json().id}/methodology`,
      '/published/procurements/00000000-0000-4000-8000-000000000000/methodology',
      '/published/procurements/not-an-id/methodology',
    ]) {
      const res = await anonymous(url);
      expect(res.statusCode, url).toBe(404);
      expect(readPage(res.body).h1, url).toEqual(['Page not found']);
      expect(res.body).not.toContain('Draft bot');
    }
  });
});
