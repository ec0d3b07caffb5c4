import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { create as openFont } from 'fontkit';
import PDFDocument from 'pdfkit';
import type { Block, PdfDocument, TableColumn } from './document';

/**
 * Draws a `PdfDocument` with pdfkit, and nothing else: no database, no HTTP. The output is a
 * tagged PDF (PDF/UA identifier, structure tree, `en-GB`, title shown in the title bar) with the
 * fonts embedded, bookmarks for the top-level headings, and on every page the protective marking,
 * the document's reference and "Page N of M". All dates come from the document, so the same
 * document always gives the same bytes.
 */

export type PdfFonts = { regular: string; bold: string };

const require = createRequire(import.meta.url);

/** Source Sans 3 (SIL Open Font License), shipped as TrueType in an npm package and passed by path. */
export const DEFAULT_FONTS: PdfFonts = {
  regular: require.resolve('@expo-google-fonts/source-sans-3/400Regular/SourceSans3_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/source-sans-3/700Bold/SourceSans3_700Bold.ttf'),
};

type Doc = PDFKit.PDFDocument;

const parsedCache = new Map<string, unknown>();
const layoutCaches = new Map<string, Record<string, unknown>>();
const LAYOUT_CACHE_WORDS = 100_000;

/**
 * pdfkit shapes each word once per document and keeps the result in its font's `layoutCache`.
 * Documents repeat the same question texts, labels and headings, so the shaped words are shared
 * between documents (they depend only on the font file). It reaches into pdfkit (pinned 0.20.x);
 * if the field is ever gone, nothing is shared and only speed suffers. Bounded: reset when full.
 */
function shareLayoutCache(doc: Doc, face: (name: 'regular' | 'bold') => Doc, fonts: PdfFonts): void {
  for (const name of ['regular', 'bold'] as const) {
    const font = (face(name) as unknown as { _font?: { layoutCache?: unknown } })._font;
    if (!font || typeof font.layoutCache !== 'object' || font.layoutCache === null) continue;
    let shared = layoutCaches.get(fonts[name]);
    if (!shared || Object.keys(shared).length > LAYOUT_CACHE_WORDS) {
      shared = Object.create(null) as Record<string, unknown>;
      layoutCaches.set(fonts[name], shared);
    }
    font.layoutCache = shared;
  }
}

/** Each font file is read and parsed once per process: its tables are then decoded once, not once a document. */
function parsedFonts(fonts: PdfFonts): Record<'regular' | 'bold', unknown> {
  const open = (path: string) => {
    let font = parsedCache.get(path);
    if (!font) {
      font = openFont(readFileSync(path));
      parsedCache.set(path, font);
    }
    return font;
  };
  return { regular: open(fonts.regular), bold: open(fonts.bold) };
}
type Struct = PDFKit.PDFStructureElement;
type Face = (name: 'regular' | 'bold') => Doc;

const INK = '#0b0c0c';
const MUTED = '#505a5f';
const LINE = '#b1b4b6';
const HEAD_FILL = '#f3f2f1';
const EMPHASIS_FILL = '#fff7bf';
const BAR = '#1d70b8';
const NOTICE_BAR = '#1d70b8';

const MARGIN = { top: 64, bottom: 64, left: 56, right: 56 };
const BODY = 10.5;
const SMALL = 9;
const HEADINGS = { 1: 19, 2: 14.5, 3: 11.5 } as const;
const CELL_PAD = 4;
const LINE_GAP = 1.5;
const CHART_ROW = 17;

export type RenderedPdf = { pdf: Buffer; pages: number };

