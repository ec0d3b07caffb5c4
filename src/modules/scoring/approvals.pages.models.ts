import { ukDayTime } from '../../platform/format';
import { APPROVAL_ROLES, APPROVAL_ROLE_HINTS, APPROVAL_ROLE_WORDS, type ApprovalRole } from './approvals.models';
import type { ApprovalDto } from './approvals.usecases';
import type { FormBody, PageError } from './moderation.models';

/** The console's sign-off page as pure functions: the approvals table, the role radios, and the form read back. */

export const signOffHref = (procurementId: string) => `/procurements/${procurementId}/sign-off`;

export const COMMENT_MAX = 2000;

/** The approvals recorded, one summary-list row each (a list reflows on a narrow screen, a four-column table would not): role, then who, when and their comment. */
export function approvalRows(approvals: readonly ApprovalDto[]) {
  return [...approvals]
    .sort((a, b) => APPROVAL_ROLES.indexOf(a.role) - APPROVAL_ROLES.indexOf(b.role) || a.createdAt.localeCompare(b.createdAt))
    .map((a) => ({ key: { text: APPROVAL_ROLE_WORDS[a.role] }, value: { text: `${a.name}, ${ukDayTime(a.createdAt)}${a.comment ? `: “${a.comment}”` : ''}` } }));
}

export type SignOffTyped = { role: string; comment: string };

/** Radios for the roles the signed-in person may record, and only those. */
export function roleItems({ roles, typed, mine }: { roles: readonly ApprovalRole[]; typed: SignOffTyped; mine: readonly ApprovalDto[] }) {
  return roles.map((role) => {
    const earlier = mine.find((a) => a.role === role);
    return {
      value: role,
      text: APPROVAL_ROLE_WORDS[role],
      hint: { text: earlier ? `${APPROVAL_ROLE_HINTS[role]} You signed on ${ukDayTime(earlier.createdAt)}; signing again replaces that.` : APPROVAL_ROLE_HINTS[role] },
      checked: typed.role === role,
    };
  });
}

/** The form as posted: a role this person may record, and an optional comment of at most 2,000 characters. */
export function readSignOffForm({ body, roles }: { body: FormBody; roles: readonly ApprovalRole[] }): { typed: SignOffTyped; errors: PageError[]; input: { role: ApprovalRole; comment: string | undefined } | null } {
  const typed = { role: typeof body.role === 'string' ? body.role : '', comment: typeof body.comment === 'string' ? body.comment : '' };
  const errors: PageError[] = [];
  const role = roles.find((r) => r === typed.role);
  if (!role) errors.push({ href: '#role', text: 'Select the role you are signing off in' });
  const comment = typed.comment.trim();
  if (comment.length > COMMENT_MAX) errors.push({ href: '#comment', text: `Your comment must be ${COMMENT_MAX.toLocaleString('en-GB')} characters or fewer` });
  if (comment.includes('\u0000')) errors.push({ href: '#comment', text: 'Remove the NUL character from your comment' });
  if (errors.length > 0 || !role) return { typed, errors, input: null };
  return { typed, errors, input: { role, comment: comment === '' ? undefined : comment } };
}
