export { registerQuestionnairesApi } from './questionnaires.api';
export { seedBuiltInQuestionnaires, getQuestionnaire, exportDefinition, normaliseDefinition } from './questionnaires.usecases';
export { resolveVisibility, computeRiskTier, evaluateCondition, isAnswered, tierAtLeast, type Answers, type AnswerValue, type Visibility } from './questionnaires.models';
export { validateDefinition, type DefinitionProblem } from './questionnaires.validation';
export * from './questionnaires.definition';
export { questionnaires } from './questionnaires.table';
