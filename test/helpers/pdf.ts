import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export type ReadPdf = {
  numPages: number;
  /** The text of each page, lines joined with newlines, as a reader copying it out would get it. */
  pages: string[];
  text: string;
  info: Record<string, unknown>;
  marked: boolean;
  /** Top-level bookmarks and their children's titles. */
  outline: Array<{ title: string; items: string[] }>;
  /** Structure element roles on the first page, depth first. */
  firstPageRoles: string[];
  /** The level of every heading (H1 = 1 …), in reading order across all pages, from the structure tags. */
  headingLevels: number[];
};

type StructNode = { role?: string; children?: StructNode[] };
const rolesOf = (node: StructNode | null, out: string[] = []): string[] => {
  if (!node) return out;
  if (node.role) out.push(node.role);
  for (const child of node.children ?? []) rolesOf(child, out);
  return out;
};

/**
 * pdf.js in Node runs its "worker" in this process, and two documents read at once can answer a
 * page of one with the other's ("Invalid page request", seen with `Promise.all` over two summaries):
 * reads go one at a time.
 */
let reading: Promise<unknown> = Promise.resolve();

/** Reads a PDF back with pdf.js: its text, metadata, bookmarks and tags, as a reader or a screen reader would. */
export function readPdf(bytes: Uint8Array): Promise<ReadPdf> {
  const read = reading.then(() => readOne(bytes));
  reading = read.catch(() => undefined);
  return read;
}

async function readOne(bytes: Uint8Array): Promise<ReadPdf> {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n += 1) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join('').replace(/[ \t]+\n/g, '\n'));
    }
    const metadata = await doc.getMetadata();
    const markInfo = (await doc.getMarkInfo()) as { Marked?: boolean } | null;
    const outline = ((await doc.getOutline()) ?? []).map((item) => ({ title: item.title, items: item.items.map((child) => child.title) }));
    const firstPageRoles = rolesOf((await (await doc.getPage(1)).getStructTree()) as StructNode | null);
    const headingLevels: number[] = [];
    for (let n = 1; n <= doc.numPages; n += 1)
      for (const role of rolesOf((await (await doc.getPage(n)).getStructTree()) as StructNode | null)) {
        const level = /^H([1-6])$/.exec(role)?.[1];
        if (level) headingLevels.push(Number(level));
      }
    return { numPages: doc.numPages, pages, text: pages.join('\n'), info: metadata.info as Record<string, unknown>, marked: markInfo?.Marked === true, outline, firstPageRoles, headingLevels };
  } finally {
    await doc.destroy();
  }
}

/**
 * Keeps a report a test drew in `$REPORTS_OUT` (when set), so a person can look at it as images
 * (`pdftoppm -png`); nothing is written otherwise.
 */
export async function keepForLook(name: string, bytes: Uint8Array): Promise<void> {
  const dir = process.env.REPORTS_OUT;
  if (!dir) return;
  const { mkdir, writeFile } = await import('node:fs/promises');
  const path = await import('node:path');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), bytes);
}
