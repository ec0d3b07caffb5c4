import type ExcelJS from 'exceljs';
import { loadExcelJs } from '../../platform/excel';
import { WORKBOOK_COLUMNS, WORKBOOK_MAX_ROWS, WORKBOOK_SHEET, type Cell, type WorkbookRow } from './workbook.models';

/**
 * The offline workbook as bytes: writing `workbookRows` with exceljs (drop-down lists kept on a
 * hidden sheet, so labels with commas and long lists work), and reading an upload back into plain
 * cells, refusing anything that is not a reasonable .xlsx before exceljs unpacks it.
 */

/** Unpacked, a workbook of a few hundred questions is well under 1 MB; anything far bigger is not ours. */
const MAX_UNPACKED_BYTES = 40 * 1024 * 1024;
const MAX_ENTRIES = 500;
const LIST_SHEET = 'Lists';

export async function writeWorkbook({ rows, title, now }: { rows: WorkbookRow[]; title: string; now: Date }): Promise<Buffer> {
  const workbook = new (await loadExcelJs()).Workbook();
  workbook.creator = 'AI supplier due diligence';
  workbook.title = title;
  workbook.created = now;
  workbook.modified = now;
  const sheet = workbook.addWorksheet(WORKBOOK_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  const lists = workbook.addWorksheet(LIST_SHEET, { state: 'veryHidden' });
  sheet.columns = WORKBOOK_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  let listColumn = 0;
  for (const row of rows) {
    const added = sheet.addRow(row.cells);
    added.alignment = { vertical: 'top', wrapText: true };
    const answer = added.getCell('answer');
    if (row.date) answer.numFmt = 'dd/mm/yyyy';
    if (row.list && row.list.length > 0) {
      listColumn += 1;
      row.list.forEach((label, index) => {
        lists.getCell(index + 1, listColumn).value = label;
      });
      const letter = lists.getColumn(listColumn).letter;
      answer.dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [`${LIST_SHEET}!$${letter}$1:$${letter}$${row.list.length}`],
        // Several choices are typed with semicolons, which the list itself cannot hold: allow them.
        showErrorMessage: !row.multiple,
        errorStyle: 'stop',
        errorTitle: 'Choose from the list',
        error: 'Choose one of the answers in the list.',
        showInputMessage: row.multiple,
        promptTitle: 'One or more',
        prompt: 'Choose one from the list, or type several separated by semicolons (;).',
      };
    }
    if (!row.file) {
      added.getCell('confidential').dataValidation = { type: 'list', allowBlank: true, formulae: ['"Yes,No"'], showErrorMessage: true, errorTitle: 'Yes or No', error: 'Enter Yes or No.' };
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The sum of a zip's declared unpacked sizes from its central directory, or null when it is not a zip we can read. */
export function unpackedSize(bytes: Buffer): { entries: number; bytes: number } | null {
  if (bytes.length < 22 || bytes.readUInt32LE(0) !== 0x04034b50) return null;
  // The end-of-central-directory record is in the last 22 bytes plus up to 64 KB of comment.
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i -= 1) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const entries = bytes.readUInt16LE(end + 10);
  let offset = bytes.readUInt32LE(end + 16);
  let total = 0;
  for (let n = 0; n < entries; n += 1) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== 0x02014b50) return null;
    const size = bytes.readUInt32LE(offset + 24);
    // ZIP64 marks sizes it cannot hold in 32 bits: far beyond anything we made.
    if (size === 0xffffffff) return { entries, bytes: Number.MAX_SAFE_INTEGER };
    total += size;
    offset += 46 + bytes.readUInt16LE(offset + 28) + bytes.readUInt16LE(offset + 30) + bytes.readUInt16LE(offset + 32);
  }
  return { entries, bytes: total };
}

/** A cell's value as plain data: rich text and links as their text, a formula as its result. */
export function plainCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text?: unknown }>; text?: unknown; result?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((part) => String(part.text ?? '')).join('');
    if (v.text !== undefined) return plainCell(v.text);
    if ('result' in v) return plainCell(v.result);
  }
  return null;
}

export type ReadWorkbook = { ok: true; header: Cell[]; rows: Array<{ number: number; cells: Cell[] }> } | { ok: false; message: string };

const NOT_XLSX = 'The selected file must be an Excel workbook (.xlsx)';

/** The question sheet's header and rows, or why the file cannot be read. Never throws on what a browser might send. */
export async function readWorkbook(bytes: Buffer): Promise<ReadWorkbook> {
  const size = unpackedSize(bytes);
  if (!size) return { ok: false, message: NOT_XLSX };
  if (size.entries > MAX_ENTRIES || size.bytes > MAX_UNPACKED_BYTES) return { ok: false, message: 'The selected workbook is too big: use the workbook downloaded from this page' };
  const workbook = new (await loadExcelJs()).Workbook();
  try {
    // exceljs declares its own `Buffer` type; a Node Buffer is what it reads.
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch {
    return { ok: false, message: NOT_XLSX };
  }
  const sheet = workbook.getWorksheet(WORKBOOK_SHEET) ?? workbook.worksheets.find((s) => s.state === 'visible');
  if (!sheet || sheet.actualRowCount === 0) return { ok: false, message: 'The selected workbook is empty' };
  if (sheet.actualRowCount > WORKBOOK_MAX_ROWS + 1) return { ok: false, message: `The selected workbook has more than ${WORKBOOK_MAX_ROWS} rows: use the workbook downloaded from this page` };
  const cellsOf = (row: ExcelJS.Row): Cell[] => {
    const values = Array.isArray(row.values) ? row.values : [];
    // exceljs counts columns from 1; a question row has a dozen.
    return Array.from({ length: Math.min(values.length - 1, 50) }, (_, i) => plainCell(values[i + 1]));
  };
  const header = cellsOf(sheet.getRow(1));
  const rows: Array<{ number: number; cells: Cell[] }> = [];
  sheet.eachRow((row, number) => {
    if (number > 1) rows.push({ number, cells: cellsOf(row) });
  });
  return { ok: true, header, rows };
}
