import type { Role } from '../../platform/auth';
import type { ProcurementFacts, ProcurementFactsHook } from '../../platform/http/deps';
import { PROGRESS_READERS } from './responses.access';
import * as repo from './responses.repository';

/**
 * For the procurement pages (the procurements module may not import this one): how many suppliers
 * each procurement invited (revoked invitations left out) and how many of them have submitted.
 * Nothing for those who may not read suppliers' progress (the panel's evaluators).
 */
export const supplierCounts: ProcurementFactsHook = async ({ db, principal, procurementIds }) => {
  const facts = new Map<string, ProcurementFacts>();
  if (principal.kind !== 'user' || !(PROGRESS_READERS.roles as readonly Role[]).includes(principal.role)) return facts;
  for (const id of procurementIds) facts.set(id, { suppliersInvited: 0, suppliersSubmitted: 0 });
  for (const row of await repo.supplierCountsOf({ db, organisationId: principal.organisationId, procurementIds })) {
    facts.set(row.procurementId, { suppliersInvited: row.invited, suppliersSubmitted: row.submitted });
  }
  return facts;
};