export async function renderPdf({ document, fonts = DEFAULT_FONTS }: { document: PdfDocument; fonts?: PdfFonts }): Promise<RenderedPdf> {
  const created = new Date(document.createdAt);
  // @types/pdfkit does not yet know the `PDF/UA` subset pdfkit has supported since 0.15.
  const options = {
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    tagged: true,
    subset: 'PDF/UA',
    pdfVersion: '1.7',
    lang: 'en-GB',
    displayTitle: true,
    info: {
      Title: document.title,
      Author: document.author,
      Subject: document.subject,
      Keywords: `${document.reference}; ${document.marking}`,
      Creator: 'Council AI due diligence',
      CreationDate: created,
      ModDate: created,
    },
  };
  const doc = new PDFDocument(options as unknown as PDFKit.PDFDocumentOptions);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const parsed = parsedFonts(fonts);
  doc.registerFont('regular', parsed.regular as never);
  doc.registerFont('bold', parsed.bold as never);
  const face = (name: 'regular' | 'bold') => doc.font(name);
  shareLayoutCache(doc, face, fonts);

  const root = doc.struct('Document');
  doc.addStructure(root);
  const writer = new Writer(doc, root, face);
  document.blocks.forEach((block, i) => writer.block(block, document.blocks[i + 1]));
  root.end();
  const pages = decoratePages(doc, document, face);
  doc.end();
  return { pdf: await finished, pages };
}

/** Keeps the place on the page and the current top-level bookmark while blocks are drawn in order. */
class Writer {
  private topBookmark: PDFKit.PDFOutline | null = null;
  private blocksOnPage = 0;

  constructor(
    private readonly doc: Doc,
    private readonly root: Struct,
    private readonly face: Face,
  ) {}

  private get left() {
    return MARGIN.left;
  }
  private get width() {
    return this.doc.page.width - MARGIN.left - MARGIN.right;
  }
  private get bottom() {
    return this.doc.page.height - MARGIN.bottom;
  }

  private newPage() {
    this.doc.addPage();
    this.blocksOnPage = 0;
  }

  /** Starts a new page unless `height` still fits on this one. */
  private ensure(height: number) {
    if (this.doc.y + height > this.bottom && this.blocksOnPage > 0) this.newPage();
  }

  private measure(text: string, { font, size, width }: { font: 'regular' | 'bold'; size: number; width: number }): number {
    this.face(font).fontSize(size);
    // Most cells are one short line: a width check is far cheaper than laying the text out.
    if (!text.includes('\n') && this.doc.widthOfString(text) <= width) return this.doc.currentLineHeight(true) + LINE_GAP;
    return this.doc.heightOfString(text, { width, lineGap: LINE_GAP });
  }

  /** Marks what a reader does not need read aloud (rules, fills, repeated table headers). */
  private artifact(draw: () => void) {
    this.doc.markContent('Artifact');
    draw();
    this.doc.endMarkedContent();
  }

  private add(parent: Struct, type: string, draw: () => void, options: Record<string, unknown> = {}): void {
    parent.add(this.doc.struct(type, options, draw));
  }

  block(block: Block, next: Block | undefined): void {
    switch (block.kind) {
      case 'heading':
        this.heading(block, next);
        break;
      case 'paragraph':
        this.paragraph(block, next);
        break;
      case 'list':
        this.list(block.items);
        break;
      case 'facts':
        this.table({ caption: null, columns: [{ header: '', width: 0.28 }, { header: '', width: 0.72 }], header: false, rows: block.rows, emphasis: [] });
        break;
      case 'table':
        this.table({ caption: block.caption, columns: block.columns, header: true, rows: block.rows, emphasis: block.emphasis ?? [] });
        break;
      case 'barChart':
        this.barChart(block);
        break;
    }
    this.blocksOnPage += 1;
  }

