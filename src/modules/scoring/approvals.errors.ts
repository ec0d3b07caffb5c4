import { AppError } from '../../platform/errors';
import { APPROVAL_ROLE_WORDS, type ApprovalRole } from './approvals.models';

export const approvalErrors = {
  personRequired: () =>
    new AppError({ status: 403, code: 'approvals.person_required', title: 'An approval is a person’s sign-off', detail: 'Sign in, or use your personal token: an API key cannot sign off an evaluation.' }),
  roleNotAllowed: (role: ApprovalRole) =>
    new AppError({
      status: 403,
      code: 'approvals.role_not_allowed',
      // The catalogue of codes calls each factory with a stand-in argument: the title then names no role.
      title: Object.hasOwn(APPROVAL_ROLE_WORDS, String(role)) ? `You cannot sign off as ${APPROVAL_ROLE_WORDS[role].toLowerCase()}` : 'You cannot sign off in this role',
      detail: 'The data protection officer’s, equality lead’s and approver’s sign-offs are recorded by an officer or admin of the council; an evaluator’s by an evaluator on the panel; the moderator’s by the moderator.',
    }),
  notEvaluated: (status: string) =>
    new AppError({ status: 409, code: 'approvals.not_evaluating', title: 'There is no evaluation to sign off yet', detail: `Approvals are recorded once the procurement is being evaluated, and after its decision. It is ${status}.` }),
};
