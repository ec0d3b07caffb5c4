/**
 * Approvals: who may sign off a procurement's evaluation, and in which role. Pure: the use case
 * reads the procurement's panel and the person's council role, and asks here.
 */

/** The roles of the decision summary's sign-off block, in the order it prints them. */
export const APPROVAL_ROLES = ['evaluator', 'moderator', 'data_protection_officer', 'equality_lead', 'approver'] as const;
export type ApprovalRole = (typeof APPROVAL_ROLES)[number];

export const APPROVAL_ROLE_WORDS: Record<ApprovalRole, string> = {
  evaluator: 'Evaluator',
  moderator: 'Moderator',
  data_protection_officer: 'Data protection officer',
  equality_lead: 'Equality lead',
  approver: 'Approver',
};

/** What each role's sign-off says, for the form's hints. */
export const APPROVAL_ROLE_HINTS: Record<ApprovalRole, string> = {
  evaluator: 'You marked the responses on the panel and agree the evaluation reflects your marks.',
  moderator: 'You moderated the panel’s marks and decided its gateways.',
  data_protection_officer: 'You have reviewed the data protection answers and the DPIA position.',
  equality_lead: 'You have reviewed the equality answers against the Public Sector Equality Duty.',
  approver: 'You approve the evaluation going to the decision.',
};

/**
 * The roles a person may record on a procurement: `evaluator` only an evaluator on its panel,
 * `moderator` only its moderator (both must also have declared, checked by the use case), the
 * other three any officer or admin of the council. A person may hold several.
 */
export function rolesOpenTo({ panelRole, councilRole }: { panelRole: 'evaluator' | 'moderator' | null; councilRole: string }): ApprovalRole[] {
  const council = councilRole === 'admin' || councilRole === 'officer';
  return APPROVAL_ROLES.filter((role) => (role === 'evaluator' || role === 'moderator' ? panelRole === role : council));
}
