import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';

/**
 * Spreadsheet formula injection defence (OWASP "CSV Injection"): a cell whose text starts with one
 * of these is run as a formula by Excel, LibreOffice and Google Sheets (the full-width `＝` by some
 * East Asian versions, `|` as a DDE call, `;` where it separates formula arguments).
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\uff1d', '|', ';']);

/** Whether a spreadsheet would run this text as a formula (the workbook marks such cells as text). */
export function looksLikeFormula(value: string): boolean {
  return value.length > 0 && FORMULA_TRIGGERS.has(value[0]!);
}

/** A leading `'` makes formula-like text plain text again in a spreadsheet: for CSV a person opens. */
export function neutraliseFormula(value: string): string {
  return looksLikeFormula(value) ? `'${value}` : value;
}

/**
 * Who a CSV is for. `raw` (for machines, the API's default): every value exactly as stored, UTF-8
 * without a BOM, since a machine must read a supplier's name as the supplier wrote it. `excel` (for
 * people, the console's downloads): a BOM so Excel reads UTF-8, and formula-like text neutralised.
 */
export type CsvProfile = 'raw' | 'excel';

/** `?format=`: `csv` is the raw profile, `excel` the one for people. */
export const csvFormatSchema = z
  .enum(['csv', 'excel'])
  .describe('`excel`: CSV for a person to open in a spreadsheet (a UTF-8 BOM, and text a spreadsheet would run as a formula prefixed with `\'`). `csv`: the values as they are, for machines.');

const UTF8_BOM = '\uFEFF';

/** The Content-Type of a CSV: `profile=excel` says the file was made for a person, not a parser. */
export function csvContentType(profile: CsvProfile): string {
  return profile === 'excel' ? 'text/csv; charset=utf-8; profile=excel' : 'text/csv; charset=utf-8';
}

type MediaRange = { type: string; params: Map<string, string> };

/** The media ranges of an Accept header with a q above 0, lower-cased, parameters unquoted. */
function acceptedRanges(accept: string | undefined): MediaRange[] {
  return (accept ?? '')
    .split(',')
    .map((part): MediaRange => {
      const [type = '', ...params] = part.split(';').map((piece) => piece.trim());
      return {
        type: type.toLowerCase(),
        params: new Map(params.map((param) => param.split('=').map((s) => s.trim().replace(/^"(.*)"$/, '$1').toLowerCase()) as [string, string])),
      };
    })
    .filter((range) => range.type !== '' && Number(range.params.get('q') ?? '1') > 0);
}

/** Whether Accept asks for CSV at all (`text/csv`, any parameters). */
export function acceptsCsv(accept: string | undefined): boolean {
  return acceptedRanges(accept).some((range) => range.type === 'text/csv');
}

/**
 * The profile a request asks for: `?format=` when given, else `Accept: text/csv; profile=excel`
 * for people, else raw. What a caller gets never depends on who the caller is, only on what it asks.
 */
export function csvProfileOf({ format, accept }: { format?: 'csv' | 'excel' | undefined; accept?: string | undefined }): CsvProfile {
  if (format) return format === 'excel' ? 'excel' : 'raw';
  return acceptedRanges(accept).some((range) => range.type === 'text/csv' && range.params.get('profile') === 'excel') ? 'excel' : 'raw';
}

export type CsvColumn<Row> = { header: string; value: (row: Row) => string | number | boolean | null | undefined };

type Cell = ReturnType<CsvColumn<unknown>['value']>;

// Everything is turned into a string here: csv-stringify would write `true` as `1` and `false` as
// an empty cell. Numbers are not neutralised, so `-2` stays a number a spreadsheet can add up.
function cellText(value: Cell, profile: CsvProfile): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return profile === 'excel' ? neutraliseFormula(value) : value;
  return String(value);
}

const OPTIONS = {
  record_delimiter: '\r\n',
  // csv-stringify quotes a field holding the record delimiter, not one holding a lone `\n` or
  // `\r`; RFC 4180 readers split on either unless the field is quoted.
  quoted_match: /[\r\n]/,
} as const;

// Records go to csv-stringify a batch at a time: one call per record costs more than the
// formatting itself once a file runs to thousands of rows.
const BATCH = 500;

async function* text<Row>(columns: CsvColumn<Row>[], rows: AsyncIterable<Row> | Iterable<Row>, profile: CsvProfile): AsyncGenerator<string> {
  const header = stringify([columns.map((column) => cellText(column.header, profile))], OPTIONS);
  yield profile === 'excel' ? UTF8_BOM + header : header;
  let batch: string[][] = [];
  for await (const row of rows) {
    batch.push(columns.map((column) => cellText(column.value(row), profile)));
    if (batch.length === BATCH) {
      yield stringify(batch, OPTIONS);
      batch = [];
    }
  }
  if (batch.length > 0) yield stringify(batch, OPTIONS);
}

/**
 * RFC 4180 CSV (header row, CRLF between records) in the given profile, as a stream: rows are
 * pulled from `rows` only as fast as the reader takes the text, so a large file never sits in
 * memory. An error in `rows` or in a column's `value` destroys the returned stream with that
 * error; destroying the returned stream (a client going away) stops the iteration.
 */
export function csvStream<Row>({ columns, rows, profile }: { columns: CsvColumn<Row>[]; rows: AsyncIterable<Row> | Iterable<Row>; profile: CsvProfile }): Readable {
  return Readable.from(text(columns, rows, profile), { objectMode: false });
}
