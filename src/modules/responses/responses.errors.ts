import { AppError, notFound, type FieldProblem } from '../../platform/errors';

export const responsesErrors = {
  invitationNotFound: () => notFound({ code: 'invitations.not_found', what: 'Invitation' }),
  responseNotFound: () => notFound({ code: 'responses.not_found', what: 'Response' }),
  procurementNotFound: () => notFound({ code: 'procurements.not_found', what: 'Procurement' }),
  procurementNotInviting: (status: string) =>
    new AppError({ status: 409, code: 'invitations.procurement_not_open', title: 'Suppliers cannot be invited now', detail: `The procurement is ${status}; invite suppliers while it is a draft or open.` }),
  nothingToRemind: (state: string) =>
    new AppError({ status: 409, code: 'invitations.cannot_remind', title: 'There is nothing to remind this supplier of', detail: `The response is ${state}.` }),
  cannotExtend: (why: string) => new AppError({ status: 409, code: 'responses.cannot_extend', title: 'This supplier’s deadline cannot be extended', detail: `Because ${why}.` }),
  extensionNotLater: (current: Date) =>
    new AppError({
      status: 422,
      code: 'responses.extension_not_later',
      title: 'The new deadline must be later than the supplier’s current one',
      errors: [{ path: '/body/deadline', message: `Enter a time after ${current.toISOString()}` }],
    }),
  cannotWithdraw: (status: string) =>
    new AppError({
      status: 409,
      code: 'responses.cannot_withdraw',
      title: 'Your submitted response can no longer be withdrawn',
      detail: `The procurement is ${status}: a submitted response can be withdrawn only while the procurement is open, since the council may already be evaluating it or have decided. Contact the council if you cannot go ahead.`,
    }),
  invitationRevoked: () => new AppError({ status: 409, code: 'invitations.revoked', title: 'This invitation was revoked', detail: 'Invite the supplier again instead.' }),
};

/** The bid team: what only the lead may do, and adding or removing a colleague. */
export const teamErrors = {
  leadOnly: (what: string) =>
    new AppError({
      status: 403,
      code: 'responses.lead_only',
      title: `Only the lead supplier can ${what}`,
      detail: 'You were added to the bid team to answer some sections. The person who received the invitation submits the response, replies to the council and manages the team.',
    }),
  memberNotFound: () => notFound({ code: 'responses.team_member_not_found', what: 'Team member' }),
  invalidMember: (problems: FieldProblem[]) => new AppError({ status: 422, code: 'responses.invalid_team_member', title: 'The colleague’s details are not valid', errors: problems }),
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
  withdrawn: () => new AppError({ status: 409, code: 'responses.withdrawn', title: 'Your response was withdrawn', detail: 'A withdrawn response cannot change. Contact the council if you want to take part again.' }),
  deadlinePassed: () => new AppError({ status: 409, code: 'responses.deadline_passed', title: 'The deadline has passed', detail: 'Answers can no longer be changed.' }),
  notOpen: (status: string) => new AppError({ status: 409, code: 'responses.procurement_not_open', title: 'The procurement is not open for answers', detail: `It is ${status}.` }),
  stale: () =>
    new AppError({ status: 412, code: 'responses.stale', title: 'Your response changed since you last read it', detail: 'Read it again (GET /v1/supplier/response) and resend with the new ETag in If-Match.' }),
};

export const receiptErrors = {
  notSubmitted: () =>
    new AppError({ status: 409, code: 'responses.not_submitted', title: 'Your response has not been submitted', detail: 'A receipt lists the answers you submitted: submit your response first.' }),
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

export const evidenceErrors = {
  notFound: () => notFound({ code: 'evidence.not_found', what: 'Evidence file' }),
  empty: () => new AppError({ status: 422, code: 'evidence.empty', title: 'The file is empty', detail: 'Choose a file that has something in it.' }),
  unsupportedType: (found: string | undefined) =>
    new AppError({
      status: 415,
      code: 'evidence.unsupported_type',
      title: 'This kind of file cannot be uploaded',
      detail: `Upload a PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), PNG, JPEG, plain text or CSV file.${found ? ` This file's content is ${found.toUpperCase()}, whatever its name says.` : ''}`,
    }),
  tooLarge: (maxBytes: number) =>
    new AppError({ status: 413, code: 'evidence.too_large', title: 'The file is too large', detail: `The file must be smaller than ${Math.floor(maxBytes / (1024 * 1024))} MB.` }),
  notRequested: (key: string) =>
    new AppError({ status: 422, code: 'evidence.not_requested', title: 'This question does not take evidence files', errors: [{ path: '/body/questionKey', message: 'Upload evidence only to questions that ask for it', code: key }] }),
  tooMany: (max: number) => new AppError({ status: 409, code: 'evidence.too_many_files', title: 'This question has as many files as it can take', detail: `Up to ${max} files per question; delete one first.` }),
  badUpload: (detail: string) => new AppError({ status: 422, code: 'evidence.invalid_upload', title: 'The upload could not be read', detail }),
  multipartRequired: () =>
    new AppError({ status: 415, code: 'evidence.multipart_required', title: 'Send the file as multipart/form-data', detail: 'With a `questionKey` field and one `file` part.' }),
  tooManyUploads: (max: number) =>
    new AppError({
      status: 429,
      code: 'evidence.too_many_uploads',
      title: 'Other files are still uploading',
      detail: `Up to ${max} files can upload at once for one response. Wait for one to finish, then try again.`,
      headers: { 'retry-after': '5' },
    }),
  stalled: (seconds: number) =>
    new AppError({ status: 422, code: 'evidence.invalid_upload', title: 'The upload could not be read', detail: `The file stopped arriving for ${seconds} second${seconds === 1 ? '' : 's'}. Send it again.`, headers: { connection: 'close' } }),
  uploadsBusy: () =>
    new AppError({ status: 503, code: 'evidence.uploads_busy', title: 'Too many files are uploading right now', detail: 'The service is taking as many uploads as it can. Try again in a few seconds.', headers: { 'retry-after': '10' } }),
  storageUnavailable: () =>
    new AppError({ status: 503, code: 'evidence.storage_unavailable', title: 'Files cannot be stored right now', detail: 'Nothing was saved. Try again in a minute.', headers: { 'retry-after': '60' } }),
};

export const clarificationErrors = {
  notFound: () => notFound({ code: 'clarifications.not_found', what: 'Clarification' }),
  notSubmitted: (status: string) =>
    new AppError({ status: 409, code: 'clarifications.not_submitted', title: 'Clarifications are about submitted responses', detail: `This response is ${status.replace('_', ' ')}.` }),
  unknownQuestion: (key: string) =>
    new AppError({ status: 422, code: 'clarifications.unknown_question', title: 'No such question in this questionnaire', errors: [{ path: '/body/questionKey', message: `There is no question "${key}"`, code: key }] }),
  replyByInPast: () =>
    new AppError({ status: 422, code: 'clarifications.reply_by_in_past', title: 'The reply-by time must be in the future', errors: [{ path: '/body/replyBy', message: 'Enter a time in the future' }] }),
  alreadyReplied: () => new AppError({ status: 409, code: 'clarifications.already_replied', title: 'You have already replied to this clarification', detail: 'Contact the council if you need to add something.' }),
  amendNotAllowed: () =>
    new AppError({
      status: 422,
      code: 'clarifications.amend_not_allowed',
      title: 'The council did not ask you to change this answer',
      errors: [{ path: '/body/amendedAnswer', message: 'Reply in words only; this clarification does not allow a changed answer' }],
    }),
};
