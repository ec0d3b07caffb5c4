import type { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { acceptsCsv, csvContentType, csvProfileOf, csvStream, neutraliseFormula, type CsvColumn } from '../../../src/modules/integrations/csv';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const textOf = async (stream: Readable) => (await bytesOf(stream)).toString('utf8');

describe('neutraliseFormula', () => {
  it.each([
    ['a formula', '=1+1', "'=1+1"],
    ['a phone number with a plus', '+44 20', "'+44 20"],
    ['a negative number written as text', '-2', "'-2"],
    ['an at-function', '@SUM(A1)', "'@SUM(A1)"],
    ['a leading tab', '\tx', "'\tx"],
    ['a leading carriage return', '\rx', "'\rx"],
    ['a HYPERLINK supplier name', '=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'],
    ['a full-width equals sign, which some spreadsheets read as =', '＝1+1', "'＝1+1"],
    ['a pipe, which older Excel reads as a DDE call', '|calc!A0', "'|calc!A0"],
    ['a semicolon, a formula separator in some locales', ';=1+1', "';=1+1"],
  ])('prefixes %s with a quote', (_name, value, expected) => {
    expect(neutraliseFormula(value)).toBe(expected);
  });

  it.each([
    ['ordinary text', 'Alpha AI Ltd'],
    ['text with a formula character later on', 'Alpha = Beta - Gamma @ 1'],
    ['an empty string', ''],
    ['a leading space', ' =1+1'],
    ['a leading quote', "'already text"],
    ['a pipe or semicolon later on', 'Alpha | Beta; Gamma ＝ Delta'],
  ])('leaves %s unchanged', (_name, value) => {
    expect(neutraliseFormula(value)).toBe(value);
  });
});

type Supplier = { name: string; notes: string | null | undefined; score: number | null; final: boolean | null };

const columns: CsvColumn<Supplier>[] = [
  { header: 'name', value: (r) => r.name },
  { header: 'notes', value: (r) => r.notes },
  { header: 'score', value: (r) => r.score },
  { header: 'final', value: (r) => r.final },
];

describe('csvStream', () => {
  it('writes a header row and CRLF records that parse back to the same values, quotes, commas and line breaks included', async () => {
    const rows: Supplier[] = [
      { name: 'Alpha, Beta & Co', notes: 'Said "never" twice', score: 62.5, final: true },
      { name: 'Gamma\nLtd', notes: 'line one\r\nline two', score: -2, final: false },
      { name: 'Café Ünïcode £', notes: 'carriage\rreturn', score: 0, final: null },
      { name: 'Delta', notes: null, score: null, final: null },
      { name: 'Epsilon', notes: undefined, score: 100, final: true },
    ];
    const text = await textOf(csvStream({ columns, rows, profile: 'raw' }));

    expect(text.startsWith('name,notes,score,final\r\n')).toBe(true);
    expect(text.endsWith('Epsilon,,100,true\r\n')).toBe(true);
    // RFC 4180: a field holding any line break is quoted, a lone \n or \r included.
    expect(text).toContain('"Gamma\nLtd"');
    expect(text).toContain('"carriage\rreturn"');
    expect(parse(text, { record_delimiter: '\r\n' })).toEqual([
      ['name', 'notes', 'score', 'final'],
      ['Alpha, Beta & Co', 'Said "never" twice', '62.5', 'true'],
      ['Gamma\nLtd', 'line one\r\nline two', '-2', 'false'],
      ['Café Ünïcode £', 'carriage\rreturn', '0', ''],
      ['Delta', '', '', ''],
      ['Epsilon', '', '100', 'true'],
    ]);
  });

  const formulas = { name: '=HYPERLINK("http://x","y")', notes: '+44 20 7946 0000', score: -1, final: false };
  const formulaColumns: CsvColumn<Supplier>[] = [...columns, { header: '=header', value: () => '@cmd' }];

  it('for people (excel): starts with a UTF-8 BOM and neutralises text cells and headers, but not numbers', async () => {
    const bytes = await bytesOf(csvStream({ columns: formulaColumns, rows: [formulas], profile: 'excel' }));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // Exactly one BOM, before the header row only.
    expect(bytes.toString('utf8').match(/\uFEFF/g)).toHaveLength(1);
    expect(parse(bytes, { bom: true })).toEqual([
      ['name', 'notes', 'score', 'final', "'=header"],
      ['\'=HYPERLINK("http://x","y")', "'+44 20 7946 0000", '-1', 'false', "'@cmd"],
    ]);
  });

  it('for machines (raw): no BOM, and every value exactly as given, a formula-like supplier name included', async () => {
    const bytes = await bytesOf(csvStream({ columns: formulaColumns, rows: [formulas], profile: 'raw' }));
    expect(bytes.subarray(0, 4).toString('utf8')).toBe('name');
    expect(bytes.includes(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    expect(parse(bytes)).toEqual([
      ['name', 'notes', 'score', 'final', '=header'],
      ['=HYPERLINK("http://x","y")', '+44 20 7946 0000', '-1', 'false', '@cmd'],
    ]);
  });

  it('writes only the header when there are no rows', async () => {
    expect(await textOf(csvStream({ columns, rows: [], profile: 'raw' }))).toBe('name,notes,score,final\r\n');
  });

  it('reads rows from an async iterable', async () => {
    async function* rows(): AsyncGenerator<Supplier> {
      yield { name: 'One', notes: 'first', score: 1, final: true };
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield { name: 'Two', notes: 'second', score: 2, final: false };
    }
    expect(parse(await textOf(csvStream({ columns, rows: rows(), profile: 'raw' })), { columns: true })).toEqual([
      { name: 'One', notes: 'first', score: '1', final: 'true' },
      { name: 'Two', notes: 'second', score: '2', final: 'false' },
    ]);
  });

  it('streams 50,000 rows from a generator, pulling them only as the reader takes the text', async () => {
    const total = 50_000;
    let produced = 0;
    function* rows(): Generator<Supplier> {
      for (let i = 0; i < total; i += 1) {
        produced += 1;
        yield { name: `Supplier ${i}`, notes: i % 7 === 0 ? 'has, a comma' : 'plain', score: i % 100, final: i % 2 === 0 };
      }
    }
    const stream = csvStream({ columns, rows: rows(), profile: 'raw' });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // Backpressure: after the first chunk only a buffer's worth of rows has been generated.
    expect(produced).toBeLessThan(total / 2);

    let text = Buffer.from(first.value).toString('utf8');
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += Buffer.from(next.value).toString('utf8');
    expect(produced).toBe(total);
    const records: string[][] = parse(text);
    expect(records).toHaveLength(total + 1);
    expect(records[total]).toEqual([`Supplier ${total - 1}`, 'plain', String((total - 1) % 100), 'false']);
    expect(records[7]).toEqual(['Supplier 6', 'plain', '6', 'true']);
    expect(records[8]).toEqual(['Supplier 7', 'has, a comma', '7', 'false']);
  });

  it('fails the stream when the rows fail, rather than ending it as if complete', async () => {
    function* rows(): Generator<Supplier> {
      yield { name: 'One', notes: null, score: 1, final: true };
      throw new Error('database went away');
    }
    await expect(textOf(csvStream({ columns, rows: rows(), profile: 'raw' }))).rejects.toThrow('database went away');
  });

  it('stops pulling rows when the reader goes away', async () => {
    let produced = 0;
    let finished = false;
    function* rows(): Generator<Supplier> {
      try {
        for (let i = 0; i < 1_000_000; i += 1) {
          produced += 1;
          yield { name: `Supplier ${i}`, notes: null, score: i, final: null };
        }
      } finally {
        finished = true;
      }
    }
    const stream = csvStream({ columns, rows: rows(), profile: 'raw' });
    for await (const _chunk of stream) break; // destroys the stream
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(finished).toBe(true);
    expect(produced).toBeLessThan(1_000_000);
  });
});

describe('which CSV profile a request asks for', () => {
  it.each([
    ['nothing said', {}, 'raw'],
    ['a plain Accept: text/csv', { accept: 'text/csv' }, 'raw'],
    ['Accept: text/csv; profile=excel', { accept: 'text/csv; profile=excel' }, 'excel'],
    ['a quoted, upper-case profile among other types', { accept: 'application/json;q=0.5, TEXT/CSV;Profile="Excel"' }, 'excel'],
    ['an excel profile refused with q=0', { accept: 'text/csv;profile=excel;q=0, text/csv' }, 'raw'],
    ['the profile on another type', { accept: 'text/plain; profile=excel' }, 'raw'],
    ['format=excel', { format: 'excel' }, 'excel'],
    ['format=csv, which wins over Accept', { format: 'csv', accept: 'text/csv; profile=excel' }, 'raw'],
    ['format=excel, which wins over a plain Accept', { format: 'excel', accept: 'text/csv' }, 'excel'],
  ] as const)('%s gives %s', (_name, request, profile) => {
    expect(csvProfileOf(request)).toBe(profile);
  });

  it('says the profile in the Content-Type', () => {
    expect(csvContentType('raw')).toBe('text/csv; charset=utf-8');
    expect(csvContentType('excel')).toBe('text/csv; charset=utf-8; profile=excel');
  });

  it.each([
    ['text/csv', true],
    ['application/json, text/csv;q=0.1', true],
    ['text/csv; profile=excel', true],
    ['text/csv;q=0', false],
    ['application/json', false],
    ['*/*', false],
    [undefined, false],
  ])('Accept %s asks for CSV: %s', (accept, expected) => {
    expect(acceptsCsv(accept)).toBe(expected);
  });
});
