/**
 * Audit actions in plain words, for every reader of the log: the evaluation report's audit trail
 * and the console's audit log page say the same thing about the same event. Pure: no database.
 */

/**
 * The actions that have words; an action without any is shown by its code. These are also the
 * actions the evaluation report's audit trail lists (its `TRAIL_ACTIONS`): add one knowing that.
 */
export const AUDIT_ACTION_WORDS: Readonly<Record<string, string>> = {
  'invitation.sent': 'Invited the supplier',
  'invitation.resent': 'Sent the supplier a new link',
  'invitation.reminded': 'Reminded the supplier',
  'invitation.revoked': 'Revoked the supplier’s link',
  'response.deadline_extended': 'Extended the supplier’s deadline',
  'response.submitted': 'Submitted the response',
  'response.withdrawn': 'Withdrew the response',
  'clarification.asked': 'Asked a clarification',
  'clarification.replied': 'Replied to a clarification',
  'evaluation.declared': 'Declared on conflicts of interest',
  'evaluation.conflict_mitigated': 'Recorded a conflict mitigation',
  'evaluation.marked': 'Marked a question',
  'evaluation.marks_submitted': 'Submitted their marks',
  'evaluation.justification_reworded': 'Reworded the justification of a submitted mark',
  'evaluation.moderated': 'Moderated a mark',
  'evaluation.score_overridden': 'Overrode an automatic score',
  'evaluation.gateway_decided': 'Decided a gateway',
  'evaluation.amendment_accepted': 'Accepted an amended answer',
  'evaluation.amendment_rejected': 'Rejected an amended answer',
  'evaluation.flag_action_recorded': 'Recorded what the panel did about an integrity flag',
  'evaluation.finalised': 'Finalised the evaluation',
  'evaluation.condition_updated': 'Recorded a condition’s owner, due date and status',
  'evaluation.approval_recorded': 'Signed off the evaluation',
  'procurement.decision_recorded': 'Recorded the decision',
};

const APPROVAL_ROLE_NAMES: Readonly<Record<string, string>> = { evaluator: 'Evaluator', moderator: 'Moderator', data_protection_officer: 'Data protection officer', equality_lead: 'Equality lead', approver: 'Approver' };

/** One event in words (with the question, mark or outcome it concerns), or null when its action has none. */
export function auditEventWords({ action, details }: { action: string; details: Record<string, unknown> }): string | null {
  const words = AUDIT_ACTION_WORDS[action];
  if (words === undefined) return null;
  const key = typeof details.questionKey === 'string' ? ` ${details.questionKey}` : '';
  // Events that record the question's number (its reference) are named by it; older ones by key.
  const question = typeof details.questionRef === 'string' ? `question ${details.questionRef}` : typeof details.questionKey === 'string' ? `question ${details.questionKey}` : 'a question';
  const score = (value: unknown) => (typeof value === 'number' ? `${value} of 4` : 'no score');
  // Only with the details it needs: the action filter names each action with no details at all.
  if ((action === 'evaluation.amendment_accepted' || action === 'evaluation.amendment_rejected') && 'originalScore' in details)
    return `${words} to ${question}: as submitted it scored ${score(details.originalScore)}, as amended ${score(details.amendedScore)}; the ${action === 'evaluation.amendment_accepted' ? 'amended answer' : 'answer as submitted'} counts`;
  if (action === 'evaluation.flag_action_recorded' && typeof details.action === 'string') {
    const keys = Array.isArray(details.questionKeys) ? details.questionKeys : [];
    const refs = keys.map((k, i) => (Array.isArray(details.questionRefs) && typeof details.questionRefs[i] === 'string' ? details.questionRefs[i] : k)).filter((r): r is string => typeof r === 'string');
    const about = refs.length === 0 ? '' : ` about question${refs.length === 1 ? '' : 's'} ${refs.join(', ')}`;
    return `${words}${about}: ${details.action}`;
  }
  if (action === 'evaluation.marked' || action === 'evaluation.moderated' || action === 'evaluation.score_overridden') return `${words}${key}: ${String(details.score)}`;
  if (action === 'evaluation.condition_updated' && typeof details.number === 'number')
    return `Condition ${details.number}: ${String(details.status)}${typeof details.reason === 'string' ? ` (${details.reason})` : ''}${typeof details.owner === 'string' ? `, owner ${details.owner}` : ''}${typeof details.dueDate === 'string' ? `, due ${details.dueDate}` : ''}`;
  if (action === 'evaluation.gateway_decided') return `${words}${key}: ${String(details.outcome)}`;
  if (action === 'evaluation.declared') return `${words}: ${details.hasConflict ? 'a conflict declared' : 'no conflict'}`;
  // Roles in words as the sign-off block prints them; platform/audit imports no module, so they are spelled here.
  if (action === 'evaluation.approval_recorded' && typeof details.role === 'string')
    return `${words} as ${(APPROVAL_ROLE_NAMES[details.role] ?? details.role.replaceAll('_', ' ')).toLowerCase()}${typeof details.comment === 'string' ? `: ${details.comment}` : ''}`;
  if (action === 'procurement.decision_recorded') return `${words}: ${details.outcome === 'award' ? 'award' : 'no award'}`;
  return `${words}${key}`;
}
