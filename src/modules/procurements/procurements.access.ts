import type { Role } from '../../platform/auth';

/**
 * Who may read and change procurements, for the API's routes and the console's pages alike, so a
 * change to the rule changes both at once.
 */

/** Reading procurements: council staff (the panel included) and API keys with procurements:read. */
export const PROCUREMENT_READERS = { roles: ['admin', 'officer', 'evaluator', 'viewer'], scopes: ['procurements:read'] } as const;

/** Creating, changing and moving procurements through their lifecycle: admins and officers. */
export const PROCUREMENT_WRITERS = { roles: ['admin', 'officer'] } as const;

/** Whether a user of this role may change procurements. */
export const mayChangeProcurements = (role: Role): boolean => (PROCUREMENT_WRITERS.roles as readonly Role[]).includes(role);
