/**
 * The three reports as pure functions: evaluation data in, a `ReportDocument` (headings,
 * paragraphs, tables, charts) out. No I/O and no clock: dates come from the input, so the same
 * evaluation always gives the same document, and the same document the same PDF bytes. One file
 * per report; the inputs and the words they share are in `reports.shared.ts`.
 */
export * from './reports.shared';
export * from './evaluation-report.models';
export * from './comparison.models';
export * from './assessment-summary.models';
