import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { QuestionnaireDefinition } from './questionnaires.definition';

/**
 * One row per questionnaire version. `organisation_id` is null for the built-in bank, which every
 * organisation can read. A published row never changes; the next version is a new row.
 */
export const questionnaires = pgTable(
  'questionnaires',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid(),
    key: text().notNull(),
    version: text().notNull(),
    title: text().notNull(),
    status: text().$type<'draft' | 'published'>().notNull(),
    definition: jsonb().$type<QuestionnaireDefinition>().notNull(),
    /** SHA-256 of the canonical definition: what a procurement pins and a report cites. */
    definitionHash: text().notNull(),
    createdBy: text(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    publishedAt: timestamp({ withTimezone: true, precision: 3 }),
    archivedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [
    unique('questionnaires_organisation_key_version').on(t.organisationId, t.key, t.version).nullsNotDistinct(),
    index('questionnaires_list').on(t.organisationId, t.createdAt, t.id),
    index('questionnaires_built_in').on(t.createdAt, t.id).where(sql`organisation_id is null`),
  ],
);
