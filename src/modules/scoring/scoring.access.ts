/**
 * Who reads scores, for every route that shows them (evaluations, results, reports, exports), so
 * a change to the rule changes it everywhere at once.
 */

/** Evaluations and their reports: council staff and API keys with scores:read; of the panel, evaluators reach the use case, which lets only the declared moderator through. */
export const EVALUATION_READERS = { roles: ['admin', 'officer', 'viewer', 'evaluator'], scopes: ['scores:read'] } as const;

/** A procurement's results, comparison and their exports: council staff and API keys with scores:read. */
export const RESULTS_READERS = { roles: ['admin', 'officer', 'viewer'], scopes: ['scores:read'] } as const;
