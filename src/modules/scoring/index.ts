export {
  SCORING_METHOD_VERSION,
  RATINGS,
  RESIDUAL_RISKS,
  RESIDUAL_RISK_MATRIX,
  RATING_FOR_RISK,
  RATING_WORDS,
  RISK_WORDS,
  evaluateResponse,
  residualRisk,
  worseRating,
  questionsNeedingMarks,
  activeGateways,
  gatewaysNeedingDecision,
  rankByScore,
  type Score,
  type Rating,
  type ResidualRisk,
  type Mark,
  type GatewayDecision,
  type EvaluationInput,
  type Evaluation,
  type QuestionStatus,
  type QuestionEvaluation,
  type SectionEvaluation,
  type GatewayEvaluation,
} from './scoring.models';
export { rankingRobustness, reweighted, MARK_STEP, WEIGHT_SHARE, type RankingRobustness, type RobustnessResponse, type Standing, type MarkChange, type WeightChange } from './robustness.models';
export { registerScoringApi } from './scoring.api';
export { registerScoringConsolePages } from './results.pages';
export { registerPanelPages } from './panel.pages';
export { registerModerationPages } from './moderation.pages';
export { registerConditionsPages } from './conditions.pages';
export { EVALUATION_READERS, EVALUATION_REPORT_READERS, REPORT_READERS, RESULTS_READERS } from './scoring.access';
export { evaluationRecord, procurementEvaluations, rankingRobustnessOf, comparison, type ProcurementEvaluations, type ResultRow, type DecisionDto, type ComparisonDto } from './scoring.usecases';
export { declarations, marks, markSubmissions, moderations, gatewayDecisions, evaluations, procurementDecisions, scoreFeed } from './scoring.table';
export { scoreFeedVisibleTo, type ScoreFeedItem } from './scoring.feed';
export { listApprovals, type ApprovalDto } from './approvals.usecases';
export { APPROVAL_ROLES, APPROVAL_ROLE_WORDS, type ApprovalRole } from './approvals.models';
export { approvals } from './approvals.table';
