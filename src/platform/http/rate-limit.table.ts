import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The request counters every instance shares on PostgreSQL: one row per key (`principal:…`,
 * `address:…`, `failed:…`, `setup:…`, `link:…`), its current fixed window and the hits in it.
 * UNLOGGED (in the migration): a counter is not worth a WAL write, and a crash only resets the minute.
 */
export const rateLimitWindows = pgTable(
  'rate_limit_windows',
  {
    key: text().primaryKey(),
    count: integer().notNull(),
    startedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    endsAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('rate_limit_windows_ends_at').on(t.endsAt)],
);
