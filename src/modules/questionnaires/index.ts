export { registerQuestionnairesApi } from './questionnaires.api';
export { registerQuestionnairePages } from './questionnaires.pages';
export { seedBuiltInQuestionnaires, getQuestionnaire, listQuestionnaires, exportDefinition, normaliseDefinition, type QuestionnaireSummary } from './questionnaires.usecases';
export { TIER_NAMES, conditionWords } from './questionnaires.methodology';
export { resolveVisibility, computeRiskTier, evaluateCondition, isAnswered, tierAtLeast, compareVersions, type Answers, type AnswerValue, type Visibility } from './questionnaires.models';
export { validateDefinition, walkCondition, type DefinitionProblem } from './questionnaires.validation';
export * from './questionnaires.definition';
export { questionnaires } from './questionnaires.table';
