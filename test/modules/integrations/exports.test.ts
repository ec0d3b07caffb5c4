import { inflateRawSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation, seedPublishedQuestionnaire, seedUser } from '../../helpers/factories';
import { signedInAgent } from '../../helpers/staff';
import { downloadWith } from '../../helpers/web';
import { smallDefinition } from '../questionnaires/fixtures';
import { submittedResponses, triage } from './world';

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

const csvOf = (response: LightMyRequestResponse): Record<string, string>[] => parse(response.body, { columns: true, record_delimiter: '\r\n', bom: true });
const text = (value: number | string | boolean | null) => (value === null ? '' : String(value));
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const RESULT_HEADER = 'rank,responseId,supplierName,status,overallScore,rating,gatewaysPassed,final,sectionKey,sectionRef,sectionTitle,sectionWeight,sectionScore';

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

/** One file of a zip (an .xlsx), read through its central directory: what Excel reads, not what exceljs makes of it. */
function zipEntry(zip: Buffer, name: string): string {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i += 1) {
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(dataAt, dataAt + zip.readUInt32LE(at + 20));
      return (zip.readUInt16LE(at + 10) === 8 ? inflateRawSync(data) : data).toString('utf8');
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`${name} is not in the zip`);
}

/** The attributes of the cell style (`cellXfs` entry) a sheet's cell uses, as Excel reads them from the file. */
function cellStyleXml(xlsx: Buffer, sheetNumber: number, ref: string): string {
  const sheet = zipEntry(xlsx, `xl/worksheets/sheet${sheetNumber}.xml`);
  const cell = new RegExp(`<c r="${ref}"[^>]*>`).exec(sheet)?.[0];
  expect(cell, ref).toBeTruthy();
  const styleIndex = Number(/\bs="(\d+)"/.exec(cell!)?.[1] ?? 0);
  const cellXfs = /<cellXfs\b[\s\S]*?<\/cellXfs>/.exec(zipEntry(xlsx, 'xl/styles.xml'))![0];
  return [...cellXfs.matchAll(/<xf\b[^>]*>/g)][styleIndex]![0];
}

