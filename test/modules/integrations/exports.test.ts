import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation, seedPublishedQuestionnaire, seedUser } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HYPERLINK = '=HYPERLINK("http://x","y")';
type Method = 'GET' | 'POST' | 'PUT';

function api(ctx: TestContext) {
  return (method: Method, url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
}

type ResultItem = { responseId: string; supplierName: string; status: string; overallScore: number | null; rating: string | null; gatewaysPassed: boolean | null; provisional: boolean | null; rank: number | null };
type Comparison = {
  suppliers: Array<{ responseId: string; supplierName: string }>;
  sections: Array<{ key: string; ref: string | null; title: string; weight: number; scores: Array<number | null> }>;
  questions: Array<{ key: string; ref: string | null; section: string; scores: Array<number | null>; statuses: string[] }>;
};
type SectionEvaluation = { key: string; ref: string | null; title: string; weight: number; score: number | null };

/**
 * A council procurement with a reference and four invited suppliers, three of whose names a
 * spreadsheet would run as formulas: one provisional, one final, one failing a gateway, one not started.
 */
async function exportWorld(ctx: TestContext) {
  const call = api(ctx);
  const org = await seedOrganisation(ctx);
  const questionnaireId = await seedPublishedQuestionnaire(ctx, org, smallDefinition());
  const created = await call('POST', '/v1/procurements', org.admin.token, { title: 'AI chatbot', reference: 'RBKC/2026 AI-041', questionnaireId, deadline: '2026-12-10T17:00:00.000Z', triage });
  expect(created.statusCode, created.body).toBe(201);
  const procurementId: string = created.json().id;
  expect((await call('POST', `/v1/procurements/${procurementId}/open`, org.admin.token)).statusCode).toBe(200);
  const invite = async (name: string) => {
    ctx.clock.advance(1000);
    return seedInvitation(ctx, org, procurementId, { supplierName: name });
  };
  const alpha = await invite('Alpha AI');
  const formula = await invite(HYPERLINK);
  const failing = await invite('+1 Supplies');
  const silent = await invite('@cmd');
  const answer = (token: string, answers: Record<string, unknown>) =>
    call('PUT', '/v1/supplier/response/import', token, { answers: Object.fromEntries(Object.entries(answers).map(([k, value]) => [k, { value }])) });
  await answer(alpha.token, { 'a.training': 'opt_in', 'a.training_detail': 'Each council opts in per dataset, in writing.', 'b.hours': 12 });
  await answer(formula.token, { 'a.training': 'never', 'b.hours': 100 });
  await answer(failing.token, { 'a.training': 'default', 'b.hours': 10 });
  for (const s of [alpha, formula, failing]) expect((await call('POST', '/v1/supplier/response/submit', s.token, { declaration: true })).statusCode).toBe(200);
  return { org, procurementId, alpha, formula, failing, silent };
}

const csvOf = (response: LightMyRequestResponse): Record<string, string>[] => parse(response.body, { columns: true, record_delimiter: '\r\n' });
const text = (value: number | string | boolean | null) => (value === null ? '' : String(value));

async function workbookOf(response: LightMyRequestResponse): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  // exceljs declares its own `Buffer` type; a Node Buffer is what it reads.
  await workbook.xlsx.load(response.rawPayload as unknown as ExcelJS.Buffer);
  return workbook;
}

/** The values of a row's first `width` cells, empty cells as null. */
function rowOf(sheet: ExcelJS.Worksheet, row: number, width: number): unknown[] {
  return Array.from({ length: width }, (_, i) => sheet.getRow(row).getCell(i + 1).value ?? null);
}

