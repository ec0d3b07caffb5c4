import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Principal } from '../../platform/auth';
import type { Db } from '../../platform/db';
import { comparison, procurementEvaluations, type ResultRow } from '../scoring';
import { csvStream, neutraliseFormula, type CsvColumn } from './csv';

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

type ResultCsvRow = ResultRow & { sectionScores: ReadonlyMap<string, number | null> };

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
];

/**
 * The rows of GET /v1/procurements/:id/results, in the same order, with one column per section
 * of the questionnaire (`Section <ref or key>: <title> (weight <n>)`), empty when the response has
 * no evaluation or the section no score.
 */
export async function resultsCsv(ctx: Ctx & { procurementId: string }): Promise<ExportFile<Readable>> {
  const { procurement, definition, evaluations, items } = await procurementEvaluations(ctx);
  // Sections come from the definition, so the columns are the same before anything is evaluated;
  // the weight is the procurement's, as the scoring engine reads it (none is 0).
  const sectionColumns: CsvColumn<ResultCsvRow>[] = definition.sections.map((section) => ({
    header: `Section ${section.ref ?? section.key}: ${section.title} (weight ${Object.hasOwn(procurement.weights, section.key) ? procurement.weights[section.key] : 0})`,
    value: (r) => r.sectionScores.get(section.key) ?? null,
  }));
  const rows = items.map((item): ResultCsvRow => {
    // As in the results: only a submitted response's evaluation counts (a withdrawn one has none).
    const evaluation = item.status === 'submitted' ? evaluations.get(item.responseId)?.evaluation : undefined;
    return { ...item, sectionScores: new Map((evaluation?.sections ?? []).map((s) => [s.key, s.score])) };
  });
  return { filename: `${procurementSlug(procurement)}-results.csv`, body: csvStream({ columns: [...RESULT_COLUMNS, ...sectionColumns], rows }) };
}

// ───────────────────────────────────────────── comparison.xlsx

const SECTION_SCORE_FORMAT = '0.0';
const QUESTION_SCORE_FORMAT = '0';

/** Bold, frozen header row (and label columns), so the supplier columns scroll under them. */
function styleSheet(sheet: ExcelJS.Worksheet, labelColumns: number): void {
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', xSplit: labelColumns, ySplit: 1 }];
}

/**
 * GET /v1/procurements/:id/comparison as a workbook. "Sections": Ref, Key, Section, Weight, then a
 * score column per supplier, then an "Overall score" and a "Rating" row. "Questions": Ref, Key,
 * Section (its key), then per supplier a score column (header: the supplier's name) and a status
 * column (`<name> (status)`). Before anything is evaluated, both sheets hold just their headers.
 */
export async function comparisonWorkbook(ctx: Ctx & { procurementId: string }): Promise<ExportFile<Buffer>> {
  // Two reads: the comparison as the API serves it, and the results for the overall rows.
  const matrix = await comparison(ctx);
  const { procurement, items } = await procurementEvaluations(ctx);
  const results = new Map(items.map((item) => [item.responseId, item]));
  // Every text cell goes through the same defence as the CSV. exceljs writes a string as a string,
  // never a formula, but a copy-paste or a re-save as CSV from Excel would not.
  const text = (value: string | null | undefined) => (value ? neutraliseFormula(value) : null);
  const supplierNames = matrix.suppliers.map((s) => text(s.supplierName));

  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Council AI due diligence';
  workbook.created = ctx.now;
  workbook.modified = ctx.now;

  const sections = workbook.addWorksheet('Sections');
  sections.columns = [
    { header: 'Ref', width: 8 },
    { header: 'Key', width: 20 },
    { header: 'Section', width: 40 },
    { header: 'Weight', width: 9 },
    ...supplierNames.map((name) => ({ header: name ?? '', width: 20, style: { numFmt: SECTION_SCORE_FORMAT } })),
  ];
  for (const section of matrix.sections) sections.addRow([text(section.ref), text(section.key), text(section.title), section.weight, ...section.scores]);
  if (matrix.suppliers.length > 0) {
    const overall = sections.addRow([null, null, 'Overall score', null, ...matrix.suppliers.map((s) => results.get(s.responseId)?.overallScore ?? null)]);
    const rating = sections.addRow([null, null, 'Rating', null, ...matrix.suppliers.map((s) => text(results.get(s.responseId)?.rating))]);
    overall.font = { bold: true };
    rating.font = { bold: true };
  }
  styleSheet(sections, 4);

  const questions = workbook.addWorksheet('Questions');
  questions.columns = [
    { header: 'Ref', width: 8 },
    { header: 'Key', width: 28 },
    { header: 'Section', width: 20 },
    ...matrix.suppliers.flatMap((s) => [
      { header: text(s.supplierName) ?? '', width: 16, style: { numFmt: QUESTION_SCORE_FORMAT } },
      { header: text(`${s.supplierName} (status)`) ?? '', width: 18 },
    ]),
  ];
  for (const question of matrix.questions) {
    questions.addRow([text(question.ref), text(question.key), text(question.section), ...question.scores.flatMap((score, i) => [score, text(question.statuses[i])])]);
  }
  styleSheet(questions, 3);

  return { filename: `${procurementSlug(procurement)}-comparison.xlsx`, body: Buffer.from(await workbook.xlsx.writeBuffer()) };
}
