import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { procurements } from '../procurements';
import { responses } from '../responses';
import type { Evaluation } from './scoring.models';
import type { ScoreFeedItem } from './scoring.feed';

const at = () => timestamp({ withTimezone: true, precision: 3 });

/** An evaluator's conflict-of-interest declaration for one procurement (Procurement Act 2023 s.81). */
export const declarations = pgTable(
  'declarations',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    procurementId: uuid()
      .notNull()
      .references(() => procurements.id),
    userId: uuid().notNull(),
    hasConflict: boolean().notNull(),
    details: text().notNull(),
    declaredAt: at().notNull(),
    /** What an officer put in place so a conflicted evaluator may take part. */
    mitigation: text(),
    mitigatedBy: text(),
    mitigatedAt: at(),
  },
  (t) => [unique('declarations_procurement_user').on(t.procurementId, t.userId)],
);

/** One evaluator's own mark for one manual question of one response. Kept after moderation. */
export const marks = pgTable(
  'marks',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    questionKey: text().notNull(),
    evaluatorId: uuid().notNull(),
    score: integer().notNull(),
    justification: text().notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [unique('marks_response_question_evaluator').on(t.responseId, t.questionKey, t.evaluatorId)],
);

/** When an evaluator submitted their set of marks for a response: after this they see everyone's. */
export const markSubmissions = pgTable(
  'mark_submissions',
  {
    organisationId: uuid().notNull(),
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    evaluatorId: uuid().notNull(),
    submittedAt: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.responseId, t.evaluatorId] })],
);

/** The moderator's consensus mark, or an override of an automatic score, with its rationale. */
export const moderations = pgTable(
  'moderations',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    questionKey: text().notNull(),
    score: integer().notNull(),
    rationale: text().notNull(),
    moderatorId: uuid().notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [unique('moderations_response_question').on(t.responseId, t.questionKey)],
);

/** The moderator's decision on a gateway: pass, fail, or conditional with an action, an owner and a due date. */
export const gatewayDecisions = pgTable(
  'gateway_decisions',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    questionKey: text().notNull(),
    outcome: text().$type<'pass' | 'fail' | 'conditional'>().notNull(),
    rationale: text().notNull(),
    action: text(),
    /** Conditional only: who sees the action through. Kept here, not in the engine's input, as it changes no score. */
    owner: text(),
    dueDate: text(),
    decidedBy: uuid().notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [unique('gateway_decisions_response_question').on(t.responseId, t.questionKey)],
);

/** The current evaluation of a submitted response, kept in step with its inputs. */
export const evaluations = pgTable(
  'evaluations',
  {
    responseId: uuid()
      .primaryKey()
      .references(() => responses.id),
    organisationId: uuid().notNull(),
    procurementId: uuid().notNull(),
    evaluation: jsonb().$type<Evaluation>().notNull(),
    inputsHash: text().notNull(),
    overallScore: doublePrecision(),
    rating: text().notNull(),
    provisional: boolean().notNull(),
    computedAt: at().notNull(),
  },
  (t) => [index('evaluations_procurement').on(t.organisationId, t.procurementId)],
);

/**
 * The moderator's sign-off of one response's evaluation, once nothing is outstanding. After it the
 * panel's inputs to that response (marks, moderation, gateway decisions) are fixed.
 */
export const evaluationFinalisations = pgTable(
  'evaluation_finalisations',
  {
    responseId: uuid()
      .primaryKey()
      .references(() => responses.id),
    organisationId: uuid().notNull(),
    procurementId: uuid().notNull(),
    finalisedBy: uuid().notNull(),
    finalisedAt: at().notNull(),
  },
  (t) => [index('evaluation_finalisations_procurement').on(t.organisationId, t.procurementId)],
);

/**
 * What the panel did about an integrity flag on a response. Flags are computed, not stored (they
 * follow the response, the declarations and the amendments); their ids are stable, so an action
 * stays with its flag and a flag that no longer arises keeps its record here.
 */
export const integrityFlagActions = pgTable(
  'integrity_flag_actions',
  {
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    flagId: text().notNull(),
    organisationId: uuid().notNull(),
    action: text().notNull(),
    recordedBy: uuid().notNull(),
    recordedAt: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.responseId, t.flagId] })],
);

/**
 * What people recorded about a condition in a response's register: its owner, due date and status
 * (met, or waived with a reason). Conditions are derived from the evaluation, not stored; their ids
 * are stable, so a record stays with its condition and one that no longer arises keeps its record.
 */
export const conditionStates = pgTable(
  'condition_states',
  {
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    conditionId: text().notNull(),
    organisationId: uuid().notNull(),
    owner: text(),
    dueDate: text(),
    status: text().$type<'open' | 'met' | 'waived'>().notNull(),
    reason: text(),
    updatedBy: uuid().notNull(),
    updatedAt: at().notNull(),
    version: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.responseId, t.conditionId] })],
);

/** The council's decision at the end of a procurement. */
export const procurementDecisions = pgTable('procurement_decisions', {
  procurementId: uuid()
    .primaryKey()
    .references(() => procurements.id),
  organisationId: uuid().notNull(),
  outcome: text().$type<'award' | 'no_award'>().notNull(),
  responseId: uuid(),
  rationale: text().notNull(),
  decidedBy: text().notNull(),
  decidedAt: at().notNull(),
});

/**
 * What integrators see of each evaluated response, one row per response, rewritten whenever the
 * published facts change. `updatedAt` only ever grows within an organisation and is taken under
 * the organisation lock, so a client paging by (updatedAt, responseId) never misses a change
 * that commits behind its cursor. A withdrawn response stays, with status `withdrawn`.
 */
export const scoreFeed = pgTable(
  'score_feed',
  {
    responseId: uuid()
      .primaryKey()
      .references(() => responses.id),
    organisationId: uuid().notNull(),
    procurementId: uuid().notNull(),
    item: jsonb().$type<ScoreFeedItem>().notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [index('score_feed_keyset').on(t.organisationId, t.updatedAt, t.responseId)],
);
