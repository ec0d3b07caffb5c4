import type { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { loadExcelJs } from '../../platform/excel';
import type { Principal } from '../../platform/auth';
import type { Db } from '../../platform/db';
import { comparison, procurementEvaluations, type ResultRow } from '../scoring';
import { csvStream, looksLikeFormula, type CsvColumn, type CsvProfile } from './csv';
import { QUOTE_PREFIX_FORMAT, withQuotePrefix } from './exports.xlsx';

type Ctx = { db: Db; now: Date; principal: Principal };

export type ExportFile<Body> = { filename: string; body: Body };

/** A file name part from the procurement's reference, else its id: lower-case letters, digits and hyphens. */
function procurementSlug(procurement: { id: string; reference: string | null }): string {
  const slug = (procurement.reference ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 100);
  return slug || procurement.id;
}

// ───────────────────────────────────────────── results.csv

/** One line of results.csv: a response (a row of GET /results) and one section of its questionnaire. */
type ResultCsvRow = ResultRow & { section: { key: string; ref: string | null; title: string; weight: number; score: number | null } | null };

/**
 * Long ("tidy") form: the same columns whatever the questionnaire, so a file of one procurement
 * can be appended to another's, and a pivot table or a script reads every one alike. A column per
 * section would change its headers with each questionnaire's sections, refs, titles and weights.
 */
const RESULT_COLUMNS: CsvColumn<ResultCsvRow>[] = [
  { header: 'rank', value: (r) => r.rank },
  { header: 'responseId', value: (r) => r.responseId },
  { header: 'supplierName', value: (r) => r.supplierName },
  { header: 'status', value: (r) => r.status },
  { header: 'overallScore', value: (r) => r.overallScore },
  { header: 'rating', value: (r) => r.rating },
  { header: 'gatewaysPassed', value: (r) => r.gatewaysPassed },
  // "final" reads better in a spreadsheet than a negated "provisional"; empty when not evaluated.
  { header: 'final', value: (r) => (r.provisional === null ? null : !r.provisional) },
  { header: 'sectionKey', value: (r) => r.section?.key },
  { header: 'sectionRef', value: (r) => r.section?.ref },
  { header: 'sectionTitle', value: (r) => r.section?.title },
  { header: 'sectionWeight', value: (r) => r.section?.weight },
  { header: 'sectionScore', value: (r) => r.section?.score },
];

/**
 * The rows of GET /v1/procurements/:id/results, in the same order, each repeated once per section
 * of the questionnaire (in its order) with the section's key, ref, title, weight and the score
 * (0–100) of the stored evaluation, empty when there is none. `profile` says who it is for.
 */
export async function resultsCsv(ctx: Ctx & { procurementId: string; profile: CsvProfile }): Promise<ExportFile<Readable>> {
  const { procurement, definition, evaluations, items } = await procurementEvaluations(ctx);
  // Sections come from the definition, so the rows are there before anything is evaluated; the
  // weight is the procurement's, as the scoring engine reads it (none is 0).
  const sections = definition.sections.map((section) => ({ key: section.key, ref: section.ref ?? null, title: section.title, weight: Object.hasOwn(procurement.weights, section.key) ? procurement.weights[section.key]! : 0 }));
  const rows = items.flatMap((item): ResultCsvRow[] => {
    // As in the results: only a submitted response's evaluation counts (a withdrawn one has none).
    const evaluation = item.status === 'submitted' ? evaluations.get(item.responseId)?.evaluation : undefined;
    const scores = new Map((evaluation?.sections ?? []).map((s) => [s.key, s.score]));
    // A questionnaire without sections still lists every response, once.
    if (sections.length === 0) return [{ ...item, section: null }];
    return sections.map((section) => ({ ...item, section: { ...section, score: scores.get(section.key) ?? null } }));
  });
  return { filename: `${procurementSlug(procurement)}-results.csv`, body: csvStream({ columns: RESULT_COLUMNS, rows, profile: ctx.profile }) };
}

// ───────────────────────────────────────────── comparison.xlsx

const SECTION_SCORE_FORMAT = '0.0';
const QUESTION_SCORE_FORMAT = '0';
const TIMESTAMP_FORMAT = 'yyyy-mm-dd hh:mm:ss';

type CellValue = string | number | boolean | Date | null | undefined;

/**
 * Appends a row. A string stays the string it is (exceljs never writes one as a formula); one that
 * a spreadsheet would run as a formula, were it typed in, gets the Text format, which
 * `withQuotePrefix` turns into the cell style's quotePrefix. A Date is an Excel date-time (UTC).
 */
function addRow(sheet: ExcelJS.Worksheet, values: CellValue[]): ExcelJS.Row {
  const row = sheet.addRow(values.map((value) => value ?? null));
  values.forEach((value, i) => {
    if (typeof value === 'string' && looksLikeFormula(value)) row.getCell(i + 1).numFmt = QUOTE_PREFIX_FORMAT;
    else if (value instanceof Date) row.getCell(i + 1).numFmt = TIMESTAMP_FORMAT;
  });
  return row;
}

const dateOf = (iso: string | null | undefined) => (iso ? new Date(iso) : null);

/** Bold, frozen header rows (and label columns), so the supplier columns scroll under them. */
function styleSheet(sheet: ExcelJS.Worksheet, { labelColumns, headerRows }: { labelColumns: number; headerRows: number }): void {
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', xSplit: labelColumns, ySplit: headerRows }];
}

/**
 * GET /v1/procurements/:id/comparison as a workbook. Two suppliers may share a name, so each of
 * their columns is keyed by the response id, in the second header row ("Response id").
 * "Sections": Ref, Key, Section, Weight, then a score column per supplier, then an "Overall score"
 * and a "Rating" row. "Questions": Ref, Key, Section (its key), then per supplier a score column
 * (header: the supplier's name) and a status column (`<name> (status)`). "Suppliers": one row per
 * response of GET /results, keyed by response id, with its dates as Excel dates (UTC). Before
 * anything is evaluated, "Sections" and "Questions" hold just their two header rows.
 */
export async function comparisonWorkbook(ctx: Ctx & { procurementId: string }): Promise<ExportFile<Buffer>> {
  // Two reads: the comparison as the API serves it, and the results for the overall rows.
  const matrix = await comparison(ctx);
  const { procurement, items, responses, evaluations } = await procurementEvaluations(ctx);
  const results = new Map(items.map((item) => [item.responseId, item]));
  const ids = matrix.suppliers.map((s) => s.responseId);

  const workbook = new (await loadExcelJs()).Workbook();
  workbook.creator = 'Council AI due diligence';
  workbook.created = ctx.now;
  workbook.modified = ctx.now;

  const sections = workbook.addWorksheet('Sections');
  sections.columns = [{ width: 8 }, { width: 20 }, { width: 40 }, { width: 9 }, ...matrix.suppliers.map(() => ({ width: 20, style: { numFmt: SECTION_SCORE_FORMAT } }))];
  addRow(sections, ['Ref', 'Key', 'Section', 'Weight', ...matrix.suppliers.map((s) => s.supplierName)]);
  addRow(sections, [null, null, 'Response id', null, ...ids]);
  for (const section of matrix.sections) addRow(sections, [section.ref, section.key, section.title, section.weight, ...section.scores]);
  if (matrix.suppliers.length > 0) {
    addRow(sections, [null, null, 'Overall score', null, ...ids.map((id) => results.get(id)?.overallScore)]).font = { bold: true };
    addRow(sections, [null, null, 'Rating', null, ...ids.map((id) => results.get(id)?.rating)]).font = { bold: true };
  }
  styleSheet(sections, { labelColumns: 4, headerRows: 2 });

  const questions = workbook.addWorksheet('Questions');
  questions.columns = [{ width: 8 }, { width: 28 }, { width: 20 }, ...matrix.suppliers.flatMap(() => [{ width: 16, style: { numFmt: QUESTION_SCORE_FORMAT } }, { width: 18 }])];
  addRow(questions, ['Ref', 'Key', 'Section', ...matrix.suppliers.flatMap((s) => [s.supplierName, `${s.supplierName} (status)`])]);
  addRow(questions, [null, null, 'Response id', ...ids.flatMap((id) => [id, id])]);
  for (const question of matrix.questions) {
    addRow(questions, [question.ref, question.key, question.section, ...question.scores.flatMap((score, i) => [score, question.statuses[i]])]);
  }
  styleSheet(questions, { labelColumns: 3, headerRows: 2 });

  const suppliers = workbook.addWorksheet('Suppliers');
  suppliers.columns = [{ width: 38 }, { width: 30 }, { width: 14 }, { width: 14 }, { width: 6 }, { width: 13, style: { numFmt: SECTION_SCORE_FORMAT } }, { width: 28 }, { width: 15 }, { width: 7 }, ...[1, 2, 3].map(() => ({ width: 20 }))];
  addRow(suppliers, ['Response id', 'Supplier', 'Company number', 'Status', 'Rank', 'Overall score', 'Rating', 'Gateways passed', 'Final', 'Submitted at (UTC)', 'Evaluated at (UTC)', 'Finalised at (UTC)']);
  const responseOf = new Map(responses.map((r) => [r.responseId, r]));
  for (const item of items) {
    const evaluated = item.status === 'submitted' ? evaluations.get(item.responseId) : undefined;
    addRow(suppliers, [
      item.responseId,
      item.supplierName,
      responseOf.get(item.responseId)?.companyNumber,
      item.status,
      item.rank,
      item.overallScore,
      item.rating,
      item.gatewaysPassed,
      item.provisional === null ? null : !item.provisional,
      dateOf(responseOf.get(item.responseId)?.submittedAt),
      dateOf(evaluated?.computedAt),
      dateOf(item.finalisedAt),
    ]);
  }
  styleSheet(suppliers, { labelColumns: 2, headerRows: 1 });

  return { filename: `${procurementSlug(procurement)}-comparison.xlsx`, body: await withQuotePrefix(Buffer.from(await workbook.xlsx.writeBuffer())) };
}