describe('CSV and Excel exports of the results and the comparison', () => {
  const ctx = useTestApp();
  const call = api(ctx);

  it('exports the results as CSV: the same rows, ranks, scores and ratings as GET /results, and each section score of the evaluation', async () => {
    const w = await exportWorld(ctx);
    const response = await call('GET', `/v1/procurements/${w.procurementId}/results.csv`, w.org.admin.token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="rbkc-2026-ai-041-results.csv"; filename*=UTF-8''rbkc-2026-ai-041-results.csv`);
    expect(response.headers['cache-control']).toBe('private, no-store');

    const results: ResultItem[] = (await call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json().items;
    const evaluation = async (responseId: string): Promise<SectionEvaluation[]> => (await call('GET', `/v1/responses/${responseId}/evaluation`, w.org.admin.token)).json().sections;
    const sections = await evaluation(w.alpha.responseId);
    const sectionHeaders = sections.map((s) => `Section ${s.ref ?? s.key}: ${s.title} (weight ${s.weight})`);
    expect(sectionHeaders).toEqual(['Section a: Section A (weight 60)', 'Section b: Section B (weight 40)']);
    const headerLine = ['rank', 'responseId', 'supplierName', 'status', 'overallScore', 'rating', 'gatewaysPassed', 'final', ...sectionHeaders].join(',');
    expect(response.body.split('\r\n')[0]).toBe(headerLine);

    const rows = csvOf(response);
    expect(rows.map((r) => r.responseId)).toEqual(results.map((r) => r.responseId));
    for (const [i, item] of results.entries()) {
      const row = rows[i]!;
      expect(row).toMatchObject({
        rank: text(item.rank),
        status: item.status,
        overallScore: text(item.overallScore),
        rating: text(item.rating),
        gatewaysPassed: text(item.gatewaysPassed),
        final: item.provisional === null ? '' : String(!item.provisional),
      });
      const scores = item.status === 'submitted' ? await evaluation(item.responseId) : null;
      expect(sectionHeaders.map((header) => row[header])).toEqual(sections.map((s) => text(scores?.find((x) => x.key === s.key)?.score ?? null)));
    }

    // The world is what the assertions above rely on: ranked, final, provisional, failed and missing rows all present.
    const byId = new Map(rows.map((r) => [r.responseId, r]));
    expect(byId.get(w.formula.responseId)).toMatchObject({ rank: '2', final: 'true', gatewaysPassed: 'true', 'Section b: Section B (weight 40)': '0' });
    expect(byId.get(w.alpha.responseId)).toMatchObject({ rank: '1', final: 'false', gatewaysPassed: 'true' });
    expect(Number(byId.get(w.alpha.responseId)!.overallScore)).toBeGreaterThan(0);
    expect(byId.get(w.failing.responseId)).toMatchObject({ rank: '', gatewaysPassed: 'false', final: 'true' });
    expect(byId.get(w.silent.responseId)).toMatchObject({ status: 'not_started', rank: '', overallScore: '', rating: '', final: '', 'Section a: Section A (weight 60)': '' });
  });

  it('writes a supplier name a spreadsheet would run as a formula as text, with a leading quote', async () => {
    const w = await exportWorld(ctx);
    const rows = csvOf(await call('GET', `/v1/procurements/${w.procurementId}/results.csv`, w.org.admin.token));
    const names = Object.fromEntries(rows.map((r) => [r.responseId, r.supplierName]));
    expect(names).toEqual({
      [w.alpha.responseId]: 'Alpha AI',
      [w.formula.responseId]: `'${HYPERLINK}`,
      [w.failing.responseId]: "'+1 Supplies",
      [w.silent.responseId]: "'@cmd",
    });
  });

  it('exports the comparison as a workbook whose Sections and Questions sheets hold the values of GET /comparison', async () => {
    const w = await exportWorld(ctx);
    const response = await call('GET', `/v1/procurements/${w.procurementId}/comparison.xlsx`, w.org.admin.token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe(XLSX);
    expect(response.headers['content-disposition']).toContain('filename="rbkc-2026-ai-041-comparison.xlsx"');
    expect(response.headers['cache-control']).toBe('private, no-store');

    const comparison: Comparison = (await call('GET', `/v1/procurements/${w.procurementId}/comparison`, w.org.admin.token)).json();
    const results: ResultItem[] = (await call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json().items;
    const result = (responseId: string) => results.find((r) => r.responseId === responseId)!;
    expect(comparison.suppliers.map((s) => s.supplierName)).toEqual(['Alpha AI', HYPERLINK, '+1 Supplies']);
    const headers = ['Alpha AI', `'${HYPERLINK}`, "'+1 Supplies"];

    const workbook = await workbookOf(response);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Sections', 'Questions']);

    const sections = workbook.getWorksheet('Sections')!;
    const width = 4 + comparison.suppliers.length;
    expect(rowOf(sections, 1, width)).toEqual(['Ref', 'Key', 'Section', 'Weight', ...headers]);
    comparison.sections.forEach((s, i) => expect(rowOf(sections, i + 2, width)).toEqual([s.ref, s.key, s.title, s.weight, ...s.scores]));
    const after = comparison.sections.length + 2;
    expect(rowOf(sections, after, width)).toEqual([null, null, 'Overall score', null, ...comparison.suppliers.map((s) => result(s.responseId).overallScore)]);
    expect(rowOf(sections, after + 1, width)).toEqual([null, null, 'Rating', null, ...comparison.suppliers.map((s) => result(s.responseId).rating)]);
    expect(sections.rowCount).toBe(after + 1);
    expect(sections.getRow(2).getCell(5).numFmt).toBe('0.0');

    const questions = workbook.getWorksheet('Questions')!;
    const qWidth = 3 + 2 * comparison.suppliers.length;
    expect(rowOf(questions, 1, qWidth)).toEqual(['Ref', 'Key', 'Section', ...headers.flatMap((h) => [h, `${h} (status)`])]);
    comparison.questions.forEach((q, i) =>
      expect(rowOf(questions, i + 2, qWidth)).toEqual([q.ref, q.key, q.section, ...q.scores.flatMap((score, j) => [score, q.statuses[j]])]),
    );
    expect(questions.rowCount).toBe(comparison.questions.length + 1);
    // The world is what the comparison above relies on: a pending mark, scores, a null score.
    const detail = comparison.questions.find((q) => q.key === 'a.training_detail')!;
    expect(detail.statuses[0]).toBe('pending_mark');
    expect(comparison.questions.find((q) => q.key === 'b.hours')!.scores).toEqual([4, 0, 4]);

    for (const sheet of [sections, questions]) {
      expect(sheet.getRow(1).font?.bold).toBe(true);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    }
    // The formula-like name is a plain string cell, never a formula.
    const cell = sections.getRow(1).getCell(6);
    expect(cell.value).toBe(`'${HYPERLINK}`);
    expect(cell.formula).toBeUndefined();
    expect(cell.type).toBe(ExcelJS.ValueType.String);
  });

  it('returns a workbook with just the header rows, and a CSV with empty scores, before anything is evaluated', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    const invited = await seedInvitation(ctx, org, procurementId, { supplierName: 'Alpha AI' });

    const xlsx = await call('GET', `/v1/procurements/${procurementId}/comparison.xlsx`, org.admin.token);
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    // Without a reference, the file is named after the procurement's id.
    expect(xlsx.headers['content-disposition']).toContain(`filename="${procurementId}-comparison.xlsx"`);
    const workbook = await workbookOf(xlsx);
    const sections = workbook.getWorksheet('Sections')!;
    const questions = workbook.getWorksheet('Questions')!;
    expect([sections.rowCount, questions.rowCount]).toEqual([1, 1]);
    expect(rowOf(sections, 1, 5)).toEqual(['Ref', 'Key', 'Section', 'Weight', null]);
    expect(rowOf(questions, 1, 4)).toEqual(['Ref', 'Key', 'Section', null]);

    const csv = await call('GET', `/v1/procurements/${procurementId}/results.csv`, org.admin.token);
    expect(csv.headers['content-disposition']).toContain(`filename="${procurementId}-results.csv"`);
    expect(csvOf(csv)).toEqual([
      {
        rank: '',
        responseId: invited.responseId,
        supplierName: 'Alpha AI',
        status: 'not_started',
        overallScore: '',
        rating: '',
        gatewaysPassed: '',
        final: '',
        'Section a: Section A (weight 60)': '',
        'Section b: Section B (weight 40)': '',
      },
    ]);
  });

  it('serves council staff and API keys with scores:read, and no one else', async () => {
    const w = await exportWorld(ctx);
    const urls = [`/v1/procurements/${w.procurementId}/results.csv`, `/v1/procurements/${w.procurementId}/comparison.xlsx`];
    const other = await seedOrganisation(ctx);
    const scoresKey = await seedApiKey(ctx, w.org, { scopes: ['scores:read'] });
    const procurementsKey = await seedApiKey(ctx, w.org, { scopes: ['procurements:read'] });
    const viewer = await seedUser(ctx, w.org, { role: 'viewer' });
    const evaluator = await seedUser(ctx, w.org, { role: 'evaluator' });
    for (const url of urls) {
      const foreign = await call('GET', url, other.admin.token);
      expect([foreign.statusCode, problemOf(foreign).code]).toEqual([404, 'procurements.not_found']);
      expect((await call('GET', url, scoresKey.token)).statusCode).toBe(200);
      expect((await call('GET', url, viewer.token)).statusCode).toBe(200);
      expect(problemOf(await call('GET', url, procurementsKey.token)).status).toBe(403);
      expect(problemOf(await call('GET', url, evaluator.token)).status).toBe(403);
      expect(problemOf(await ctx.app.inject({ method: 'GET', url })).status).toBe(401);
    }
    // What the API key reads is the export itself, not an empty shell.
    const keyed = csvOf(await call('GET', urls[0]!, scoresKey.token));
    expect(keyed.map((r) => r.responseId).sort()).toEqual([w.alpha.responseId, w.formula.responseId, w.failing.responseId, w.silent.responseId].sort());
  });
});
