import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { plainCell, readWorkbook, unpackedSize, writeWorkbook } from '../../../src/modules/responses/workbook.excel';
import { WORKBOOK_COLUMNS, type Cell, type WorkbookRow } from '../../../src/modules/responses/workbook.models';

const row = (cells: Partial<WorkbookRow['cells']>, more: Partial<WorkbookRow> = {}): WorkbookRow => ({
  cells: { ...(Object.fromEntries(WORKBOOK_COLUMNS.map((c) => [c.key, null])) as WorkbookRow['cells']), ...cells },
  list: null,
  multiple: false,
  date: false,
  file: false,
  ...more,
});

describe('the workbook as bytes', () => {
  it.each<[string, unknown, Cell]>([
    ['text', 'Never', 'Never'],
    ['a number', 24, 24],
    ['a date', new Date(Date.UTC(2027, 2, 27)), new Date(Date.UTC(2027, 2, 27))],
    ['rich text, as its words', { richText: [{ text: 'ISO ' }, { text: '27001' }] }, 'ISO 27001'],
    ['a link, as its text', { text: 'security@acme.example', hyperlink: 'mailto:security@acme.example' }, 'security@acme.example'],
    ['a formula, as its result', { formula: '12*2', result: 24 }, 24],
    ['an error, as nothing', { error: '#N/A' }, null],
    ['an empty cell', null, null],
  ])('reads %s', (_case, value, expected) => {
    expect(plainCell(value)).toEqual(expected);
  });

  it('reads back what it wrote, header first, with each row numbered as Excel numbers it', async () => {
    const bytes = await writeWorkbook({
      rows: [row({ key: 'a.training', answer: 'Never' }, { list: ['Never', 'By default'] }), row({ key: 'c.review', answer: new Date(Date.UTC(2027, 2, 27)) }, { date: true })],
      title: 'Council tax chatbot',
      now: new Date('2026-12-01T00:00:00Z'),
    });
    const read = await readWorkbook(bytes);
    expect(read.ok && read.header).toEqual(WORKBOOK_COLUMNS.map((c) => c.header));
    expect(read.ok && read.rows.map((r) => [r.number, r.cells[0], r.cells[8]])).toEqual([
      [2, 'a.training', 'Never'],
      [3, 'c.review', new Date(Date.UTC(2027, 2, 27))],
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    expect(workbook.getWorksheet('Lists')?.state).toBe('veryHidden');
    expect(workbook.getWorksheet('Questions')?.getCell('I3').numFmt).toBe('dd/mm/yyyy');
  });

  it('counts what a zip would unpack to before anything unpacks it', async () => {
    const bytes = await writeWorkbook({ rows: [row({ key: 'x', answer: 'y'.repeat(10_000) })], title: 't', now: new Date() });
    const size = unpackedSize(bytes)!;
    expect(size.entries).toBeGreaterThan(5);
    expect(size.bytes).toBeGreaterThan(10_000);
    expect(size.bytes).toBeGreaterThan(bytes.length);
  });

  it.each<[string, Buffer]>([
    ['nothing', Buffer.alloc(0)],
    ['a PDF', Buffer.from('%PDF-1.4\n%%EOF\n'.repeat(4))],
    ['a zip header with no directory', Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(64)])],
  ])('refuses %s as a workbook', async (_case, bytes) => {
    expect(unpackedSize(bytes)).toBeNull();
    expect(await readWorkbook(bytes)).toEqual({ ok: false, message: 'The selected file must be an Excel workbook (.xlsx)' });
  });
});