describe('CSV and Excel exports of the results and the comparison', () => {
  const ctx = useTestApp();
  const call = api(ctx);

  it('exports the results as CSV, one row per response and section: the rows, ranks, scores and ratings of GET /results, and each section score of the evaluation', async () => {
    const w = await exportWorld(ctx);
    const response = await call('GET', `/v1/procurements/${w.procurementId}/results.csv`, w.org.admin.token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="rbkc-2026-ai-041-results.csv"; filename*=UTF-8''rbkc-2026-ai-041-results.csv`);
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(response.headers.vary).toBe('Accept');
    expect(response.body.split('\r\n')[0]).toBe(RESULT_HEADER);

    const results: ResultItem[] = (await call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json().items;
    const evaluation = async (responseId: string): Promise<SectionEvaluation[]> => (await call('GET', `/v1/responses/${responseId}/evaluation`, w.org.admin.token)).json().sections;
    const sections = await evaluation(w.alpha.responseId);
    expect(sections.map((s) => [s.key, s.title, s.weight])).toEqual([
      ['a', 'Section A', 60],
      ['b', 'Section B', 40],
    ]);

    const rows = csvOf(response);
    // Each response of /results, in its order, once per section, in the questionnaire's order.
    expect(rows.map((r) => [r.responseId, r.sectionKey])).toEqual(results.flatMap((r) => sections.map((s) => [r.responseId, s.key])));
    for (const [i, item] of results.entries()) {
      const scores = item.status === 'submitted' ? await evaluation(item.responseId) : null;
      for (const [j, section] of sections.entries()) {
        expect(rows[i * sections.length + j]).toEqual({
          rank: text(item.rank),
          responseId: item.responseId,
          supplierName: item.supplierName,
          status: item.status,
          overallScore: text(item.overallScore),
          rating: text(item.rating),
          gatewaysPassed: text(item.gatewaysPassed),
          final: item.provisional === null ? '' : String(!item.provisional),
          sectionKey: section.key,
          sectionRef: text(section.ref),
          sectionTitle: section.title,
          sectionWeight: String(section.weight),
          sectionScore: text(scores?.find((x) => x.key === section.key)?.score ?? null),
        });
      }
    }

    // The world is what the assertions above rely on: ranked, final, provisional, failed and missing rows all present.
    const row = (responseId: string, sectionKey: string) => rows.find((r) => r.responseId === responseId && r.sectionKey === sectionKey)!;
    expect(row(w.formula.responseId, 'b')).toMatchObject({ rank: '2', final: 'true', gatewaysPassed: 'true', sectionScore: '0' });
    expect(row(w.alpha.responseId, 'a')).toMatchObject({ rank: '1', final: 'false', gatewaysPassed: 'true' });
    expect(Number(row(w.alpha.responseId, 'a').overallScore)).toBeGreaterThan(0);
    expect(Number(row(w.alpha.responseId, 'b').sectionScore)).toBeGreaterThan(0);
    expect(row(w.failing.responseId, 'a')).toMatchObject({ rank: '', gatewaysPassed: 'false', final: 'true' });
    expect(row(w.silent.responseId, 'a')).toMatchObject({ status: 'not_started', rank: '', overallScore: '', rating: '', final: '', sectionScore: '', sectionWeight: '60' });
  });

  it('for machines, by default, whoever calls: no BOM, and supplier names exactly as the suppliers wrote them', async () => {
    const w = await exportWorld(ctx);
    const key = await seedApiKey(ctx, w.org, { scopes: ['scores:read'] });
    for (const token of [key.token, w.org.admin.token]) {
      const response = await call('GET', `/v1/procurements/${w.procurementId}/results.csv`, token);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.rawPayload.subarray(0, 4).toString('utf8')).toBe('rank');
      expect(response.rawPayload.includes(BOM)).toBe(false);
      const names = Object.fromEntries(csvOf(response).map((r) => [r.responseId, r.supplierName]));
      expect(names).toEqual({ [w.alpha.responseId]: 'Alpha AI', [w.formula.responseId]: HYPERLINK, [w.failing.responseId]: '+1 Supplies', [w.silent.responseId]: '@cmd' });
    }
    // Asking for it by name gives the same.
    const named = await call('GET', `/v1/procurements/${w.procurementId}/results.csv?format=csv`, key.token);
    expect(named.rawPayload.equals((await call('GET', `/v1/procurements/${w.procurementId}/results.csv`, key.token)).rawPayload)).toBe(true);
  });

  it('for people (format=excel, or Accept: text/csv; profile=excel): a UTF-8 BOM, and a supplier name a spreadsheet would run as a formula written as text with a leading quote', async () => {
    const w = await exportWorld(ctx);
    const key = await seedApiKey(ctx, w.org, { scopes: ['scores:read'] });
    const url = `/v1/procurements/${w.procurementId}/results.csv`;
    const byFormat = await call('GET', `${url}?format=excel`, key.token);
    const byAccept = await ctx.app.inject({ method: 'GET', url, headers: { ...bearer(key.token), accept: 'text/csv; profile=excel' } });
    for (const response of [byFormat, byAccept]) {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; profile=excel');
      expect(response.rawPayload.subarray(0, 3).equals(BOM)).toBe(true);
      expect(response.rawPayload.subarray(3, 7).toString('utf8')).toBe('rank');
      const names = Object.fromEntries(csvOf(response).map((r) => [r.responseId, r.supplierName]));
      expect(names).toEqual({ [w.alpha.responseId]: 'Alpha AI', [w.formula.responseId]: `'${HYPERLINK}`, [w.failing.responseId]: "'+1 Supplies", [w.silent.responseId]: "'@cmd" });
    }
    expect(byAccept.rawPayload.equals(byFormat.rawPayload)).toBe(true);
    // format wins over Accept; an unknown format is refused.
    const raw = await ctx.app.inject({ method: 'GET', url: `${url}?format=csv`, headers: { ...bearer(key.token), accept: 'text/csv; profile=excel' } });
    expect(raw.headers['content-type']).toBe('text/csv; charset=utf-8');
    const refused = await call('GET', `${url}?format=xls`, key.token);
    expect([refused.statusCode, refused.headers['content-type'], problemOf(refused).code]).toEqual([400, 'application/problem+json; charset=utf-8', 'request.validation_failed']);
  });

  it('the console’s download is the CSV for people, the same bytes as the API’s format=excel', async () => {
    const w = await exportWorld(ctx);
    const agent = await signedInAgent({ app: ctx.app, userId: w.org.admin.id });
    const res = await downloadWith(agent, `/procurements/${w.procurementId}/reports/results.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; profile=excel');
    const bytes = res.bytes;
    expect(bytes.subarray(0, 3).equals(BOM)).toBe(true);
    expect(bytes.toString('utf8')).toContain(`'${HYPERLINK.replaceAll('"', '""')}`);
    expect(bytes.equals((await call('GET', `/v1/procurements/${w.procurementId}/results.csv?format=excel`, w.org.admin.token)).rawPayload)).toBe(true);
  });

  it('has the same header row for every procurement, whatever its questionnaire’s sections, titles and weights', async () => {
    const org = await seedOrganisation(ctx);
    const first = await submittedResponses(ctx, org, ['Alpha AI']);
    const base = smallDefinition();
    const other = smallDefinition({
      key: 'other-test',
      title: 'Another questionnaire',
      sections: [
        { ...base.sections[0]!, key: 'a', ref: '1', title: 'Data protection and training' },
        { ...base.sections[1]!, key: 'b', ref: '2', title: 'Incidents, security & resilience (72h)' },
      ],
      weights: { low: { a: 25, b: 75 }, medium: { a: 25, b: 75 }, high: { a: 25, b: 75 }, very_high: { a: 25, b: 75 } },
    });
    const secondId = await seedOpenProcurement(ctx, org, { definition: other, triage });
    const read = async (procurementId: string) => {
      const response = await call('GET', `/v1/procurements/${procurementId}/results.csv`, org.admin.token);
      expect(response.statusCode, response.body).toBe(200);
      return response;
    };
    await seedInvitation(ctx, org, secondId, { supplierName: 'Beta Bots' });
    const [one, two] = [await read(first.procurementId), await read(secondId)];
    expect(one.body.split('\r\n')[0]).toBe(RESULT_HEADER);
    expect(two.body.split('\r\n')[0]).toBe(RESULT_HEADER);
    // What differs is in the rows, where a column per section would have put it in the headers.
    expect(csvOf(one).map((r) => [r.sectionRef, r.sectionTitle, r.sectionWeight])).toEqual([
      ['', 'Section A', '60'],
      ['', 'Section B', '40'],
    ]);
    expect(csvOf(two).map((r) => [r.sectionRef, r.sectionTitle, r.sectionWeight])).toEqual([
      ['1', 'Data protection and training', '25'],
      ['2', 'Incidents, security & resilience (72h)', '75'],
    ]);
  });

  it('exports the comparison as a workbook whose Sections and Questions sheets hold the values of GET /comparison, each supplier keyed by response id', async () => {
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
    // The names as the suppliers wrote them: no quote is added to the value.
    const headers = ['Alpha AI', HYPERLINK, '+1 Supplies'];
    const ids = comparison.suppliers.map((s) => s.responseId);

    const workbook = await workbookOf(response);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Sections', 'Questions', 'Suppliers']);

    const sections = workbook.getWorksheet('Sections')!;
    const width = 4 + comparison.suppliers.length;
    expect(rowOf(sections, 1, width)).toEqual(['Ref', 'Key', 'Section', 'Weight', ...headers]);
    expect(rowOf(sections, 2, width)).toEqual([null, null, 'Response id', null, ...ids]);
    comparison.sections.forEach((s, i) => expect(rowOf(sections, i + 3, width)).toEqual([s.ref, s.key, s.title, s.weight, ...s.scores]));
    const after = comparison.sections.length + 3;
    expect(rowOf(sections, after, width)).toEqual([null, null, 'Overall score', null, ...comparison.suppliers.map((s) => result(s.responseId).overallScore)]);
    expect(rowOf(sections, after + 1, width)).toEqual([null, null, 'Rating', null, ...comparison.suppliers.map((s) => result(s.responseId).rating)]);
    expect(sections.rowCount).toBe(after + 1);
    expect(sections.getRow(3).getCell(5).numFmt).toBe('0.0');

    const questions = workbook.getWorksheet('Questions')!;
    const qWidth = 3 + 2 * comparison.suppliers.length;
    expect(rowOf(questions, 1, qWidth)).toEqual(['Ref', 'Key', 'Section', ...headers.flatMap((h) => [h, `${h} (status)`])]);
    expect(rowOf(questions, 2, qWidth)).toEqual([null, null, 'Response id', ...ids.flatMap((id) => [id, id])]);
    comparison.questions.forEach((q, i) =>
      expect(rowOf(questions, i + 3, qWidth)).toEqual([q.ref, q.key, q.section, ...q.scores.flatMap((score, j) => [score, q.statuses[j]])]),
    );
    expect(questions.rowCount).toBe(comparison.questions.length + 2);
    // The world is what the comparison above relies on: a pending mark, scores, a null score.
    const detail = comparison.questions.find((q) => q.key === 'a.training_detail')!;
    expect(detail.statuses[0]).toBe('pending_mark');
    expect(comparison.questions.find((q) => q.key === 'b.hours')!.scores).toEqual([4, 0, 4]);

    for (const sheet of [sections, questions]) {
      expect(sheet.getRow(1).font?.bold).toBe(true);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    }
  });

  it('writes formula-like text as it is, never as a formula, with the cell style’s quotePrefix instead of a quote in the value', async () => {
    const w = await exportWorld(ctx);
    const response = await call('GET', `/v1/procurements/${w.procurementId}/comparison.xlsx`, w.org.admin.token);
    const sections = (await workbookOf(response)).getWorksheet('Sections')!;
    // F1 is the HYPERLINK supplier's column (after Ref, Key, Section, Weight and Alpha AI); G1 '+1 Supplies'.
    for (const ref of ['F1', 'G1']) {
      const cell = sections.getCell(ref);
      expect(String(cell.value).startsWith("'")).toBe(false);
      expect(cell.formula).toBeUndefined();
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cellStyleXml(response.rawPayload, 1, ref)).toMatch(/\bquotePrefix="1"/);
    }
    expect(sections.getCell('F1').value).toBe(HYPERLINK);
    expect(sections.getCell('G1').value).toBe('+1 Supplies');
    // Ordinary text is left alone.
    expect(sections.getCell('E1').value).toBe('Alpha AI');
    expect(cellStyleXml(response.rawPayload, 1, 'E1')).not.toMatch(/quotePrefix/);
    // In the Questions sheet too, status headers included: F1 is `=HYPERLINK(…) (status)`'s score column.
    const questionsXml = (ref: string) => cellStyleXml(response.rawPayload, 2, ref);
    expect([questionsXml('F1'), questionsXml('G1')].every((xf) => /\bquotePrefix="1"/.test(xf))).toBe(true);
    // The Suppliers sheet (sheet 3): the supplier name in column B of the HYPERLINK supplier's row.
    const suppliers = (await workbookOf(response)).getWorksheet('Suppliers')!;
    const formulaRow = [...Array(suppliers.rowCount).keys()].map((i) => i + 1).find((n) => suppliers.getCell(`A${n}`).value === w.formula.responseId)!;
    expect(suppliers.getCell(`B${formulaRow}`).value).toBe(HYPERLINK);
    expect(cellStyleXml(response.rawPayload, 3, `B${formulaRow}`)).toMatch(/\bquotePrefix="1"/);
  });

  it('keys suppliers by response id, so two of the same name stay apart, and writes their times as Excel dates', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    // Two bidders of the same name with different scores: 12 hours scores 4 in section b, 100 hours 0.
    const hours = [12, 100];
    const ids: string[] = [];
    for (const h of hours) {
      const invited = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
      const answers = { 'a.training': { value: 'never' }, 'b.hours': { value: h } };
      expect((await call('PUT', '/v1/supplier/response/import', invited.token, { answers })).statusCode).toBe(200);
      expect((await call('POST', '/v1/supplier/response/submit', invited.token, { declaration: true })).statusCode).toBe(200);
      ids.push(invited.responseId);
    }
    const response = await call('GET', `/v1/procurements/${procurementId}/comparison.xlsx`, org.admin.token);
    expect(response.statusCode, response.body).toBe(200);
    const workbook = await workbookOf(response);
    const sections = workbook.getWorksheet('Sections')!;
    expect(rowOf(sections, 1, 6).slice(4)).toEqual(['Acme AI Ltd', 'Acme AI Ltd']);
    // Same names, told apart by the second header row: each column holds the scores of the response it names.
    const columnOf = new Map([5, 6].map((column) => [sections.getRow(2).getCell(column).value, column]));
    expect([...columnOf.keys()].sort()).toEqual([...ids].sort());
    const sectionB = sections.getRow(4);
    expect(sectionB.getCell(2).value).toBe('b');
    expect([sectionB.getCell(columnOf.get(ids[0])!).value, sectionB.getCell(columnOf.get(ids[1])!).value]).toEqual([100, 0]);
    const questions = workbook.getWorksheet('Questions')!;
    const hoursRow = [...Array(questions.rowCount).keys()].map((i) => i + 1).find((n) => questions.getCell(`B${n}`).value === 'b.hours')!;
    const questionIds = questions.getRow(2).values as unknown[];
    expect([questions.getRow(hoursRow).getCell(questionIds.indexOf(ids[0])).value, questions.getRow(hoursRow).getCell(questionIds.indexOf(ids[1])).value]).toEqual([4, 0]);

    const suppliers = workbook.getWorksheet('Suppliers')!;
    expect(rowOf(suppliers, 1, 12)).toEqual(['Response id', 'Supplier', 'Company number', 'Status', 'Rank', 'Overall score', 'Rating', 'Gateways passed', 'Final', 'Submitted at (UTC)', 'Evaluated at (UTC)', 'Finalised at (UTC)']);
    expect([2, 3].map((n) => suppliers.getCell(`A${n}`).value).sort()).toEqual([...ids].sort());
    for (const n of [2, 3]) {
      const id = suppliers.getCell(`A${n}`).value as string;
      const detail = (await call('GET', `/v1/responses/${id}`, org.admin.token)).json();
      const evaluation = (await call('GET', `/v1/responses/${id}/evaluation`, org.admin.token)).json();
      expect(suppliers.getCell(`B${n}`).value).toBe('Acme AI Ltd');
      const submitted = suppliers.getCell(`J${n}`);
      const evaluated = suppliers.getCell(`K${n}`);
      for (const cell of [submitted, evaluated]) {
        expect(cell.value).toBeInstanceOf(Date);
        expect(cell.type).toBe(ExcelJS.ValueType.Date);
        expect(cell.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
      }
      expect((submitted.value as Date).toISOString()).toBe(detail.submittedAt);
      expect((evaluated.value as Date).toISOString()).toBe(evaluation.computedAt);
      // Not finalised yet: empty, not a zero date.
      expect(suppliers.getCell(`L${n}`).value).toBeNull();
    }
    // As a date in the file: a number with a date format, not text.
    expect(zipEntry(response.rawPayload, 'xl/worksheets/sheet3.xml')).toMatch(/<c r="J2" s="\d+"><v>\d+\.\d+<\/v><\/c>/);
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
    expect([sections.rowCount, questions.rowCount]).toEqual([2, 2]);
    expect(rowOf(sections, 1, 5)).toEqual(['Ref', 'Key', 'Section', 'Weight', null]);
    expect(rowOf(sections, 2, 5)).toEqual([null, null, 'Response id', null, null]);
    expect(rowOf(questions, 1, 4)).toEqual(['Ref', 'Key', 'Section', null]);
    // The not-started response is listed among the suppliers, with no dates.
    expect(rowOf(workbook.getWorksheet('Suppliers')!, 2, 12)).toEqual([invited.responseId, 'Alpha AI', null, 'not_started', null, null, null, null, null, null, null, null]);

    const csv = await call('GET', `/v1/procurements/${procurementId}/results.csv`, org.admin.token);
    expect(csv.headers['content-disposition']).toContain(`filename="${procurementId}-results.csv"`);
    const empty = { rank: '', responseId: invited.responseId, supplierName: 'Alpha AI', status: 'not_started', overallScore: '', rating: '', gatewaysPassed: '', final: '', sectionRef: '', sectionScore: '' };
    expect(csvOf(csv)).toEqual([
      { ...empty, sectionKey: 'a', sectionTitle: 'Section A', sectionWeight: '60' },
      { ...empty, sectionKey: 'b', sectionTitle: 'Section B', sectionWeight: '40' },
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
    expect([...new Set(keyed.map((r) => r.responseId))].sort()).toEqual([w.alpha.responseId, w.formula.responseId, w.failing.responseId, w.silent.responseId].sort());
  });
});
