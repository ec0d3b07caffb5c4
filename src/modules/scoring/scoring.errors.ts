import { AppError, notFound, type FieldProblem } from '../../platform/errors';

export const scoringErrors = {
  procurementNotFound: () => notFound({ code: 'procurements.not_found', what: 'Procurement' }),
  responseNotFound: () => notFound({ code: 'responses.not_found', what: 'Response' }),
  evidenceNotFound: () => notFound({ code: 'evidence.not_found', what: 'Evidence file' }),
  declarationNotFound: () => notFound({ code: 'evaluations.declaration_not_found', what: 'Declaration' }),
  notOnPanel: () => new AppError({ status: 403, code: 'evaluations.not_on_panel', title: 'You are not on this procurement’s evaluation panel', detail: 'Ask an officer to add you to the panel if you should evaluate it.' }),
  notModerator: () => new AppError({ status: 403, code: 'evaluations.not_moderator', title: 'Only the procurement’s moderator can do this', detail: 'Ask the moderator, or an officer to make you the moderator.' }),
  declarationRequired: () =>
    new AppError({
      status: 403,
      code: 'evaluations.declaration_required',
      title: 'Declare any conflict of interest first',
      detail: 'POST /v1/procurements/{id}/declarations before seeing or marking any response (Procurement Act 2023 s.81).',
    }),
  conflictUnmitigated: () =>
    new AppError({ status: 403, code: 'evaluations.conflict_unmitigated', title: 'You declared a conflict of interest', detail: 'An officer must record how it is mitigated before you can take part.' }),
  alreadyDeclared: () => new AppError({ status: 409, code: 'evaluations.already_declared', title: 'You have already declared for this procurement', detail: 'Ask an officer if it needs correcting.' }),
  notEvaluating: (status: string) => new AppError({ status: 409, code: 'evaluations.not_evaluating', title: 'The procurement is not being evaluated', detail: `It is ${status}.` }),
  notSubmitted: () => new AppError({ status: 409, code: 'evaluations.response_not_submitted', title: 'Only submitted responses are evaluated', detail: 'Wait until the supplier has submitted this response.' }),
  notMarkable: (key: string) =>
    new AppError({ status: 422, code: 'evaluations.not_markable', title: 'This question is not marked by evaluators', errors: [{ path: '/params/questionKey', message: 'Mark only the visible, answered questions scored by evaluators', code: key }] }),
  notScoreable: (key: string) =>
    new AppError({ status: 422, code: 'evaluations.not_scoreable', title: 'This question has no score to moderate', errors: [{ path: '/params/questionKey', message: 'Choose a visible question that is scored', code: key }] }),
  notGateway: (key: string) =>
    new AppError({ status: 422, code: 'evaluations.not_a_gateway', title: 'This question is not an active gateway', errors: [{ path: '/params/questionKey', message: 'Choose a gateway that applies to this response', code: key }] }),
  conditionNeedsAction: () =>
    new AppError({
      status: 422,
      code: 'evaluations.condition_incomplete',
      title: 'A conditional pass needs an action, an owner and a due date',
      errors: [{ path: '/body/action', message: 'Enter what the supplier must do, who owns it (owner), and by when (dueDate)' }],
    }),
  finalised: () =>
    new AppError({ status: 409, code: 'evaluations.finalised', title: 'This evaluation has been finalised', detail: 'Its marks, moderation and gateway decisions can no longer change.' }),
  notReadyToFinalise: (outstanding: string[]) =>
    new AppError({
      status: 409,
      code: 'evaluations.not_ready_to_finalise',
      title: 'The evaluation cannot be finalised while anything is outstanding',
      detail: `Outstanding: ${outstanding.map(String).join('; ')}`,
      errors: outstanding.map((message) => ({ path: '/outstanding', message })),
    }),
  conditionNotFound: () => notFound({ code: 'conditions.not_found', what: 'Condition' }),
  conditionStale: (current: number) =>
    new AppError({
      status: 409,
      code: 'conditions.stale',
      title: 'Someone else changed this condition',
      detail: `Its version is now ${current}. Read the register again, check what they recorded, and send your change with that version.`,
    }),
  conditionNeedsReason: () =>
    new AppError({ status: 422, code: 'conditions.reason_required', title: 'Say why the condition is waived', errors: [{ path: '/body/reason', message: 'Enter why the council waives this condition' }] }),
  flagNotFound: () => notFound({ code: 'evaluations.flag_not_found', what: 'Integrity flag' }),
  clarificationNotFound: () => notFound({ code: 'clarifications.not_found', what: 'Clarification' }),
  noAmendment: () =>
    new AppError({ status: 409, code: 'evaluations.no_amendment', title: 'This clarification did not amend an answer', detail: 'Only a reply that amended an answer needs the moderator’s decision.' }),
  amendmentDecided: () =>
    new AppError({ status: 409, code: 'evaluations.amendment_decided', title: 'This amendment has already been decided', detail: 'Each amended answer is accepted or rejected once; the decision is in the evaluation and the audit log.' }),
  marksSubmitted: () =>
    new AppError({
      status: 409,
      code: 'evaluations.marks_submitted',
      title: 'You have submitted your marks for this response',
      detail: 'Their scores can no longer change; the moderator records the consensus. You may still reword a justification: send the same score with the new text.',
    }),
  marksIncomplete: (problems: FieldProblem[]) =>
    new AppError({ status: 422, code: 'evaluations.marks_incomplete', title: 'Mark every question before submitting your marks', errors: problems }),
  alreadyDecided: () => new AppError({ status: 409, code: 'evaluations.already_decided', title: 'A decision is already recorded for this procurement', detail: 'A decision cannot be changed; read it with GET /v1/procurements/{id}/results.' }),
  cannotAward: (why: string) => new AppError({ status: 409, code: 'evaluations.cannot_award', title: 'This response cannot be awarded', detail: why }),
  provisional: (outstanding: number) =>
    new AppError({ status: 409, code: 'evaluations.provisional', title: 'Some evaluations are still provisional', detail: `${outstanding} response${outstanding === 1 ? ' has' : 's have'} marks or gateway decisions outstanding.` }),
};
