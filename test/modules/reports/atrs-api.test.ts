import { describe, expect, it } from 'vitest';
import type { QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { keepForLook, readPdf } from '../../helpers/pdf';
import { signedInAgent } from '../../helpers/staff';
import { downloadWith, readPage } from '../../helpers/web';
import { smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
// A confidential answer and the reason the supplier gave: neither may reach the record, as JSON or PDF.
const SECRET = 'ALPHASECRET signed opt-in schedule per dataset';
const SECRET_REASON = 'ALPHAREASON commercially sensitive process';

/** The small questionnaire with question numbers, and its answers pointed at ATRS fields: two at one field, one at another. */
function atrsDefinition(): QuestionnaireDefinitionInput {
  const definition = smallDefinition();
  const [training, detail] = definition.sections[0]!.questions;
  Object.assign(training!, { ref: '1.1', atrsField: 'tier2.owner_and_responsibility.data_access_terms' });
  Object.assign(detail!, { ref: '1.2', atrsField: 'tier2.owner_and_responsibility.data_access_terms' });
  Object.assign(definition.sections[1]!.questions[0]!, { ref: '2.1', atrsField: 'tier2.tool_specification.maintenance' });
  return definition;
}

type Field = { id: string; status: string; value: string | null; toCompleteBy: string | null; reason: string | null; from: unknown[]; withheld: unknown[] };
/** The page's H3 headings' text, in order. */
const h3s = (page: ReturnType<typeof readPage>) => [...page.document.querySelectorAll('h3')].map((h) => (h.textContent ?? '').replace(/\s+/g, ' ').trim());
const fieldsOf = (record: { sections: Array<{ fields: Field[] }> }) => new Map(record.sections.flatMap((s) => s.fields).map((f) => [f.id, f]));

/** Alpha answers with a confidential explanation, Beta plainly; Gamma never submits. */
async function world(ctx: TestContext) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: atrsDefinition(), triage, title: 'Council tax chatbot', moderatorId: moderator.id });
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });
  const alpha = await seedInvitation(ctx, org, procurementId, { supplierName: 'Alpha AI' });
  const beta = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
  const gamma = await seedInvitation(ctx, org, procurementId, { supplierName: 'Gamma Ltd' });
  const put = async (token: string, answers: Record<string, object>) => expect((await call('PUT', '/v1/supplier/response/import', token, { answers })).statusCode).toBe(200);
  await put(alpha.token, {
    'a.training': { value: 'opt_in', comment: 'Opt-in is per service area.' },
    'a.training_detail': { value: SECRET, confidential: true, confidentialReason: SECRET_REASON },
    'b.hours': { value: 12 },
  });
  await put(beta.token, { 'a.training': { value: 'never' }, 'b.hours': { value: 100 } });
  await put(gamma.token, { 'a.training': { value: 'never' } });
  for (const s of [alpha, beta]) expect((await call('POST', '/v1/supplier/response/submit', s.token, { declaration: true })).statusCode).toBe(200);
  return { org, moderator, procurementId, alpha, beta, gamma, call };
}

