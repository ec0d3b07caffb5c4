import { AppError, notFound, type FieldProblem } from '../../platform/errors';

// No detail of its own: AppError makes one from the first few errors, however many the request caused.
const invalid = (code: string, title: string, errors: FieldProblem[]) => new AppError({ status: 422, code, title, errors });

export const procurementsErrors = {
  notFound: () => notFound({ code: 'procurements.not_found', what: 'Procurement' }),
  unknownUsers: (errors: FieldProblem[]) => invalid('procurements.unknown_user', 'Evaluators and the moderator must be active users of your organisation', errors),
  invalidTriage: (errors: FieldProblem[]) => invalid('procurements.invalid_triage', 'The triage answers do not fit the questionnaire', errors),
  invalidWeights: (errors: FieldProblem[]) => invalid('procurements.invalid_weights', 'Section weights must cover every section and add up to 100', errors),
  triageIncomplete: (errors: FieldProblem[]) => invalid('procurements.triage_incomplete', 'Answer every triage question before opening', errors),
  questionnaireNotUsable: (why: string) =>
    new AppError({
      status: 422,
      code: 'procurements.questionnaire_not_usable',
      title: 'That questionnaire cannot be used for a procurement',
      detail: why,
      errors: [{ path: '/body/questionnaireId', message: why }],
    }),
  deadlineInPast: () =>
    new AppError({ status: 422, code: 'procurements.deadline_in_past', title: 'The deadline must be in the future', errors: [{ path: '/body/deadline', message: 'must be a time in the future' }] }),
  invalidTransition: (from: string, action: string) =>
    new AppError({ status: 409, code: 'procurements.invalid_transition', title: 'Not possible in the current status', detail: `A ${from} procurement cannot ${action.replace('-', ' ')}.` }),
  notDraft: () => new AppError({ status: 409, code: 'procurements.not_draft', title: 'Only a draft procurement can be changed', detail: 'Once open, the questionnaire, triage, weights and deadline are what bidders were told.' }),
  referenceTaken: () => new AppError({ status: 409, code: 'procurements.reference_taken', title: 'That reference is already used by another procurement', detail: 'Choose a reference no other procurement of your council uses, or leave it out.' }),
  stale: () =>
    new AppError({ status: 412, code: 'procurements.stale', title: 'The procurement has changed since you read it', detail: 'Read it again (GET) and resend with the new ETag in If-Match.' }),
};
