import { pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { procurements } from '../procurements';
import type { ApprovalRole } from './approvals.models';

/**
 * A person's sign-off of a procurement's evaluation, in one role. One row per person per role: a
 * second sign-off in the same role replaces the first (a board reads one line each), and every
 * sign-off, replaced or not, stays in the audit trail. `createdAt` is when it was last recorded.
 */
export const approvals = pgTable(
  'approvals',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    procurementId: uuid()
      .notNull()
      .references(() => procurements.id),
    userId: uuid().notNull(),
    role: text().$type<ApprovalRole>().notNull(),
    comment: text(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [unique('approvals_procurement_user_role').on(t.procurementId, t.userId, t.role)],
);