describe('the draft ATRS record', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('as JSON: every field, answers with their question numbers, the confidential one withheld and left to the council', async () => {
    const w = await world(ctx);
    const res = await w.call('GET', `/v1/responses/${w.alpha.responseId}/atrs.json`, w.org.admin.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    for (const secret of [SECRET, SECRET_REASON]) expect(res.body).not.toContain(secret);
    const record = res.json();
    expect(record).toMatchObject({ status: 'draft', standard: { version: '3.0' }, source: { council: 'Example Borough Council', supplierName: 'Alpha AI', responseId: w.alpha.responseId, procurement: { id: w.procurementId, title: 'Council tax chatbot' } } });
    const fields = fieldsOf(record);
    expect(fields.size).toBe(record.counts.fields);
    expect(fields.get('tier2.owner_and_responsibility.data_access_terms')).toEqual({
      id: 'tier2.owner_and_responsibility.data_access_terms',
      label: 'Data access terms',
      description: expect.any(String),
      status: 'partly_drafted',
      value: 'Question 1.1: Only with opt-in (The supplier added: Opt-in is per service area.)',
      toCompleteBy: 'council',
      reason: 'The supplier marked its answer to question 1.2 commercially confidential, so it is not reproduced here: the council completes this field from that answer, with what it can publish.',
      from: [{ question: '1.1', questionKey: 'a.training' }],
      withheld: [{ question: '1.2', questionKey: 'a.training_detail' }],
    });
    expect(fields.get('tier2.tool_specification.maintenance')).toMatchObject({ status: 'drafted', value: 'Question 2.1: 12', toCompleteBy: null });
    expect(fields.get('tier2.owner_and_responsibility.supplier')).toMatchObject({ status: 'drafted', value: 'Alpha AI' });
    expect(fields.get('tier1.contact_email')).toMatchObject({ status: 'to_complete', value: null, toCompleteBy: 'council' });
    // Beta has nothing confidential: the same field is drafted in full.
    const beta = fieldsOf((await w.call('GET', `/v1/responses/${w.beta.responseId}/atrs.json`, w.org.admin.token)).json());
    expect(beta.get('tier2.owner_and_responsibility.data_access_terms')).toMatchObject({ status: 'drafted', value: 'Question 1.1: Never', withheld: [] });
  });

  it('as a PDF: tagged, headings never skipping a level, the same flags, no confidential answer; the same bytes each time', async () => {
    const w = await world(ctx);
    const url = `/v1/responses/${w.alpha.responseId}/atrs.pdf`;
    const res = await w.call('GET', url, w.org.admin.token);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="transparency-record-draft-alpha-ai.pdf"; filename*=UTF-8''transparency-record-draft-alpha-ai.pdf`);
    await keepForLook('atrs-record.pdf', res.rawPayload);
    const pdf = await readPdf(res.rawPayload);
    const text = pdf.text.replace(/\s+/g, ' ');
    expect(text).toContain('Draft transparency record: Alpha AI');
    expect(text).toContain('Example Borough Council');
    expect(text).toContain('Question 1.1: Only with opt-in (The supplier added: Opt-in is per service area.)');
    expect(text).toContain('Partly drafted: to complete by the council. The supplier marked its answer to question 1.2 commercially confidential');
    expect(text).toContain('To complete by the council. No question of the questionnaire asks for this');
    for (const secret of [SECRET, SECRET_REASON]) expect(text).not.toContain(secret.split(' ')[0]);
    expect(pdf.marked).toBe(true);
    expect(pdf.headingLevels[0]).toBe(1);
    pdf.headingLevels.forEach((level, i) => {
      if (i > 0) expect(level - pdf.headingLevels[i - 1]!, `heading ${i}`).toBeLessThanOrEqual(1);
    });
    expect(pdf.outline.map((o) => o.title)).toEqual(['Draft transparency record: Alpha AI', 'Metadata and title information', 'Tier 1: overview for the public', 'Tier 2: detailed information']);
    expect(pdf.outline[3]!.items).toEqual(['Owner and responsibility', 'Description and rationale', 'Decision-making process', 'Tool specification', 'Risks, mitigations and impact assessments']);
    pdf.pages.forEach((page, i) => expect(page).toContain(`Page ${i + 1} of ${pdf.numPages}`));

    const again = await w.call('GET', url, w.org.admin.token);
    expect(again.rawPayload.equals(res.rawPayload)).toBe(true);
    expect(res.headers.etag).toBe(`"${res.headers['x-content-sha256']}"`);
    const unchanged = await w.call('GET', url, w.org.admin.token, undefined, { 'if-none-match': String(res.headers.etag) });
    expect(unchanged.statusCode).toBe(304);
  });

  it('is for a submitted response of the caller’s council only, and for keys with reports:read', async () => {
    const w = await world(ctx);
    for (const file of ['atrs.json', 'atrs.pdf']) {
      const early = await w.call('GET', `/v1/responses/${w.gamma.responseId}/${file}`, w.org.admin.token);
      expect([early.statusCode, problemOf(early).code], file).toEqual([409, 'evaluations.response_not_submitted']);
      expect(early.headers['content-type']).toMatch(/^application\/problem\+json/);
      const other = await seedOrganisation(ctx);
      const theirs = await w.call('GET', `/v1/responses/${w.alpha.responseId}/${file}`, other.admin.token);
      expect(theirs.statusCode, file).toBe(404);
      expect((await w.call('GET', `/v1/responses/00000000-0000-4000-8000-000000000000/${file}`, w.org.admin.token)).statusCode).toBe(404);
      expect((await w.call('GET', `/v1/responses/not-an-id/${file}`, w.org.admin.token)).statusCode).toBe(400);
    }
    const reader = await seedApiKey(ctx, w.org, { scopes: ['reports:read'] });
    const scoresOnly = await seedApiKey(ctx, w.org, { scopes: ['scores:read', 'responses:read-confidential'] });
    expect((await w.call('GET', `/v1/responses/${w.alpha.responseId}/atrs.json`, reader.token)).statusCode).toBe(200);
    expect((await w.call('GET', `/v1/responses/${w.alpha.responseId}/atrs.json`, scoresOnly.token)).statusCode).toBe(403);
  });

  it('refuses to import a questionnaire whose question names a field the ATRS template does not have', async () => {
    const org = await seedOrganisation(ctx);
    const definition = atrsDefinition();
    Object.assign(definition.sections[1]!.questions[0]!, { atrsField: 'tier2.tool_specification.maintainance' });
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/questionnaires', headers: bearer(org.admin.token), payload: { ...definition, version: '9.9.9' } });
    expect(res.statusCode).toBe(422);
    const problem = problemOf(res);
    expect(problem.code).toBe('questionnaires.invalid_definition');
    expect(problem.errors).toEqual([{ path: '/body/sections/1/questions/0/atrsField', message: '"tier2.tool_specification.maintainance" is not a field of the ATRS template (version 3.0)' }]);
    // Spelt right, the same questionnaire imports.
    const fixed = await ctx.app.inject({ method: 'POST', url: '/v1/questionnaires', headers: bearer(org.admin.token), payload: { ...atrsDefinition(), version: '9.9.9' } });
    expect(fixed.statusCode, fixed.body).toBe(201);
  });

  it('in the console: a download pair per submitted response, the awarded supplier’s first, the API’s record byte for byte', async () => {
    const w = await world(ctx);
    const officer = await seedUser(ctx, w.org, { role: 'officer' });
    const agent = await signedInAgent({ app: ctx.app, userId: officer.id });
    const reports = `/procurements/${w.procurementId}/reports`;
    const before = readPage((await agent.get(reports).redirects(0)).text);
    expect(before.text).toContain('Draft transparency records');
    // Before a decision, in the order of the responses' reports above (the results' order).
    const listed = h3s(before);
    expect(listed).toHaveLength(4);
    expect(listed.slice(2)).toEqual(listed.slice(0, 2));
    const second = listed[1]!;
    const secondId = second === 'Alpha AI' ? w.alpha.responseId : w.beta.responseId;

    for (const step of ['close', 'start-evaluation']) expect((await w.call('POST', `/v1/procurements/${w.procurementId}/${step}`, w.org.admin.token)).statusCode).toBe(200);
    // Alpha's written answer needs a moderated mark before any award.
    expect((await w.call('POST', `/v1/procurements/${w.procurementId}/declarations`, w.moderator.token, { hasConflict: false, details: 'None' })).statusCode).toBeLessThan(300);
    const moderated = await w.call('PUT', `/v1/responses/${w.alpha.responseId}/moderation/a.training_detail`, w.moderator.token, { score: 3, rationale: 'Clear opt-in per dataset.' });
    expect(moderated.statusCode, moderated.body).toBe(200);
    // The council awards the one listed second: its record moves first.
    const decided = await w.call('POST', `/v1/procurements/${w.procurementId}/decision`, w.org.admin.token, { outcome: 'award', responseId: secondId, rationale: 'Best value once the risks are weighed.' });
    expect(decided.statusCode, decided.body).toBe(200);
    const after = readPage((await agent.get(reports).redirects(0)).text);
    expect(h3s(after)).toEqual([...listed.slice(0, 2), `${second} (awarded)`, listed[0]]);

    const pdfHref = after.link('Draft transparency record: Alpha AI (PDF)')?.getAttribute('href');
    const jsonHref = after.link('Draft transparency record: Alpha AI (JSON)')?.getAttribute('href');
    expect([pdfHref, jsonHref]).toEqual([`${reports}/responses/${w.alpha.responseId}/atrs.pdf`, `${reports}/responses/${w.alpha.responseId}/atrs.json`]);
    const json = await agent.get(jsonHref!).redirects(0);
    expect(json.status).toBe(200);
    expect(json.headers['content-disposition']).toBe(`attachment; filename="transparency-record-draft-alpha-ai.json"; filename*=UTF-8''transparency-record-draft-alpha-ai.json`);
    expect(JSON.parse(json.text)).toEqual((await w.call('GET', `/v1/responses/${w.alpha.responseId}/atrs.json`, w.org.admin.token)).json());
    const pdf = await downloadWith(agent, pdfHref!);
    expect(pdf.status).toBe(200);
    expect(pdf.bytes.equals((await w.call('GET', `/v1/responses/${w.alpha.responseId}/atrs.pdf`, w.org.admin.token)).rawPayload)).toBe(true);

    // Not submitted: a page saying when; another council's response or a non-id: not found; the panel's evaluators: not allowed.
    const early = await agent.get(`${reports}/responses/${w.gamma.responseId}/atrs.pdf`).redirects(0);
    expect(early.status).toBe(409);
    expect(readPage(early.text).text).toContain('once the supplier has submitted');
    const other = await seedOrganisation(ctx);
    const theirs = await seedOpenProcurement(ctx, other, { definition: atrsDefinition(), triage });
    const theirInvitation = await seedInvitation(ctx, other, theirs);
    for (const url of [`${reports}/responses/${theirInvitation.responseId}/atrs.json`, `/procurements/${theirs}/reports/responses/${theirInvitation.responseId}/atrs.pdf`, `${reports}/responses/not-an-id/atrs.pdf`]) {
      const res = await agent.get(url).redirects(0);
      expect(res.status, url).toBe(404);
    }
    const evaluator = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, w.org, { role: 'evaluator' })).id });
    expect((await evaluator.get(`${reports}/responses/${w.alpha.responseId}/atrs.json`).redirects(0)).status).toBe(403);
  }, 120_000);
});
