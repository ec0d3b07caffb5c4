import { index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only and hash-chained per organisation: each row stores the hash of the row before it,
 * so an edited, deleted or reordered row breaks the chain (Procurement Act 2023 s.98 records).
 * A migration adds triggers that refuse UPDATE and DELETE.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    seq: integer().notNull(),
    actorType: text().notNull(),
    actorId: text().notNull(),
    action: text().notNull(),
    subjectType: text().notNull(),
    subjectId: text().notNull(),
    details: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [unique('audit_events_organisation_seq').on(t.organisationId, t.seq), index('audit_events_subject').on(t.organisationId, t.subjectType, t.subjectId)],
);
