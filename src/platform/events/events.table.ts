import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The outbox of things that happened, written in the same transaction as the change, so an event
 * exists exactly when its change committed. The webhook dispatcher fans each one out to the
 * endpoints that subscribe to it and then stamps `dispatchedAt`.
 */
export const events = pgTable(
  'events',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    /** procurement.opened, response.submitted, evaluation.updated… (see EVENT_TYPES) */
    type: text().notNull(),
    subjectType: text().notNull(),
    subjectId: text().notNull(),
    /** Ids only: receivers fetch the current state over the API. */
    data: jsonb().$type<Record<string, string | number | boolean | null>>().notNull(),
    occurredAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    dispatchedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [index('events_undispatched').on(t.occurredAt, t.id).where(sql`dispatched_at is null`)],
);
