import { expect } from 'vitest';
import type { QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { bearer, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { multipart } from '../../helpers/multipart';
import { smallDefinition } from '../questionnaires/fixtures';

/**
 * The evaluation panel's pages, tested over HTTP and in Chromium: a small questionnaire with three
 * questions marked by evaluators (two in section A, one with evidence in section B) beside an
 * automatically scored gateway and a number band; a panel of two evaluators and a moderator.
 */

export const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

const manual = (key: string, text: string, extra: Record<string, unknown> = {}) => ({
  key,
  text,
  guidance: `Guidance for ${text.toLowerCase()}`,
  type: 'long_text',
  required: true,
  limits: { maxLength: 5000 },
  scoring: { method: 'manual', descriptors: { 0: `${key} none.`, 1: `${key} vague.`, 2: `${key} some.`, 3: `${key} clear.`, 4: `${key} excellent.` } },
  riskAreas: ['data'],
  sources: ['ICO-AI'],
  ...extra,
});

export function panelDefinition(): QuestionnaireDefinitionInput {
  const small = smallDefinition();
  const [a, b] = small.sections as [QuestionnaireDefinitionInput['sections'][number], QuestionnaireDefinitionInput['sections'][number]];
  return {
    ...small,
    key: 'panel-test',
    sections: [
      { ...a, questions: [a.questions[0]!, manual('a.plan', 'Describe your data protection plan.', { ref: '1.2' }), manual('a.retention', 'How long do you keep council data?', { ref: '1.3' })] },
      {
        ...b,
        showIf: undefined,
        questions: [b.questions[0]!, manual('b.support', 'Describe your support model.', { ref: '2.2', riskAreas: ['other'], evidence: { requested: true, mandatory: false, description: 'Your support plan.' } })],
      },
    ],
  } as QuestionnaireDefinitionInput;
}

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/**
 * A council with a panel (two evaluators and a moderator) on a procurement being evaluated, with one submitted response per supplier named.
 * `definition` and `answers` extend the panel questionnaire and what each supplier answers (a question added to it, say).
 */
export async function panelWorld(
  ctx: TestContext,
  { suppliers = ['Alpha AI'], evaluating = true, definition = panelDefinition(), answers = {} }: { suppliers?: string[]; evaluating?: boolean; definition?: QuestionnaireDefinitionInput; answers?: Record<string, { value: unknown }> } = {},
) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const e1 = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve One' });
  const e2 = await seedUser(ctx, org, { role: 'evaluator', name: 'Evan Two' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olive Officer' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition, triage, evaluatorIds: [e1.id, e2.id], moderatorId: moderator.id, title: 'AI chatbot for housing' });
  const api = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const responses: Array<{ supplierName: string; responseId: string; evidenceId: string }> = [];
  for (const supplierName of suppliers) {
    ctx.clock.advance(1000);
    const s = await seedInvitation(ctx, org, procurementId, { supplierName });
    const file = multipart({ fields: { questionKey: 'b.support' }, files: [{ filename: 'support-plan.pdf', bytes: PDF }] });
    const uploaded = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(s.token), ...file.headers }, payload: file.payload });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const imported = await api('PUT', '/v1/supplier/response/import', s.token, {
      answers: {
        'a.training': { value: 'never' },
        'a.plan': { value: `${supplierName} encrypts everything at rest.`, comment: 'See our DPIA.' },
        'a.retention': { value: 'Thirty days, then deleted.' },
        'b.hours': { value: 12 },
        'b.support': { value: 'A named engineer, 9 to 5.' },
        ...answers,
      },
    });
    expect(imported.statusCode, imported.body).toBe(200);
    const submitted = await api('POST', '/v1/supplier/response/submit', s.token, { declaration: true });
    expect(submitted.statusCode, submitted.body).toBe(200);
    responses.push({ supplierName, responseId: s.responseId, evidenceId: uploaded.json().evidence.id });
  }
  if (evaluating) {
    expect((await api('POST', `/v1/procurements/${procurementId}/close`, org.admin.token)).statusCode).toBe(200);
    expect((await api('POST', `/v1/procurements/${procurementId}/start-evaluation`, org.admin.token)).statusCode).toBe(200);
  }
  return { org, e1, e2, moderator, officer, procurementId, responses, api, questionKeys: ['a.plan', 'a.retention', 'b.support'] };
}
