import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../platform/db';
import { approvals } from './approvals.table';

export type ApprovalRow = typeof approvals.$inferSelect;

export async function findApproval({ db, procurementId, userId, role }: { db: Db; procurementId: string; userId: string; role: ApprovalRow['role'] }): Promise<ApprovalRow | undefined> {
  const [row] = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.procurementId, procurementId), eq(approvals.userId, userId), eq(approvals.role, role)));
  return row;
}

/** One row per person per role: a second sign-off in the same role replaces the comment and the date, keeping the id. */
export async function upsertApproval({ db, values }: { db: Db; values: typeof approvals.$inferInsert }): Promise<ApprovalRow> {
  const [row] = await db
    .insert(approvals)
    .values(values)
    .onConflictDoUpdate({ target: [approvals.procurementId, approvals.userId, approvals.role], set: { comment: values.comment ?? null, createdAt: values.createdAt } })
    .returning();
  return row!;
}

/** A procurement's approvals, oldest first (ties by id, so the order is stable). */
export async function approvalsOf({ db, organisationId, procurementId }: { db: Db; organisationId: string; procurementId: string }): Promise<ApprovalRow[]> {
  return db
    .select()
    .from(approvals)
    .where(and(eq(approvals.organisationId, organisationId), eq(approvals.procurementId, procurementId)))
    .orderBy(asc(approvals.createdAt), asc(approvals.id));
}
