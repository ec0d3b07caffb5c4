import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db';
import { conditionStates, declarations, evaluationFinalisations, evaluations, gatewayDecisions, integrityFlagActions, markSubmissions, marks, moderations, procurementDecisions } from './scoring.table';

export type DeclarationRow = typeof declarations.$inferSelect;
export type MarkRow = typeof marks.$inferSelect;
export type ModerationRow = typeof moderations.$inferSelect;
export type GatewayDecisionRow = typeof gatewayDecisions.$inferSelect;
export type EvaluationRow = typeof evaluations.$inferSelect;
export type ProcurementDecisionRow = typeof procurementDecisions.$inferSelect;
export type FinalisationRow = typeof evaluationFinalisations.$inferSelect;

export async function findDeclaration({ db, procurementId, userId }: { db: Db; procurementId: string; userId: string }): Promise<DeclarationRow | undefined> {
  const [row] = await db.select().from(declarations).where(and(eq(declarations.procurementId, procurementId), eq(declarations.userId, userId)));
  return row;
}

export async function insertDeclaration({ db, values }: { db: Db; values: typeof declarations.$inferInsert }): Promise<DeclarationRow> {
  const [row] = await db.insert(declarations).values(values).returning();
  return row!;
}

export async function declarationsOf({ db, procurementId }: { db: Db; procurementId: string }): Promise<DeclarationRow[]> {
  return db.select().from(declarations).where(eq(declarations.procurementId, procurementId)).orderBy(asc(declarations.declaredAt), asc(declarations.id));
}

export async function updateDeclaration({ db, id, changes }: { db: Db; id: string; changes: Partial<typeof declarations.$inferInsert> }): Promise<DeclarationRow> {
  const [row] = await db.update(declarations).set(changes).where(eq(declarations.id, id)).returning();
  return row!;
}

export async function upsertMark({ db, values }: { db: Db; values: typeof marks.$inferInsert }): Promise<MarkRow> {
  const [row] = await db
    .insert(marks)
    .values(values)
    .onConflictDoUpdate({ target: [marks.responseId, marks.questionKey, marks.evaluatorId], set: { score: values.score, justification: values.justification, updatedAt: values.updatedAt } })
    .returning();
  return row!;
}

export async function marksOf({ db, responseId, evaluatorId }: { db: Db; responseId: string; evaluatorId?: string | undefined }): Promise<MarkRow[]> {
  return db
    .select()
    .from(marks)
    .where(and(eq(marks.responseId, responseId), evaluatorId ? eq(marks.evaluatorId, evaluatorId) : undefined))
    .orderBy(asc(marks.questionKey), asc(marks.evaluatorId));
}

export async function findMarkSubmission({ db, responseId, evaluatorId }: { db: Db; responseId: string; evaluatorId: string }) {
  const [row] = await db.select().from(markSubmissions).where(and(eq(markSubmissions.responseId, responseId), eq(markSubmissions.evaluatorId, evaluatorId)));
  return row;
}

export async function insertMarkSubmission({ db, values }: { db: Db; values: typeof markSubmissions.$inferInsert }): Promise<void> {
  await db.insert(markSubmissions).values(values).onConflictDoNothing();
}

export async function markSubmissionsOf({ db, responseId }: { db: Db; responseId: string }) {
  return db.select().from(markSubmissions).where(eq(markSubmissions.responseId, responseId));
}

export async function upsertModeration({ db, values }: { db: Db; values: typeof moderations.$inferInsert }): Promise<ModerationRow> {
  const [row] = await db
    .insert(moderations)
    .values(values)
    .onConflictDoUpdate({ target: [moderations.responseId, moderations.questionKey], set: { score: values.score, rationale: values.rationale, moderatorId: values.moderatorId, updatedAt: values.updatedAt } })
    .returning();
  return row!;
}

export async function moderationsOf({ db, responseIds }: { db: Db; responseIds: string[] }): Promise<ModerationRow[]> {
  if (responseIds.length === 0) return [];
  return db.select().from(moderations).where(inArray(moderations.responseId, responseIds));
}

export async function upsertGatewayDecision({ db, values }: { db: Db; values: typeof gatewayDecisions.$inferInsert }): Promise<GatewayDecisionRow> {
  const [row] = await db
    .insert(gatewayDecisions)
    .values(values)
    .onConflictDoUpdate({
      target: [gatewayDecisions.responseId, gatewayDecisions.questionKey],
      set: { outcome: values.outcome, rationale: values.rationale, action: values.action, owner: values.owner, dueDate: values.dueDate, decidedBy: values.decidedBy, updatedAt: values.updatedAt },
    })
    .returning();
  return row!;
}

export async function gatewayDecisionsOf({ db, responseIds }: { db: Db; responseIds: string[] }): Promise<GatewayDecisionRow[]> {
  if (responseIds.length === 0) return [];
  return db.select().from(gatewayDecisions).where(inArray(gatewayDecisions.responseId, responseIds));
}

