/**
 * Who reads scores, for every route that shows them (evaluations, results, reports, exports), so
 * a change to the rule changes it everywhere at once.
 */

/** Evaluations: council staff and API keys with scores:read; of the panel, evaluators reach the use case, which lets only the declared moderator through. */
export const EVALUATION_READERS = { roles: ['admin', 'officer', 'viewer', 'evaluator'], scopes: ['scores:read'] } as const;

/** A procurement's results, comparison and their exports: council staff and API keys with scores:read. */
export const RESULTS_READERS = { roles: ['admin', 'officer', 'viewer'], scopes: ['scores:read'] } as const;

/**
 * The evaluation report, as evaluations for people. It reproduces every answer, confidential ones
 * included, and is one stored file per evaluation (never a redacted variant), so a key needs both
 * reports:read and responses:read-confidential.
 */
export const EVALUATION_REPORT_READERS = { roles: EVALUATION_READERS.roles, scopes: [['reports:read', 'responses:read-confidential']] } as const;

/** The comparison and the assessment summaries (no confidential answer in either): council staff and API keys with reports:read. */
export const REPORT_READERS = { roles: RESULTS_READERS.roles, scopes: ['reports:read'] } as const;
