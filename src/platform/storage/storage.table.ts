import { customType, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** bytea as a Buffer on both engines (PGlite hands back a Uint8Array, pg a Buffer). */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/** File contents kept in the database (the default storage). */
export const blobs = pgTable('blobs', {
  key: text().primaryKey(),
  bytes: bytea().notNull(),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
});