export async function upsertEvaluation({ db, values }: { db: Db; values: typeof evaluations.$inferInsert }): Promise<EvaluationRow> {
  const [row] = await db
    .insert(evaluations)
    .values(values)
    .onConflictDoUpdate({
      target: evaluations.responseId,
      set: {
        evaluation: values.evaluation,
        inputsHash: values.inputsHash,
        overallScore: values.overallScore,
        rating: values.rating,
        provisional: values.provisional,
        // An unchanged evaluation keeps its date, which is the date its reports carry.
        computedAt: sql`case when ${evaluations.evaluation} = excluded.evaluation then ${evaluations.computedAt} else excluded.computed_at end`,
      },
    })
    .returning();
  return row!;
}

export async function deleteEvaluation({ db, responseId }: { db: Db; responseId: string }): Promise<void> {
  await db.delete(evaluations).where(eq(evaluations.responseId, responseId));
}

export async function findEvaluation({ db, organisationId, responseId }: { db: Db; organisationId: string; responseId: string }): Promise<EvaluationRow | undefined> {
  const [row] = await db.select().from(evaluations).where(and(eq(evaluations.organisationId, organisationId), eq(evaluations.responseId, responseId)));
  return row;
}

export async function evaluationsOf({ db, organisationId, procurementId }: { db: Db; organisationId: string; procurementId: string }): Promise<EvaluationRow[]> {
  return db.select().from(evaluations).where(and(eq(evaluations.organisationId, organisationId), eq(evaluations.procurementId, procurementId)));
}

export async function insertProcurementDecision({ db, values }: { db: Db; values: typeof procurementDecisions.$inferInsert }): Promise<ProcurementDecisionRow> {
  const [row] = await db.insert(procurementDecisions).values(values).returning();
  return row!;
}

export async function findProcurementDecision({ db, procurementId }: { db: Db; procurementId: string }): Promise<ProcurementDecisionRow | undefined> {
  const [row] = await db.select().from(procurementDecisions).where(eq(procurementDecisions.procurementId, procurementId));
  return row;
}

export async function findFinalisation({ db, responseId }: { db: Db; responseId: string }): Promise<FinalisationRow | undefined> {
  const [row] = await db.select().from(evaluationFinalisations).where(eq(evaluationFinalisations.responseId, responseId));
  return row;
}

/** Inserts the finalisation unless one exists (a concurrent second call), and answers the one that stands. */
export async function insertFinalisation({ db, values }: { db: Db; values: typeof evaluationFinalisations.$inferInsert }): Promise<FinalisationRow> {
  await db.insert(evaluationFinalisations).values(values).onConflictDoNothing();
  return (await findFinalisation({ db, responseId: values.responseId }))!;
}

export async function finalisationsOf({ db, organisationId, procurementId }: { db: Db; organisationId: string; procurementId: string }): Promise<FinalisationRow[]> {
  return db.select().from(evaluationFinalisations).where(and(eq(evaluationFinalisations.organisationId, organisationId), eq(evaluationFinalisations.procurementId, procurementId)));
}

export type IntegrityFlagActionRow = typeof integrityFlagActions.$inferSelect;

export async function flagActionsOf({ db, responseId }: { db: Db; responseId: string }): Promise<IntegrityFlagActionRow[]> {
  return db.select().from(integrityFlagActions).where(eq(integrityFlagActions.responseId, responseId)).orderBy(asc(integrityFlagActions.flagId));
}

/** Records (or replaces) what the panel did about one flag. */
export async function upsertFlagAction({ db, values }: { db: Db; values: typeof integrityFlagActions.$inferInsert }): Promise<IntegrityFlagActionRow> {
  const [row] = await db
    .insert(integrityFlagActions)
    .values(values)
    .onConflictDoUpdate({ target: [integrityFlagActions.responseId, integrityFlagActions.flagId], set: { action: values.action, recordedBy: values.recordedBy, recordedAt: values.recordedAt } })
    .returning();
  return row!;
}

export type ConditionStateRow = typeof conditionStates.$inferSelect;

export async function conditionStatesOf({ db, responseIds }: { db: Db; responseIds: string[] }): Promise<ConditionStateRow[]> {
  if (responseIds.length === 0) return [];
  return db.select().from(conditionStates).where(inArray(conditionStates.responseId, responseIds)).orderBy(asc(conditionStates.responseId), asc(conditionStates.conditionId));
}

/**
 * Writes what people recorded about a condition, only if nobody has since `expectedVersion` (0: never
 * recorded). Answers the new row, or null when someone else got there first.
 */
export async function writeConditionState({ db, values, expectedVersion }: { db: Db; values: Omit<typeof conditionStates.$inferInsert, 'version'>; expectedVersion: number }): Promise<ConditionStateRow | null> {
  if (expectedVersion === 0) {
    const [row] = await db.insert(conditionStates).values({ ...values, version: 1 }).onConflictDoNothing().returning();
    return row ?? null;
  }
  const [row] = await db
    .update(conditionStates)
    .set({ owner: values.owner, dueDate: values.dueDate, status: values.status, reason: values.reason, updatedBy: values.updatedBy, updatedAt: values.updatedAt, version: expectedVersion + 1 })
    .where(and(eq(conditionStates.responseId, values.responseId), eq(conditionStates.conditionId, values.conditionId), eq(conditionStates.version, expectedVersion)))
    .returning();
  return row ?? null;
}
