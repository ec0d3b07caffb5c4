import type { AnswerDto, AnswerInput } from './answers.usecases';
import type { SupplierQuestion, SupplierSection } from './responses.models';

/**
 * The questionnaire as an Excel workbook for working offline, as plain rows: building them from the
 * questions a supplier sees with its current answers, and reading an uploaded copy back into
 * answers, turning option labels, typed numbers and dates and Yes/No into the values the API takes.
 * Whether a value is acceptable is still for the answering rules; this only reads what was typed,
 * and says by row and question what it could not read. No exceljs here: cells come in and go out.
 */

/** A cell as the workbook layer reads or writes it. */
export type Cell = string | number | boolean | Date | null;

export const WORKBOOK_SHEET = 'Questions';
/** More rows than any questionnaire has questions, by far: a bigger sheet is not one we made. */
export const WORKBOOK_MAX_ROWS = 2000;

export const WORKBOOK_COLUMNS = [
  { key: 'key', header: 'Key', width: 30 },
  { key: 'section', header: 'Section', width: 28 },
  { key: 'ref', header: 'Ref', width: 7 },
  { key: 'question', header: 'Question', width: 60 },
  { key: 'type', header: 'Type', width: 20 },
  { key: 'required', header: 'Required', width: 10 },
  { key: 'guidance', header: 'Guidance', width: 50 },
  { key: 'allowed', header: 'Allowed answers', width: 45 },
  { key: 'answer', header: 'Answer', width: 50 },
  { key: 'comment', header: 'Comment', width: 35 },
  { key: 'confidential', header: 'Confidential', width: 13 },
  { key: 'reason', header: 'Reason it is confidential', width: 35 },
] as const;

export type ColumnKey = (typeof WORKBOOK_COLUMNS)[number]['key'];

/** One question's row: its cells, and the drop-down list (option labels) its answer cell offers. */
export type WorkbookRow = { cells: Record<ColumnKey, Cell>; list: string[] | null; multiple: boolean; date: boolean; file: boolean };

const TYPE_NAMES: Record<string, string> = {
  yes_no: 'Yes or no',
  single_choice: 'Choose one',
  multi_choice: 'Choose one or more',
  short_text: 'Short text',
  long_text: 'Long text',
  number: 'Number',
  date: 'Date',
  url: 'Web address',
  email: 'Email address',
  file: 'File',
};

export const MULTIPLE_SEPARATOR = ';';
export const FILE_ROW_TEXT = 'Upload on the website: anything typed here is ignored';
const labelsOf = (q: SupplierQuestion) => (q.options ?? []).map((o) => o.label);
const limit = (q: SupplierQuestion, name: string) => (typeof q.limits?.[name] === 'number' ? (q.limits[name] as number) : undefined);
const unitOf = (q: SupplierQuestion) => (typeof q.limits?.unit === 'string' ? q.limits.unit : null);

/** A number the question would take, for "like 24" in a message. */
export function exampleNumber(q: SupplierQuestion): number {
  const [min, max] = [limit(q, 'min'), limit(q, 'max')];
  if (min !== undefined && 24 < min) return min;
  if (max !== undefined && 24 > max) return max;
  return 24;
}

/** What the "Allowed answers" column says for a question. */
export function allowedAnswers(q: SupplierQuestion): string {
  const labels = labelsOf(q);
  switch (q.type) {
    case 'yes_no':
    case 'single_choice':
      return `One of: ${labels.join('; ')}`;
    case 'multi_choice': {
      const max = limit(q, 'maxSelections');
      return `One or more of: ${labels.join('; ')}. Separate several with a semicolon (${MULTIPLE_SEPARATOR}), like: ${labels.slice(0, 2).join(`${MULTIPLE_SEPARATOR} `)}${max !== undefined ? `. At most ${max}` : ''}`;
    }
    case 'number': {
      const [min, max, unit] = [limit(q, 'min'), limit(q, 'max'), unitOf(q)];
      const what = `${q.limits?.integer ? 'A whole number' : 'A number'}${unit ? ` of ${unit}` : ''}`;
      const range = min !== undefined && max !== undefined ? `, from ${min} to ${max}` : min !== undefined ? `, ${min} or more` : max !== undefined ? `, ${max} or less` : '';
      return `${what}${range}, like ${exampleNumber(q)}`;
    }
    case 'date':
      return 'A date, like 27/03/2027';
    case 'url':
      return 'A web address starting with https://';
    case 'email':
      return 'An email address, like name@example.com';
    case 'file':
      return FILE_ROW_TEXT;
    default: {
      const max = limit(q, 'maxLength');
      return max !== undefined ? `Text, up to ${max} characters` : 'Text';
    }
  }
}

