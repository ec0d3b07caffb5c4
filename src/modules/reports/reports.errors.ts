import { AppError } from '../../platform/errors';

export const reportErrors = {
  notDecided: () =>
    new AppError({
      status: 409,
      code: 'reports.not_decided',
      title: 'The procurement has no recorded decision yet',
      detail: 'An assessment summary explains a decision (Procurement Act 2023 s.50). Record it with POST /v1/procurements/{id}/decision first.',
    }),
  nothingToCompare: () => new AppError({ status: 409, code: 'reports.no_evaluations', title: 'No response of this procurement has been evaluated yet', detail: 'Responses are evaluated once submitted.' }),
};
