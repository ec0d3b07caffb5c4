import { and, eq } from 'drizzle-orm';
import type { Db } from '../../platform/db';
import { reports, type ReportKind } from './reports.table';

export type ReportRow = typeof reports.$inferSelect;

export async function findReport({ db, organisationId, kind, subjectId, contentHash }: { db: Db; organisationId: string; kind: ReportKind; subjectId: string; contentHash: string }): Promise<ReportRow | undefined> {
  const [row] = await db
    .select()
    .from(reports)
    .where(and(eq(reports.organisationId, organisationId), eq(reports.kind, kind), eq(reports.subjectId, subjectId), eq(reports.contentHash, contentHash)));
  return row;
}

/** Undefined when another request stored the same content first. */
export async function insertReport({ db, values }: { db: Db; values: typeof reports.$inferInsert }): Promise<ReportRow | undefined> {
  const [row] = await db.insert(reports).values(values).onConflictDoNothing().returning();
  return row;
}