/** A stored answer as the supplier types it in the answer cell: labels, not option values; a date cell for a date. */
export function answerCell(q: SupplierQuestion, value: unknown): Cell {
  if (value === null || value === undefined || q.type === 'file') return null;
  const label = (v: unknown) => q.options?.find((o) => o.value === v)?.label ?? String(v);
  if (Array.isArray(value)) return value.map(label).join(`${MULTIPLE_SEPARATOR} `);
  if (q.type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T00:00:00.000Z`);
  if (q.type === 'number' && typeof value === 'number') return value;
  if (q.type === 'yes_no' || q.type === 'single_choice') return label(value);
  return typeof value === 'string' ? value : String(value);
}

/** One row per question the supplier sees now, in questionnaire order, prefilled with its current answers. */
export function workbookRows({ sections, answers }: { sections: SupplierSection[]; answers: Record<string, AnswerDto> }): WorkbookRow[] {
  return sections.flatMap((section) =>
    section.questions.map((q) => {
      const answer = answers[q.key];
      const file = q.type === 'file';
      const cells: Record<ColumnKey, Cell> = {
        key: q.key,
        section: section.ref ? `${section.ref}. ${section.title}` : section.title,
        ref: q.ref,
        question: q.text,
        type: file ? 'File (upload on the website)' : (TYPE_NAMES[q.type] ?? q.type),
        required: q.required ? 'Yes' : 'No',
        guidance: q.guidance || null,
        allowed: allowedAnswers(q),
        answer: answerCell(q, answer?.value),
        comment: file ? null : (answer?.comment ?? null),
        confidential: file ? null : answer?.confidential ? 'Yes' : 'No',
        reason: file ? null : (answer?.confidentialReason ?? null),
      };
      const choice = q.type === 'yes_no' || q.type === 'single_choice' || q.type === 'multi_choice';
      return { cells, list: choice ? labelsOf(q) : null, multiple: q.type === 'multi_choice', date: q.type === 'date', file };
    }),
  );
}

/** A problem with one row, for "Row 14, question 4.2: Enter the number of hours, like 24". */
export type RowProblem = { row: number; key: string | null; question: string | null; message: string };

export const rowProblemText = (p: RowProblem) => `Row ${p.row}${p.question ? `, question ${p.question}` : ''}: ${p.message}`;

export type ReadRows =
  | { ok: false; message: string }
  | {
      ok: true;
      /** Answers by question key; keys the questionnaire lacks, and file questions, are kept with the text as typed, to be counted and ignored. */
      answers: Record<string, AnswerInput>;
      /** The row each answer came from, so the rules' problems can be reported by row too. */
      rowOf: Record<string, number>;
      problems: RowProblem[];
    };

const text = (cell: Cell): string => {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  return String(cell).trim();
};
const blank = (cell: Cell) => text(cell) === '';
const fold = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
const questionName = (q: SupplierQuestion) => q.ref ?? q.text;

function isoDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1000 || year > 9999 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** Reads a typed or Excel date: a date cell, 27/03/2027 (day first, as in the UK), or 2027-03-27. */
export function readDate(cell: Cell): string | null {
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? null : isoDate(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate());
  if (typeof cell !== 'string') return null;
  const value = cell.trim();
  const uk = /^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$/.exec(value);
  if (uk) return isoDate(Number(uk[3]), Number(uk[2]), Number(uk[1]));
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T00:00(?::00(?:\.000)?)?Z?)?$/.exec(value);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  return null;
}

/** Reads a number typed with thousands separators or the question's unit ("1,000", "24 hours"). */
export function readNumber(q: SupplierQuestion, cell: Cell): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (typeof cell !== 'string') return null;
  let value = cell.trim().replace(/,/g, '');
  const unit = unitOf(q);
  if (unit && fold(value).endsWith(fold(unit))) value = value.slice(0, value.length - unit.length).trim();
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(value)) return null;
  return Number(value);
}

/** An answer cell as the value its question takes, or what to tell the supplier. */
export function readAnswerCell(q: SupplierQuestion, cell: Cell): { value: unknown } | { problem: string } {
  const labels = labelsOf(q);
  const option = (typed: string) => q.options?.find((o) => fold(o.label) === fold(typed) || fold(o.value) === fold(typed));
  switch (q.type) {
    case 'yes_no':
    case 'single_choice': {
      const typed = typeof cell === 'boolean' ? (cell ? 'Yes' : 'No') : text(cell);
      const found = option(typed);
      return found ? { value: found.value } : { problem: `Choose one of the answers in the list: ${labels.join('; ')}` };
    }
    case 'multi_choice': {
      const typed = text(cell);
      const whole = option(typed);
      if (whole) return { value: [whole.value] };
      const parts = typed.split(/[;\n]/).map((p) => p.trim()).filter(Boolean);
      const unknown = parts.filter((p) => !option(p));
      if (unknown.length > 0) return { problem: `${unknown.map((u) => `“${u}”`).join(', ')} ${unknown.length === 1 ? 'is not one of the answers' : 'are not answers'} in the list (${labels.join('; ')}). Separate several with a semicolon (${MULTIPLE_SEPARATOR})` };
      return { value: [...new Set(parts.map((p) => option(p)!.value))] };
    }
    case 'number': {
      const value = readNumber(q, cell);
      const unit = unitOf(q);
      return value === null ? { problem: `Enter ${unit ? `the number of ${unit}` : 'a number'}, like ${exampleNumber(q)}` } : { value };
    }
    case 'date': {
      const value = readDate(cell);
      return value === null ? { problem: 'Enter a real date, like 27/03/2027' } : { value };
    }
    default:
      return { value: typeof cell === 'string' ? cell.replace(/\r\n?/g, '\n').trim() : text(cell) };
  }
}

function readYesNo(cell: Cell): boolean | null {
  if (cell === null || blank(cell)) return false;
  if (typeof cell === 'boolean') return cell;
  const typed = fold(text(cell));
  if (typed === 'yes' || typed === 'y' || typed === 'true') return true;
  if (typed === 'no' || typed === 'n' || typed === 'false') return false;
  return null;
}

/**
 * Reads the rows of an uploaded workbook (found by their header, so reordered columns still read)
 * into answers. A blank answer cell is no answer (it never clears one). Every row's problems are
 * listed; the caller applies nothing while there are any.
 */
export function readWorkbookRows({ questions, header, rows }: { questions: Map<string, SupplierQuestion>; header: Cell[]; rows: Array<{ number: number; cells: Cell[] }> }): ReadRows {
  const columns = new Map(header.map((cell, index) => [fold(text(cell)), index]));
  const at = (key: ColumnKey) => columns.get(fold(WORKBOOK_COLUMNS.find((c) => c.key === key)!.header));
  if (at('key') === undefined || at('answer') === undefined) return { ok: false, message: 'The selected file is not a workbook downloaded from this service: its first row has no “Key” and “Answer” columns' };
  const cell = (cells: Cell[], key: ColumnKey): Cell => {
    const index = at(key);
    return index === undefined ? null : (cells[index] ?? null);
  };
  const answers: Record<string, AnswerInput> = {};
  const rowOf: Record<string, number> = {};
  const problems: RowProblem[] = [];
  for (const row of rows) {
    const key = text(cell(row.cells, 'key'));
    const answer = cell(row.cells, 'answer');
    if (blank(answer)) continue;
    if (!key) {
      problems.push({ row: row.number, key: null, question: null, message: 'The Key column is empty: type the answer in the row of its question' });
      continue;
    }
    if (rowOf[key] !== undefined) {
      const q = questions.get(key);
      problems.push({ row: row.number, key, question: q ? questionName(q) : key, message: `This question is also answered on row ${rowOf[key]}: keep one of the two` });
      continue;
    }
    rowOf[key] = row.number;
    const q = questions.get(key);
    if (!q || q.type === 'file') {
      answers[key] = { value: text(answer) };
      continue;
    }
    const problem = (message: string) => problems.push({ row: row.number, key, question: questionName(q), message });
    const read = readAnswerCell(q, answer);
    const confidential = readYesNo(cell(row.cells, 'confidential'));
    if ('problem' in read) problem(read.problem);
    if (confidential === null) problem('Enter Yes or No in the Confidential column');
    if ('problem' in read || confidential === null) continue;
    const comment = text(cell(row.cells, 'comment'));
    const reason = text(cell(row.cells, 'reason'));
    answers[key] = { value: read.value, comment: comment || null, confidential, confidentialReason: confidential ? reason || null : null };
  }
  return { ok: true, answers, rowOf, problems };
}
