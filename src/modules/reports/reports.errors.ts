import { AppError } from '../../platform/errors';

export const reportErrors = {
  notDecided: () =>
    new AppError({
      status: 409,
      code: 'reports.not_decided',
      title: 'The procurement has no recorded decision yet',
      detail: 'An assessment summary explains a decision (Procurement Act 2023 s.50). Record it with POST /v1/procurements/{id}/decision first.',
    }),
  /** Reg. 31(2)(e): each mark evaluators gave is explained by reference to the tender; `errors[]` names each question and evaluator. */
  justificationMissing: (problems: Array<{ questionKey: string; text: string }>) => {
    const texts = problems.map((p) => p.text);
    const listed = `${texts.slice(0, 10).join(' ')}${texts.length > 10 ? ` And ${texts.length - 10} more.` : ''}`;
    return new AppError({
      status: 409,
      code: 'reports.justification_missing',
      title: 'A marked answer has no justification that refers to the tender',
      detail: `An assessment summary explains each mark by reference to the tender, so it is not produced while an evaluator’s justification is missing, too short or a stock phrase. The evaluator can reword it, keeping the score (PUT /v1/responses/{id}/marks/{questionKey}). ${listed}`,
      errors: problems.map((p) => ({ path: `/marks/${p.questionKey}`, message: String(p.text), code: 'reports.justification_missing' })),
    });
  },
  nothingToCompare: () => new AppError({ status: 409, code: 'reports.no_evaluations', title: 'No response of this procurement has been evaluated yet', detail: 'Responses are evaluated once submitted.' }),
};
