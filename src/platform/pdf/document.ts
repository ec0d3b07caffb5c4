/**
 * The neutral shape every PDF is laid out in: what a feature's pure model produces and the
 * renderer draws. Plain data, so a model can be tested without a PDF and its canonical JSON can
 * stand for the document's content when deciding whether a stored PDF is still current.
 */

export type TableColumn = { header: string; /** A share of the text width; the shares of a table need not sum to 1. */ width: number; align?: 'left' | 'right' };

export type Block =
  /** Level 1 starts a new page and a top-level bookmark; level 2 a nested bookmark when `bookmark` is set. */
  | { kind: 'heading'; level: 1 | 2 | 3; text: string; bookmark?: boolean }
  | { kind: 'paragraph'; text: string; tone?: 'normal' | 'muted' | 'strong' | 'notice' }
  /** Label and value pairs; drawn as a two-column table whose first column heads each row. */
  | { kind: 'facts'; rows: Array<[string, string]> }
  | { kind: 'table'; caption: string; columns: TableColumn[]; rows: string[][]; /** Cells drawn emphasised, as [row, column]. */ emphasis?: Array<[number, number]> }
  | { kind: 'list'; items: string[] }
  /**
   * Horizontal bars on a 0–max axis; `alt` is the figure's alternative text, which must say what the chart shows.
   * A bar with a `note` is not drawn: the note stands in its row instead (say why, e.g. a score that does not count).
   */
  | { kind: 'barChart'; alt: string; max: number; bars: Array<{ label: string; value: number | null; note?: string }> };

export type PdfDocument = {
  /** The document title: metadata, title bar and the first heading. */
  title: string;
  subject: string;
  /** Who the document is from (the council). */
  author: string;
  /** The reference printed in every footer. */
  reference: string;
  /** The protective marking printed at the top and bottom of every page. */
  marking: string;
  /** ISO timestamp taken from the data, never the clock, so the same data gives the same file. */
  createdAt: string;
  /** What `Content-Disposition` offers. */
  filename: string;
  blocks: Block[];
};