  /** How much of the next block must fit under a heading for the heading not to be left alone at the foot of a page. */
  private keepWith(next: Block | undefined): number {
    if (next?.kind === 'barChart') return next.bars.length * CHART_ROW + 22;
    if (next?.kind === 'table' || next?.kind === 'facts') {
      // The caption, the header row and the first row of a table, so a heading never sits over a page break.
      const cells: readonly string[] | undefined = next.rows[0];
      const widths = next.kind === 'table' ? next.columns.map((c) => c.width / next.columns.reduce((sum, x) => sum + x.width, 0)) : [0.28, 0.72];
      const rowOf = (row: readonly string[] | undefined) =>
        row ? Math.max(...row.map((cell, col) => this.measure(cell, { font: 'regular', size: SMALL + 0.5, width: widths[col]! * this.width - 2 * CELL_PAD }))) + 2 * CELL_PAD : 0;
      const first = rowOf(cells);
      const head = next.kind === 'table' ? rowOf(next.columns.map((c) => c.header)) + this.measure(next.caption, { font: 'bold', size: SMALL + 0.5, width: this.width }) + 3 : 0;
      // A first row taller than a page flows on (see `tallRow`): only its first lines need to come with the heading.
      const room = this.bottom - MARGIN.top - head;
      return head + (first > room ? 3 * BODY + 2 * CELL_PAD : Math.max(first, 20));
    }
    return 60;
  }

  private heading(block: Extract<Block, { kind: 'heading' }>, next: Block | undefined) {
    const size = HEADINGS[block.level];
    const height = this.measure(block.text, { font: 'bold', size, width: this.width });
    if (block.level === 1 && this.blocksOnPage > 0) this.newPage();
    else this.ensure(height + 20 + this.keepWith(next));
    if (this.blocksOnPage > 0) this.doc.moveDown(block.level === 3 ? 0.6 : 0.9);
    if (block.level === 1 || block.bookmark) {
      const parent = block.level === 1 || !this.topBookmark ? this.doc.outline : this.topBookmark;
      const item = parent.addItem(block.text);
      if (block.level === 1) this.topBookmark = item;
    }
    this.add(this.root, `H${block.level}`, () => {
      this.face('bold').fontSize(size).fillColor(INK).text(block.text, this.left, this.doc.y, { width: this.width, lineGap: LINE_GAP });
    });
    this.doc.moveDown(0.35);
  }

  private paragraph(block: Extract<Block, { kind: 'paragraph' }>, next: Block | undefined) {
    const tone = block.tone ?? 'normal';
    const font = tone === 'strong' || tone === 'notice' ? 'bold' : 'regular';
    const size = tone === 'muted' ? SMALL : BODY;
    const indent = tone === 'notice' ? 12 : 0;
    const width = this.width - indent;
    const height = this.measure(block.text, { font, size, width });
    // A short bold label ("Working") introduces the list under it: never left alone at the foot of a page.
    const label = tone === 'strong' && next?.kind === 'list' && next.items.length > 0;
    const followed = label ? Math.min(this.measure(next.items[0]!, { font: 'regular', size: BODY, width: this.width - 14 }), 3 * BODY) + 4 : 0;
    this.ensure(label ? height + followed : Math.min(height, 3 * size));
    const top = this.doc.y;
    this.add(this.root, 'P', () => {
      this.face(font)
        .fontSize(size)
        .fillColor(tone === 'muted' ? MUTED : INK)
        .text(block.text, this.left + indent, this.doc.y, { width, lineGap: LINE_GAP });
    });
    if (tone === 'notice' && this.doc.y > top) this.artifact(() => this.doc.rect(this.left, top - 2, 4, this.doc.y - top + 2).fill(NOTICE_BAR));
    this.doc.moveDown(0.45);
  }

  private list(items: string[]) {
    const list = this.doc.struct('L');
    this.root.add(list);
    for (const item of items) {
      const height = this.measure(item, { font: 'regular', size: BODY, width: this.width - 14 });
      this.ensure(Math.min(height, 3 * BODY));
      const y = this.doc.y;
      const li = this.doc.struct('LI');
      list.add(li);
      this.add(li, 'Lbl', () => {
        this.face('regular').fontSize(BODY).fillColor(INK).text('•', this.left + 2, y, { width: 10, lineBreak: false });
      });
      this.add(li, 'LBody', () => {
        this.face('regular').fontSize(BODY).fillColor(INK).text(item, this.left + 14, y, { width: this.width - 14, lineGap: LINE_GAP });
      });
      li.end();
      this.doc.moveDown(0.15);
    }
    list.end();
    this.doc.moveDown(0.35);
  }

