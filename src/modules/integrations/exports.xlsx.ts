import JSZip from 'jszip';

/**
 * The number format that marks a cell as formula-like text: the built-in Text format (`@`, id 49).
 * exceljs (4.4) cannot write the cell style's `quotePrefix`, so `withQuotePrefix` adds it to every
 * cell style using this format once the file is written. Nothing else in our workbooks uses `@`.
 */
export const QUOTE_PREFIX_FORMAT = '@';
const QUOTE_PREFIX_FORMAT_ID = '49';

/**
 * Sets `quotePrefix="1"` on the cell styles (`cellXfs`) that use the Text format, so Excel keeps
 * such a cell as text even when someone edits it, as a typed leading `'` would, without the `'`
 * being part of the value that a program reading the file gets.
 */
export async function withQuotePrefix(xlsx: Buffer): Promise<Buffer> {
  // jszip is what exceljs itself writes workbooks with.
  const zip = await JSZip.loadAsync(xlsx);
  const styles = zip.file('xl/styles.xml');
  if (!styles) throw new Error('not a workbook: no xl/styles.xml');
  const xml = await styles.async('string');
  const marked = xml.replace(/<cellXfs\b[\s\S]*?<\/cellXfs>/, (cellXfs) =>
    cellXfs.replace(new RegExp(`<xf (?=[^>]*\\bnumFmtId="${QUOTE_PREFIX_FORMAT_ID}")(?![^>]*\\bquotePrefix=)`, 'g'), '<xf quotePrefix="1" '),
  );
  zip.file('xl/styles.xml', marked);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
