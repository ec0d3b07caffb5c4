import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';

/**
 * Spreadsheet formula injection defence (OWASP "CSV Injection"): a cell whose text starts with one
 * of these is run as a formula by Excel, LibreOffice and Google Sheets (the full-width `＝` by some
 * East Asian versions, `|` as a DDE call, `;` where it separates formula arguments). A leading `'`
 * makes it plain text again; supplier names and answers are written by outsiders, so every string is treated.
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\uff1d', '|', ';']);

export function neutraliseFormula(value: string): string {
  return value.length > 0 && FORMULA_TRIGGERS.has(value[0]!) ? `'${value}` : value;
}

export type CsvColumn<Row> = { header: string; value: (row: Row) => string | number | boolean | null | undefined };

type Cell = ReturnType<CsvColumn<unknown>['value']>;

// Everything is turned into a string here: csv-stringify would write `true` as `1` and `false` as
// an empty cell. Numbers are not neutralised, so `-2` stays a number a spreadsheet can add up.
function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return neutraliseFormula(value);
  return String(value);
}

const OPTIONS = {
  record_delimiter: '\r\n',
  // csv-stringify quotes a field holding the record delimiter, not one holding a lone `\n` or
  // `\r`; RFC 4180 readers split on either unless the field is quoted.
  quoted_match: /[\r\n]/,
} as const;

// Records go to csv-stringify a batch at a time: one call per record costs more than the
// formatting itself once a feed runs to thousands of rows.
const BATCH = 500;

async function* text<Row>(columns: CsvColumn<Row>[], rows: AsyncIterable<Row> | Iterable<Row>): AsyncGenerator<string> {
  yield stringify([columns.map((column) => neutraliseFormula(column.header))], OPTIONS);
  let batch: string[][] = [];
  for await (const row of rows) {
    batch.push(columns.map((column) => cellText(column.value(row))));
    if (batch.length === BATCH) {
      yield stringify(batch, OPTIONS);
      batch = [];
    }
  }
  if (batch.length > 0) yield stringify(batch, OPTIONS);
}

/**
 * RFC 4180 CSV (header row, CRLF between records) as a stream: rows are pulled from `rows` only as
 * fast as the reader takes the text, so a large feed never sits in memory. An error in `rows` or
 * in a column's `value` destroys the returned stream with that error; destroying the returned
 * stream (a client going away) stops the iteration.
 */
export function csvStream<Row>({ columns, rows }: { columns: CsvColumn<Row>[]; rows: AsyncIterable<Row> | Iterable<Row> }): Readable {
  return Readable.from(text(columns, rows), { objectMode: false });
}
