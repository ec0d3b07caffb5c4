import { and, asc, desc, eq, lte, or, sql } from 'drizzle-orm';
import { prepared, type Db } from '../../platform/db';
import { afterCreatedAtId, createdAtIdKey, toPage, type Page } from '../../platform/pagination';
import { procurements } from './procurements.table';

export type ProcurementRow = typeof procurements.$inferSelect;
export type ProcurementInsert = typeof procurements.$inferInsert;

export async function insertProcurement({ db, values }: { db: Db; values: ProcurementInsert }): Promise<ProcurementRow> {
  const [row] = await db.insert(procurements).values(values).returning();
  return row!;
}

/**
 * One procurement of the organisation. A plain read (every supplier save and page starts with one)
 * is a prepared statement, so PostgreSQL parses and plans it once per connection, not per request.
 */
export async function findProcurement({ db, organisationId, id, forUpdate = false }: { db: Db; organisationId: string; id: string; forUpdate?: boolean }): Promise<ProcurementRow | undefined> {
  if (forUpdate) {
    const [locked] = await db.select().from(procurements).where(and(eq(procurements.organisationId, organisationId), eq(procurements.id, id))).for('update');
    return locked;
  }
  const statement = prepared(db, 'procurement_by_id', (handle) =>
    handle
      .select()
      .from(procurements)
      .where(and(eq(procurements.organisationId, sql.placeholder('organisationId')), eq(procurements.id, sql.placeholder('id'))))
      .prepare('procurement_by_id'),
  );
  const [row] = await statement.execute({ organisationId, id });
  return row;
}

export async function listProcurements({ db, organisationId, limit, cursor, status }: { db: Db; organisationId: string; limit: number; cursor?: string | undefined; status?: ProcurementRow['status'] | undefined }): Promise<Page<ProcurementRow>> {
  const rows = await db
    .select()
    .from(procurements)
    .where(and(eq(procurements.organisationId, organisationId), status ? eq(procurements.status, status) : undefined, afterCreatedAtId({ cursor, createdAt: procurements.createdAt, id: procurements.id })))
    .orderBy(asc(procurements.createdAt), asc(procurements.id))
    .limit(limit + 1);
  return toPage({ rows, limit, keyOf: createdAtIdKey, toItem: (row) => row });
}

export async function updateProcurement({ db, id, changes }: { db: Db; id: string; changes: Partial<ProcurementInsert> }): Promise<ProcurementRow> {
  const [row] = await db.update(procurements).set(changes).where(eq(procurements.id, id)).returning();
  return row!;
}

/** Open procurements of every organisation whose deadline (or latest extension) has passed: for the system's own sweep. */
export async function openPastDeadline({ db, now, limit }: { db: Db; now: Date; limit: number }): Promise<ProcurementRow[]> {
  return db
    .select()
    .from(procurements)
    .where(and(eq(procurements.status, 'open'), lte(sql`greatest(${procurements.deadline}, coalesce(${procurements.latestExtension}, ${procurements.deadline}))`, now)))
    .orderBy(asc(procurements.deadline))
    .limit(limit);
}

/** Ids of the organisation's procurements with the user on the evaluation panel (evaluator or moderator), newest first. */
export async function procurementIdsOnPanel({ db, organisationId, userId }: { db: Db; organisationId: string; userId: string }): Promise<string[]> {
  const rows = await db
    .select({ id: procurements.id })
    .from(procurements)
    .where(and(eq(procurements.organisationId, organisationId), or(eq(procurements.moderatorId, userId), sql`${procurements.evaluatorIds} @> ${JSON.stringify([userId])}::jsonb`)))
    .orderBy(desc(procurements.createdAt), desc(procurements.id));
  return rows.map((r) => r.id);
}

/**
 * The organisation of a procurement found by id alone: only for what is published to anyone (its
 * methodology), which then reads the procurement scoped to that organisation like any other read.
 */
export async function organisationOfProcurement({ db, id }: { db: Db; id: string }): Promise<string | undefined> {
  const [row] = await db.select({ organisationId: procurements.organisationId }).from(procurements).where(eq(procurements.id, id));
  return row?.organisationId;
}
