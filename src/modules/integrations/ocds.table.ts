import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

const at = () => timestamp({ withTimezone: true, precision: 3 });

/**
 * One OCDS release: an immutable record of a change to a procurement's published facts, stored
 * when the procurement changes stage (and when what a stage publishes changes), so its `id` and
 * `date` are the same on every read. `sequence` orders a procurement's releases from 1.
 */
export const ocdsReleases = pgTable(
  'ocds_releases',
  {
    organisationId: uuid().notNull(),
    procurementId: uuid().notNull(),
    sequence: integer().notNull(),
    /** The release's `id`, unique within the procurement's ocid. */
    releaseId: text().notNull(),
    /** The release JSON exactly as published. */
    release: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: at().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.procurementId, t.sequence] }),
    unique('ocds_releases_release_id').on(t.procurementId, t.releaseId),
    index('ocds_releases_organisation').on(t.organisationId, t.procurementId),
  ],
);
