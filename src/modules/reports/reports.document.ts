import type { PdfDocument } from '../../platform/pdf';

/** A report is laid out in the shape every PDF of the service is (see `platform/pdf`). */
export type { Block, TableColumn } from '../../platform/pdf';
export type ReportDocument = PdfDocument;

export const MARKING = 'OFFICIAL-SENSITIVE: COMMERCIAL';