  private table({ caption, columns, header, rows, emphasis }: { caption: string | null; columns: TableColumn[]; header: boolean; rows: string[][]; emphasis: Array<[number, number]> }) {
    const total = columns.reduce((sum, c) => sum + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const emphasised = new Set(emphasis.map(([r, c]) => `${r}:${c}`));
    const heightOf = (cells: string[], bold: (col: number) => boolean) =>
      Math.max(...cells.map((cell, col) => this.measure(cell, { font: bold(col) ? 'bold' : 'regular', size: SMALL + 0.5, width: widths[col]! - 2 * CELL_PAD }))) + 2 * CELL_PAD;
    const headerCells = columns.map((c) => c.header);
    const headerHeight = header ? heightOf(headerCells, () => true) : 0;
    const firstRow = rows[0] ? heightOf(rows[0], (col) => !header && col === 0) : 0;

    const table = this.doc.struct('Table');
    this.root.add(table);
    const captionHeight = caption ? this.measure(caption, { font: 'bold', size: SMALL + 0.5, width: this.width }) + 3 : 0;
    // The caption and header row go with the whole first row (or, for a row taller than a page, its first lines): never a lone header at a page foot.
    const tallFirst = firstRow > this.bottom - MARGIN.top - headerHeight;
    this.ensure(captionHeight + headerHeight + (tallFirst ? 3 * BODY + 2 * CELL_PAD : firstRow));
    if (caption)
      this.add(table, 'Caption', () => {
        this.face('bold').fontSize(SMALL + 0.5).fillColor(INK).text(caption, this.left, this.doc.y, { width: this.width, lineGap: LINE_GAP });
      });
    if (caption) this.doc.y += 3;

    const drawRow = (cells: string[], { parent, kind, bold, fill }: { parent: Struct | null; kind: 'TH' | 'TD'; bold: (col: number) => boolean; fill: (col: number) => string | null }, height: number) => {
      const y = this.doc.y;
      this.artifact(() => {
        cells.forEach((_, col) => {
          const colour = fill(col);
          if (colour) this.doc.rect(xs[col]!, y, widths[col]!, height).fill(colour);
        });
        this.doc.moveTo(this.left, y + height).lineTo(this.left + this.width, y + height).lineWidth(0.5).strokeColor(LINE).stroke();
      });
      const drawCell = (cell: string, col: number) => () => {
        const align = columns[col]!.align ?? 'left';
        this.face(bold(col) ? 'bold' : 'regular')
          .fontSize(SMALL + 0.5)
          .fillColor(INK)
          .text(cell, xs[col]! + CELL_PAD, y + CELL_PAD, { width: widths[col]! - 2 * CELL_PAD, align, lineGap: LINE_GAP });
      };
      if (parent) {
        const tr = this.doc.struct('TR');
        parent.add(tr);
        cells.forEach((cell, col) => {
          const type = kind === 'TH' || (!header && col === 0) ? 'TH' : 'TD';
          const scope = kind === 'TH' ? 'Column' : 'Row';
          this.add(tr, type, drawCell(cell, col), type === 'TH' ? { scope } : {});
        });
        tr.end();
      } else {
        this.artifact(() => cells.forEach((cell, col) => drawCell(cell, col)()));
      }
      this.doc.x = this.left;
      this.doc.y = y + height;
    };
    const headStyle = { kind: 'TH' as const, bold: () => true, fill: () => HEAD_FILL };

    if (header) {
      const thead = this.doc.struct('THead');
      table.add(thead);
      drawRow(headerCells, { parent: thead, ...headStyle }, headerHeight);
      thead.end();
    }
    const tbody = this.doc.struct('TBody');
    table.add(tbody);
    rows.forEach((cells, r) => {
      const bold = (col: number) => (!header && col === 0) || emphasised.has(`${r}:${col}`);
      const fill = (col: number) => (emphasised.has(`${r}:${col}`) ? EMPHASIS_FILL : null);
      const height = heightOf(cells, bold);
      const room = this.bottom - MARGIN.top - headerHeight;
      if (height > room) {
        // Taller than a page (a long free-text answer): each cell in turn as flowing text.
        this.tallRow(tbody, cells, columns, header);
        return;
      }
      if (this.doc.y + height > this.bottom) {
        this.newPage();
        if (header) drawRow(headerCells, { parent: null, ...headStyle }, headerHeight);
      }
      drawRow(cells, { parent: tbody, kind: 'TD', bold, fill }, height);
    });
    tbody.end();
    table.end();
    this.doc.moveDown(0.6);
  }

  /** A row too tall for one page: label and value stacked at full width, so the text can flow on. */
  private tallRow(tbody: Struct, cells: string[], columns: TableColumn[], header: boolean) {
    const tr = this.doc.struct('TR');
    tbody.add(tr);
    cells.forEach((cell, col) => {
      const isHeader = !header && col === 0;
      const label = header ? `${columns[col]!.header}: ` : '';
      this.ensure(3 * BODY);
      this.add(
        tr,
        isHeader ? 'TH' : 'TD',
        () => {
          this.face(isHeader ? 'bold' : 'regular')
            .fontSize(SMALL + 0.5)
            .fillColor(INK)
            .text(`${label}${cell}`, this.left + CELL_PAD, this.doc.y + CELL_PAD, { width: this.width - 2 * CELL_PAD, lineGap: LINE_GAP });
        },
        isHeader ? { scope: 'Row' } : {},
      );
    });
    tr.end();
    this.doc.x = this.left;
    this.doc.y += CELL_PAD;
  }

  private barChart(block: Extract<Block, { kind: 'barChart' }>) {
    const rowHeight = CHART_ROW;
    const labelWidth = this.width * 0.36;
    const axisLeft = this.left + labelWidth + 8;
    const axisWidth = this.width - labelWidth - 8 - 34;
    const height = block.bars.length * rowHeight + 22;
    this.ensure(height);
    const top = this.doc.y;
    this.face('regular').fontSize(SMALL);
    const labels = chartLabels({ labels: block.bars.map((b) => b.label), width: labelWidth, top, rowHeight, lineHeight: this.doc.currentLineHeight(true), widthOf: (text) => this.doc.widthOfString(text) });
    const scale = (value: number) => (Math.max(0, Math.min(value, block.max)) / block.max) * axisWidth;
    this.add(
      this.root,
      'Figure',
      () => {
        const doc = this.doc;
        const face = this.face;
        for (let tick = 0; tick <= 4; tick += 1) {
          const x = axisLeft + (axisWidth * tick) / 4;
          doc.moveTo(x, top).lineTo(x, top + block.bars.length * rowHeight).lineWidth(0.5).strokeColor(LINE).stroke();
          face('regular').fontSize(SMALL - 1).fillColor(MUTED).text(String((block.max * tick) / 4), x - 15, top + block.bars.length * rowHeight + 4, { width: 30, align: 'center', lineBreak: false });
        }
        block.bars.forEach((bar, i) => {
          const y = top + i * rowHeight;
          // Cut to the label column beforehand: pdfkit would otherwise wrap a long title into the next bar's row.
          face('regular').fontSize(SMALL).fillColor(INK).text(labels[i]!.text, this.left, labels[i]!.y, { width: labelWidth, align: 'right', lineBreak: false });
          if (bar.note !== undefined) {
            // No bar, so it cannot be read as one that counts: the note, muted, where the bar would be.
            // One line in the bar's row: a smaller size when it is long, and cut with an ellipsis only
            // past that (the alternative text and the tables say it whole), never wrapping onto the axis.
            const room = axisWidth + 30;
            let size = SMALL;
            face('regular').fontSize(size);
            while (size > SMALL - 2 && doc.widthOfString(bar.note) > room) doc.fontSize((size -= 0.5));
            let note = bar.note;
            while (note.length > 1 && doc.widthOfString(note) > room) note = `${note.slice(0, note.lastIndexOf(' ', note.length - 2) > 0 ? note.lastIndexOf(' ', note.length - 2) : note.length - 2).replace(/[\s.,;:]+$/, '')}…`;
            // On white, so the axis lines do not run through the words.
            doc.rect(axisLeft + 2, y + 2, Math.min(doc.widthOfString(note) + 4, room + 2), rowHeight - 4).fill('#ffffff');
            doc.fontSize(size).fillColor(MUTED).text(note, axisLeft + 4, y + 4, { lineBreak: false });
            return;
          }
          if (bar.value !== null) doc.rect(axisLeft, y + 3, Math.max(scale(bar.value), 0.75), rowHeight - 6).fill(BAR);
          face('bold')
            .fontSize(SMALL)
            .fillColor(INK)
            .text(bar.value === null ? 'no score' : bar.value.toFixed(1), axisLeft + (bar.value === null ? 0 : scale(bar.value)) + 4, y + 4, { width: 60, lineBreak: false });
        });
      },
      { alt: block.alt, bbox: [this.left, top, this.left + this.width, top + height] },
    );
    this.doc.x = this.left;
    this.doc.y = top + height + 8;
  }
}

export type ChartLabel = { text: string; y: number; width: number; height: number };

/**
 * Where a bar chart's labels go: each cut with an ellipsis to the label column's width (the full
 * title is in the chart's alternative text and the table beside it), one line in its own bar's
 * row, so no label runs into the next. Pure, given a way to measure text.
 */
export function chartLabels({ labels, width, top, rowHeight, lineHeight, widthOf }: { labels: readonly string[]; width: number; top: number; rowHeight: number; lineHeight: number; widthOf: (text: string) => number }): ChartLabel[] {
  const fit = (text: string) => {
    if (widthOf(text) <= width) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (widthOf(`${text.slice(0, mid).trimEnd()}…`) <= width) lo = mid;
      else hi = mid - 1;
    }
    return `${text.slice(0, lo).trimEnd()}…`;
  };
  return labels.map((label, i) => {
    const text = fit(label);
    return { text, y: top + i * rowHeight + 4, width: widthOf(text), height: lineHeight };
  });
}

/** After layout, when the page count is known: the marking at the top, and the reference and "Page N of M" at the foot, as pagination artifacts. */
function decoratePages(doc: Doc, document: PdfDocument, face: Face): number {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i += 1) {
    doc.switchToPage(i);
    const { width, height } = doc.page;
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.markContent('Artifact', { type: 'Pagination' } as never);
    face('bold').fontSize(SMALL).fillColor(INK).text(document.marking, MARGIN.left, 30, { width: width - MARGIN.left - MARGIN.right, align: 'center', lineBreak: false });
    doc.moveTo(MARGIN.left, height - 48).lineTo(width - MARGIN.right, height - 48).lineWidth(0.5).strokeColor(LINE).stroke();
    face('regular')
      .fontSize(SMALL)
      .fillColor(INK)
      .text(`${document.reference} · ${document.marking}`, MARGIN.left, height - 42, { width: (width - MARGIN.left - MARGIN.right) * 0.75, lineBreak: false, ellipsis: true });
    doc.text(`Page ${i - start + 1} of ${count}`, MARGIN.left, height - 42, { width: width - MARGIN.left - MARGIN.right, align: 'right', lineBreak: false });
    doc.endMarkedContent();
    doc.page.margins.bottom = saved;
  }
  return count;
}
