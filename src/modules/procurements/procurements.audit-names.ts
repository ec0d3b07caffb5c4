import { asc, eq } from 'drizzle-orm';
import type { AuditNamesHook } from '../../platform/http/deps';
import { procurements } from './procurements.table';

/** The organisation's procurements (cancelled ones too), for choosing one in the audit log and naming it there. */
export const procurementsAuditNames: AuditNamesHook = async ({ db, organisationId }) => ({
  procurements: await db
    .select({ id: procurements.id, title: procurements.title, reference: procurements.reference })
    .from(procurements)
    .where(eq(procurements.organisationId, organisationId))
    .orderBy(asc(procurements.title), asc(procurements.id)),
});
