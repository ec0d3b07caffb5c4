import { AppError, notFound, type FieldProblem } from '../../platform/errors';

export const questionnairesErrors = {
  notFound: () => notFound({ code: 'questionnaires.not_found', what: 'Questionnaire' }),
  invalidDefinition: (problems: FieldProblem[]) =>
    new AppError({
      status: 422,
      code: 'questionnaires.invalid_definition',
      title: 'The questionnaire definition is not valid',
      detail: `${problems.length} problem${problems.length === 1 ? '' : 's'} found; each is listed in errors[] with its path in the definition.`,
      errors: problems,
    }),
  versionLocked: () =>
    new AppError({
      status: 409,
      code: 'questionnaires.version_locked',
      title: 'This version is published and cannot change',
      detail: 'Published questionnaires are immutable. Clone it to make the next version as a draft.',
    }),
  builtInReadOnly: () =>
    new AppError({ status: 409, code: 'questionnaires.built_in_read_only', title: 'Built-in questionnaires are read-only', detail: 'Clone it into your organisation to make your own variant.' }),
  versionExists: (key: string, version: string) =>
    new AppError({ status: 409, code: 'questionnaires.version_exists', title: 'That version already exists', detail: `Your organisation already has ${key} version ${version}. Use another version number.` }),
  alreadyPublished: () => new AppError({ status: 409, code: 'questionnaires.already_published', title: 'Already published', detail: 'A published version cannot change: import the changes as a new version.' }),
  archived: () => new AppError({ status: 409, code: 'questionnaires.archived', title: 'This questionnaire is archived', detail: 'Archived questionnaires cannot be changed or published.' }),
};
