import { AppError, notFound, type FieldProblem } from '../../platform/errors';

export const responsesErrors = {
  invitationNotFound: () => notFound({ code: 'invitations.not_found', what: 'Invitation' }),
  responseNotFound: () => notFound({ code: 'responses.not_found', what: 'Response' }),
  procurementNotFound: () => notFound({ code: 'procurements.not_found', what: 'Procurement' }),
  procurementNotInviting: (status: string) =>
    new AppError({ status: 409, code: 'invitations.procurement_not_open', title: 'Suppliers cannot be invited now', detail: `The procurement is ${status}; invite suppliers while it is a draft or open.` }),
  invitationRevoked: () => new AppError({ status: 409, code: 'invitations.revoked', title: 'This invitation was revoked', detail: 'Invite the supplier again instead.' }),
};

export const answerErrors = {
  questionNotFound: (key: string) => notFound({ code: 'responses.question_not_found', what: `Question "${key}"` }),
  invalidValue: (key: string, ref: string | null, message: string) =>
    new AppError({
      status: 422,
      code: 'answers.invalid_value',
      title: `The answer to ${ref ? `question ${ref}` : `"${key}"`} is not valid`,
      detail: message,
      errors: [{ path: '/body/value', message, code: key }],
    }),
  reasonRequired: () =>
    new AppError({
      status: 422,
      code: 'answers.confidential_reason_required',
      title: 'Say why the answer is commercially confidential',
      errors: [{ path: '/body/confidentialReason', message: 'Enter why this answer is commercially confidential' }],
    }),
  invalidValues: (problems: FieldProblem[]) =>
    new AppError({
      status: 422,
      code: 'answers.invalid_values',
      title: 'Some answers are not valid',
      detail: `${problems.length} problem${problems.length === 1 ? '' : 's'} found; nothing was saved. Each problem's code is the question key.`,
      errors: problems,
    }),
  alreadySubmitted: () =>
    new AppError({ status: 409, code: 'responses.already_submitted', title: 'Your response has been submitted', detail: 'A submitted response cannot change. Contact the council if you need to correct it.' }),
  withdrawn: () => new AppError({ status: 409, code: 'responses.withdrawn', title: 'Your response was withdrawn' }),
  deadlinePassed: () => new AppError({ status: 409, code: 'responses.deadline_passed', title: 'The deadline has passed', detail: 'Answers can no longer be changed.' }),
  notOpen: (status: string) => new AppError({ status: 409, code: 'responses.procurement_not_open', title: 'The procurement is not open for answers', detail: `It is ${status}.` }),
  stale: () =>
    new AppError({ status: 412, code: 'responses.stale', title: 'Your response changed since you last read it', detail: 'Read it again (GET /v1/supplier/response) and resend with the new ETag in If-Match.' }),
};

export const submitErrors = {
  incomplete: (problems: Array<{ path: string; message: string; code?: string }>) =>
    new AppError({
      status: 422,
      code: 'responses.incomplete',
      title: 'Some required questions are not answered',
      detail: `${problems.length} question${problems.length === 1 ? ' needs' : 's need'} an answer before you can submit.`,
      errors: problems,
    }),
};
