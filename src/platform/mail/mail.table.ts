import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Every email the service sends or holds, with secrets redacted. */
export const outbox = pgTable(
  'outbox',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    /** invitation, reminder, deadline_extended, clarification… */
    kind: text().notNull(),
    subjectType: text().notNull(),
    subjectId: text().notNull(),
    to: text().notNull(),
    subject: text().notNull(),
    /** The text as sent, with secrets replaced by [REDACTED]. */
    text: text().notNull(),
    /** held (no SMTP server), sent, or failed. */
    status: text().$type<'held' | 'sent' | 'failed'>().notNull(),
    error: text(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    sentAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [index('outbox_list').on(t.organisationId, t.createdAt, t.id)],
);
