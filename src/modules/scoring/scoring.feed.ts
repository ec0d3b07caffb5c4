import { and, eq, max, or, sql, type SQL } from 'drizzle-orm';
import { canonicalJson } from '../../platform/crypto';
import { lockOrganisation, type Db } from '../../platform/db';
import type { Principal } from '../../platform/auth';
import { emitEvent, type EmitEventInput } from '../../platform/events';
import { procurements, type ProcurementDto } from '../procurements';
import type { SubmittedResponse } from '../responses';
import { SCORING_METHOD_VERSION, type Evaluation } from './scoring.models';
import type { Condition } from './conditions.models';
import { declarations, markSubmissions, scoreFeed } from './scoring.table';

/** One response as the scores feed publishes it (GET /v1/scores): facts, no answers. */
export type ScoreFeedItem = {
  responseId: string;
  procurementId: string;
  procurementReference: string | null;
  supplierName: string;
  companyNumber: string | null;
  status: 'submitted' | 'withdrawn';
  overallScore: number | null;
  rating: string | null;
  riskTier: string;
  gatewaysPassed: boolean | null;
  /** No mark or gateway decision is outstanding: the result will not change unless an input does. */
  final: boolean;
  sections: Array<{ key: string; ref: string | null; title: string; weight: number; score: number | null }>;
  /** The conditions register (GET /v1/responses/{id}/conditions), without who last changed what. */
  conditions: Array<Pick<Condition, 'id' | 'number' | 'source' | 'ref' | 'text' | 'owner' | 'dueDate' | 'status'>>;
  questionnaireKey: string;
  questionnaireVersion: string;
  scoringMethodVersion: string;
};

/** Pure: the feed item of a response and its evaluation (none when withdrawn). */
export function feedItemOf({
  procurement,
  response,
  evaluation,
  conditions,
}: {
  procurement: ProcurementDto;
  response: SubmittedResponse;
  evaluation: Evaluation | null;
  conditions: readonly Condition[];
}): ScoreFeedItem {
  return {
    responseId: response.responseId,
    procurementId: procurement.id,
    procurementReference: procurement.reference ?? null,
    supplierName: response.supplierName,
    companyNumber: response.companyNumber,
    status: evaluation ? 'submitted' : 'withdrawn',
    overallScore: evaluation?.overallScore ?? null,
    rating: evaluation?.rating ?? null,
    riskTier: evaluation?.riskTier ?? procurement.riskTier,
    gatewaysPassed: evaluation ? evaluation.gateways.every((g) => g.outcome === 'pass' || g.outcome === 'conditional') : null,
    final: evaluation ? !evaluation.provisional : false,
    sections: (evaluation?.sections ?? []).filter((s) => s.visible).map((s) => ({ key: s.key, ref: s.ref, title: s.title, weight: s.weight, score: s.score })),
    conditions: evaluation ? conditions.map((c) => ({ id: c.id, number: c.number, source: c.source, ref: c.ref, text: c.text, owner: c.owner, dueDate: c.dueDate, status: c.status })) : [],
    questionnaireKey: evaluation?.questionnaire.key ?? procurement.questionnaire.key,
    questionnaireVersion: evaluation?.questionnaire.version ?? procurement.questionnaire.version,
    scoringMethodVersion: evaluation?.scoringMethodVersion ?? SCORING_METHOD_VERSION,
  };
}

/**
 * Writes a response's feed item in the caller's transaction when it differs from the published
 * one, with the `evaluation.updated` event, and `evaluation.finalised` when it has just become
 * final, and `conditions.updated` when its conditions register changed. Unchanged items keep their place in the feed, so a recompute that changes nothing
 * sends integrators nothing.
 */
export async function publishScore({ db, organisationId, item, now }: { db: Db; organisationId: string; item: ScoreFeedItem; now: Date }): Promise<void> {
  const [current] = await db.select({ item: scoreFeed.item }).from(scoreFeed).where(and(eq(scoreFeed.organisationId, organisationId), eq(scoreFeed.responseId, item.responseId)));
  if (current && canonicalJson(current.item) === canonicalJson(item)) return;
  if (!current && item.status === 'withdrawn') return; // never published, nothing to take back
  await lockOrganisation({ db, organisationId });
  // Under the lock, after every earlier writer committed: strictly later than anything published.
  const [latest] = await db.select({ at: max(scoreFeed.updatedAt) }).from(scoreFeed).where(eq(scoreFeed.organisationId, organisationId));
  const updatedAt = latest?.at && latest.at.getTime() >= now.getTime() ? new Date(latest.at.getTime() + 1) : now;
  await db
    .insert(scoreFeed)
    .values({ responseId: item.responseId, organisationId, procurementId: item.procurementId, item, updatedAt })
    .onConflictDoUpdate({ target: scoreFeed.responseId, set: { item, updatedAt } });
  const event: Omit<EmitEventInput, 'type'> = { db, organisationId, subject: { type: 'response', id: item.responseId }, data: { procurementId: item.procurementId, responseId: item.responseId, version: updatedAt.toISOString() }, now };
  // A withdrawn response is no longer evaluated (its evaluation answers 409): the feed, where its item
  // now says `withdrawn`, is where to read it.
  if (item.status === 'withdrawn') event.data = { ...event.data, withdrawn: true };
  await emitEvent({ ...event, type: 'evaluation.updated' });
  if (item.final && !current?.item.final) await emitEvent({ ...event, type: 'evaluation.finalised' });
  // Items published before the register existed have no `conditions`: an empty register is no change.
  if (canonicalJson(item.conditions) !== canonicalJson(current?.item.conditions ?? [])) await emitEvent({ ...event, type: 'conditions.updated' });
}

/**
 * Which feed rows a caller may read, as a condition on `score_feed`: none for staff and keys.
 * Marking is blind, as in GET /v1/responses/:id/marks: an evaluator sees a response's scores only
 * on its panel, once their own marks for it are submitted; the declared moderator sees them all.
 */
export function scoreFeedVisibleTo(principal: Principal): SQL | undefined {
  if (principal.kind !== 'user' || principal.role !== 'evaluator') return undefined;
  const { userId } = principal;
  const declared = and(
    eq(declarations.procurementId, procurements.id),
    eq(declarations.userId, userId),
    or(eq(declarations.hasConflict, false), sql`${declarations.mitigatedAt} is not null`),
  );
  const submitted = and(eq(markSubmissions.responseId, scoreFeed.responseId), eq(markSubmissions.evaluatorId, userId));
  const panel = or(
    and(eq(procurements.moderatorId, userId), sql`exists (select 1 from ${declarations} where ${declared})`),
    and(sql`${procurements.evaluatorIds} @> ${JSON.stringify([userId])}::jsonb`, sql`exists (select 1 from ${markSubmissions} where ${submitted})`),
  );
  return sql`exists (select 1 from ${procurements} where ${and(eq(procurements.id, scoreFeed.procurementId), panel)})`;
}
