import { isAppError } from '../../platform/errors';
import { inTransaction, type Db } from '../../platform/db';
import { registerOf, type Condition, type ConditionStatus } from './conditions.models';
import { feedItemOf, publishScore } from './scoring.feed';
import { scoringErrors } from './scoring.errors';
import * as repo from './scoring.repository';
import {
  assertMayReadEvaluations,
  assertPanel,
  audit,
  isOfficer,
  registerFor,
  responseContext,
  userIdOf,
  type Ctx,
  type ProcurementEvaluations,
} from './scoring.usecases';

export type ConditionsDto = { responseId: string; rating: string; conditions: Condition[] };

/** The conditions register of a submitted response, from its stored evaluation: whoever may read the evaluation. */
export async function listConditions(ctx: Ctx & { responseId: string }): Promise<ConditionsDto> {
  const { responseId, rating, conditions } = await conditionsRecord(ctx);
  return { responseId, rating, conditions };
}

/**
 * The register as the console's pages show it: with the procurement and the supplier it belongs
 * to, and whether the caller may change it (as `updateCondition` decides), so a page offers only
 * what will be accepted. Readers as `listConditions`.
 */
export async function conditionsRecord(ctx: Ctx & { responseId: string }) {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  await assertMayReadEvaluations(ctx, context.procurement);
  const stored = await repo.findEvaluation({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId: response.responseId });
  if (!stored || response.status !== 'submitted') throw scoringErrors.notSubmitted();
  let mayChange = isOfficer(ctx.principal);
  if (!mayChange) {
    try {
      await assertPanel(ctx, context.procurement, 'moderator');
      mayChange = true;
    } catch (error) {
      if (!isAppError(error) || error.status !== 403) throw error;
    }
  }
  return {
    procurement: context.procurement,
    responseId: response.responseId,
    supplierName: response.supplierName,
    rating: stored.evaluation.rating,
    overallScore: stored.evaluation.overallScore,
    conditions: await registerFor({ db: ctx.db, context, response, evaluation: stored.evaluation }),
    mayChange,
  };
}

/** How many conditions each evaluated response of a procurement has, and how many are open: for the results table, in two queries whatever the count. */
export async function conditionCounts({ db, all }: { db: Db; all: Pick<ProcurementEvaluations, 'definition' | 'responses' | 'evaluations'> }): Promise<Map<string, { total: number; open: number }>> {
  const evaluated = all.responses.filter((r) => r.status === 'submitted' && all.evaluations.has(r.responseId));
  const responseIds = evaluated.map((r) => r.responseId);
  // One after the other: inside a transaction `db` is a single client.
  const decisions = await repo.gatewayDecisionsOf({ db, responseIds });
  const states = await repo.conditionStatesOf({ db, responseIds });
  const counts = new Map<string, { total: number; open: number }>();
  for (const response of evaluated) {
    const register = registerOf({
      definition: all.definition,
      answers: response.answers,
      evaluation: all.evaluations.get(response.responseId)!.evaluation,
      decisions: decisions.filter((d) => d.responseId === response.responseId),
      states: states.filter((s) => s.responseId === response.responseId),
    });
    counts.set(response.responseId, { total: register.length, open: register.filter((c) => c.status === 'open').length });
  }
  return counts;
}

/**
 * Records a condition's owner, due date and status: council officers, or the procurement's
 * declared moderator. It stays possible after the evaluation is finalised and after award, as
 * conditions are met during the contract. Guarded by the version the caller read, so a second tab
 * cannot silently overwrite the first; audited; the scores feed and `conditions.updated` follow.
 */
export async function updateCondition(
  ctx: Ctx & {
    responseId: string;
    conditionId: string;
    status: ConditionStatus;
    owner?: string | null | undefined;
    dueDate?: string | null | undefined;
    reason?: string | null | undefined;
    version: number;
  },
): Promise<ConditionsDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, ...context } = await responseContext(scoped, ctx.responseId);
    if (!isOfficer(ctx.principal)) await assertPanel(scoped, context.procurement, 'moderator');
    const stored = await repo.findEvaluation({ db: tx, organisationId: ctx.principal.organisationId, responseId: response.responseId });
    if (!stored || response.status !== 'submitted') throw scoringErrors.notSubmitted();
    const register = await registerFor({ db: tx, context, response, evaluation: stored.evaluation });
    const condition = register.find((c) => c.id === ctx.conditionId);
    if (!condition) throw scoringErrors.conditionNotFound();
    if (condition.version !== ctx.version) throw scoringErrors.conditionStale(condition.version);
    const reason = ctx.reason?.trim() || null;
    if (ctx.status === 'waived' && !reason) throw scoringErrors.conditionNeedsReason();
    const values = {
      responseId: response.responseId,
      conditionId: condition.id,
      organisationId: ctx.principal.organisationId,
      owner: ctx.owner === undefined ? condition.owner : ctx.owner,
      dueDate: ctx.dueDate === undefined ? condition.dueDate : ctx.dueDate,
      status: ctx.status,
      reason: ctx.status === 'open' ? null : reason,
      updatedBy: userIdOf(ctx.principal)!,
      updatedAt: ctx.now,
    };
    const written = await repo.writeConditionState({ db: tx, values, expectedVersion: ctx.version });
    // Another transaction wrote it between our read and our write.
    if (!written) throw scoringErrors.conditionStale(ctx.version + 1);
    await audit(scoped, 'evaluation.condition_updated', { type: 'response', id: response.responseId }, {
      conditionId: condition.id,
      number: condition.number,
      status: values.status,
      owner: values.owner,
      dueDate: values.dueDate,
      reason: values.reason,
    });
    // The evaluation is unchanged (a condition's state is no input of it): only the register moves,
    // so the feed item is republished from it, with `conditions.updated`.
    const conditions = await registerFor({ db: tx, context, response, evaluation: stored.evaluation });
    await publishScore({ db: tx, organisationId: ctx.principal.organisationId, item: feedItemOf({ procurement: context.procurement, response, evaluation: stored.evaluation, conditions }), now: ctx.now });
    return { responseId: response.responseId, rating: stored.evaluation.rating, conditions };
  });
}
