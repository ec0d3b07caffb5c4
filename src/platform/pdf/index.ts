export type { Block, PdfDocument, TableColumn } from './document';
export { DEFAULT_FONTS, renderPdf, type PdfFonts, type RenderedPdf } from './render';
export { createInlineRenderer, createPdfRenderer, createWorkerRenderer, type PdfRenderer } from './renderer';
