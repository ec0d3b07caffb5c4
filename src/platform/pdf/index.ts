export type { Block, PdfDocument, TableColumn } from './document';
// renderPdf (pdfkit) is not exported here, so that importing this module does not load pdfkit at start-up:
// the renderers load it on first use; tests and benchmarks import it from './render'.
export type { PdfFonts, RenderedPdf } from './render';
export { createInlineRenderer, createPdfRenderer, createWorkerRenderer, type PdfRenderer } from './renderer';
