import { index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { organisations } from '../accounts';
import { questionnaires, type RiskTier } from '../questionnaires';
import type { ProcurementStatus } from './procurements.models';

/** One buying exercise, pinned to one published questionnaire version. */
export const procurements = pgTable(
  'procurements',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    title: text().notNull(),
    reference: text(),
    description: text().notNull().default(''),
    questionnaireId: uuid()
      .notNull()
      .references(() => questionnaires.id),
    triage: jsonb().$type<Record<string, string | number | string[]>>().notNull(),
    riskTier: text().$type<RiskTier>().notNull(),
    riskTierReason: text().notNull(),
    weights: jsonb().$type<Record<string, number>>().notNull(),
    deadline: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    /** The latest deadline granted to any one supplier; the procurement stays open until then. */
    latestExtension: timestamp({ withTimezone: true, precision: 3 }),
    status: text().$type<ProcurementStatus>().notNull(),
    evaluatorIds: jsonb().$type<string[]>().notNull().default([]),
    moderatorId: uuid(),
    /**
     * What the OCDS award release discloses about bids (issue 21): `bidders` (who bid, nothing
     * more), `scores` (the default: bidders with their scores and ranks) or `answers` (also the
     * answers not marked confidential). Planning and tender releases never carry bids.
     */
    ocdsDisclosure: text().$type<'bidders' | 'scores' | 'answers'>().notNull().default('scores'),
    /** Bumped on every change: the ETag, and what If-Match is compared with. */
    version: integer().notNull().default(1),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    openedAt: timestamp({ withTimezone: true, precision: 3 }),
    closedAt: timestamp({ withTimezone: true, precision: 3 }),
    decidedAt: timestamp({ withTimezone: true, precision: 3 }),
    cancelledAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [
    unique('procurements_organisation_reference').on(t.organisationId, t.reference),
    index('procurements_list').on(t.organisationId, t.createdAt, t.id),
  ],
);
