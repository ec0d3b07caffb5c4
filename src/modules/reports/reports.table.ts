import { index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

export const REPORT_KINDS = ['evaluation', 'comparison', 'assessment_summary'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/**
 * Every PDF the service has produced, kept (bytes in blob storage) so a report sent to a bidder or a
 * board can be shown again exactly as it was. One row per distinct content: asking again for an
 * unchanged evaluation finds its row by `contentHash` and returns the same file.
 */
export const reports = pgTable(
  'reports',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    kind: text().$type<ReportKind>().notNull(),
    /** The response (evaluation report, assessment summary) or procurement (comparison) it is about. */
    subjectId: uuid().notNull(),
    /** sha256 of the laid-out content (canonical JSON) and the layout version: same content, same file. */
    contentHash: text().notNull(),
    /** The evaluation it came from: its `inputsHash`, or for a comparison the sha256 of every compared one. */
    evaluationHash: text().notNull(),
    sha256: text().notNull(),
    filename: text().notNull(),
    sizeBytes: integer().notNull(),
    pages: integer().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [unique('reports_content').on(t.organisationId, t.kind, t.subjectId, t.contentHash), index('reports_subject').on(t.organisationId, t.subjectId, t.createdAt)],
);
