import type { AnswerValue, Question, QuestionnaireDefinition, RiskTier } from '../questionnaires';
import { RATING_WORDS as SCORING_RATING_WORDS, RISK_WORDS as SCORING_RISK_WORDS, type Evaluation, type RankingRobustness, type QuestionEvaluation, type Rating, type ResidualRisk } from '../scoring';
import { calendarDay } from '../../platform/format';
import type { Block } from './reports.document';

/**
 * What the reports share: their inputs (data already gathered and named, no I/O) and the words,
 * numbers and tables they print the same way.
 */

// ───────────────────────────────────────────── inputs

export type ReportProcurement = { id: string; title: string; reference: string | null; riskTier: RiskTier; riskTierReason: string };

export type ReportAnswer = { value: AnswerValue; comment: string | null; confidential: boolean; confidentialReason: string | null };

export type ReportEvidence = { questionKey: string; filename: string; sizeBytes: number; sha256: string };

export type ReportMark = { questionKey: string; evaluator: string; score: number; justification: string; at: string };

export type ReportModeration = { questionKey: string; moderator: string; score: number; rationale: string; at: string };

export type ReportClarification = { questionKey: string; question: string; askedAt: string; reply: string | null; repliedAt: string | null; amended: boolean };

/** An answer amended in reply to a clarification, with both scores and the moderator's decision (the decider already named). */
export type ReportAmendment = {
  questionKey: string;
  askedAt: string;
  repliedAt: string | null;
  /** The answer before the amendment: as submitted, or as an earlier accepted amendment left it. */
  original: AnswerValue;
  amended: AnswerValue;
  originalScore: number | null;
  amendedScore: number | null;
  status: 'pending' | 'accepted' | 'rejected';
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  /** A later amendment of the same answer followed, and it is that one which decides the score. */
  superseded: boolean;
};

/** An integrity flag with the rule that raised it and what the panel recorded doing about it (the recorder already named). */
export type ReportIntegrityFlag = { ruleText: string; questionKeys: readonly string[]; message: string; action: { text: string; by: string; at: string } | null };

/** A condition of the response's conditions register, whoever last changed it already named. */
export type ReportCondition = {
  number: number;
  source: 'gateway' | 'exception' | 'evidence' | 'residual_risk' | 'overall_risk';
  text: string;
  owner: string | null;
  dueDate: string | null;
  status: 'open' | 'met' | 'waived';
  reason: string | null;
  updated: { by: string; at: string } | null;
};

/** The moderator's sign-off of the evaluation, the moderator already named. */
export type ReportFinalisation = { by: string; at: string };

/** A person's sign-off of the procurement's evaluation (`POST /v1/procurements/{id}/approvals`), the person already named. */
export type ReportApproval = { role: 'evaluator' | 'moderator' | 'data_protection_officer' | 'equality_lead' | 'approver'; userId: string; name: string; at: string; comment: string | null };

/** The procurement's panel, named: whose sign-off the decision summary expects as evaluator and moderator. */
export type ReportPanel = { evaluators: ReadonlyArray<{ id: string; name: string }>; moderator: { id: string; name: string } | null };

/** One audit event, with the actor already named. */
export type ReportTrailEvent = { at: string; who: string; action: string; details: Record<string, unknown> };

export type EvaluationReportInput = {
  council: string;
  procurement: ReportProcurement;
  definition: QuestionnaireDefinition;
  supplierName: string;
  submittedAt: string | null;
  evaluation: Evaluation;
  /** When the evaluation was last computed: the report's date. */
  computedAt: string;
  answers: Readonly<Record<string, ReportAnswer>>;
  amended: readonly string[];
  evidence: readonly ReportEvidence[];
  marks: readonly ReportMark[];
  moderations: readonly ReportModeration[];
  clarifications: readonly ReportClarification[];
  /** Every clarification amendment, oldest first. */
  amendments: readonly ReportAmendment[];
  integrityFlags: readonly ReportIntegrityFlag[];
  /** The conditions register, in its numbered order. */
  conditions: readonly ReportCondition[];
  /** Null until the moderator finalises the evaluation. */
  finalisation: ReportFinalisation | null;
  trail: readonly ReportTrailEvent[];
  /** The procurement's sign-offs, one per person per role, oldest first: the decision summary's sign-off block. */
  approvals: readonly ReportApproval[];
  panel: ReportPanel;
};

export type ComparisonRow = {
  supplierName: string;
  status: string;
  rank: number | null;
  /** Absent for a response that was not submitted. */
  evaluation: Evaluation | null;
  computedAt: string | null;
  /** The moderator's sign-off of the evaluation, the moderator already named; absent or null until then. */
  finalisation?: ReportFinalisation | null;
};

export type ComparisonReportInput = {
  council: string;
  procurement: ReportProcurement;
  definition: QuestionnaireDefinition;
  rows: readonly ComparisonRow[];
  decision: { outcome: 'award' | 'no_award'; supplierName: string | null; decidedAt: string } | null;
  /** Would one mark or one section weight change the winner (scoring's `rankingRobustness`); absent: not worked out, and not shown. */
  robustness?: RankingRobustness;
};

export type AssessmentSummaryInput = {
  council: string;
  procurement: ReportProcurement;
  definition: QuestionnaireDefinition;
  supplierName: string;
  evaluation: Evaluation;
  computedAt: string;
  /** This bidder's own answers only. */
  answers: Readonly<Record<string, ReportAnswer>>;
  /** The moderator's reasons for this bidder's marks (only an override of an automatic mark is explained by one). */
  moderations: readonly ReportModeration[];
  /** Each evaluator's mark and justification: the explanation of a mark evaluators gave. */
  marks: readonly ReportMark[];
  /** Who the supplier is, as Procurement Regulations 2024 reg. 31(2)(a) to (c) ask; null where it gave nothing. */
  supplier: { legalName: string | null; postalAddress: string | null; email: string | null; identifier: string | null };
  /** The absolute address of the procurement's published methodology, readable without signing in. */
  methodologyUrl: string;
  rank: number | null;
  rankedCount: number;
  decision: {
    outcome: 'award' | 'no_award';
    decidedAt: string;
    rationale: string;
    successful: boolean;
    /** The successful tender's name and scores (never its answers); null when this bidder won or nothing was awarded. */
    winner: {
      supplierName: string;
      overallScore: number | null;
      sections: Array<{ key: string; score: number | null; effectiveWeight: number | null; weightedContribution: number | null }>;
      /** Its mark for each question: scores only, so its relative advantages can be named without its answers. */
      questions: Array<{ key: string; score: number | null }>;
    } | null;
  };
};

// ───────────────────────────────────────────── words

export const capitalised = <K extends string>(words: Record<K, string>) => Object.fromEntries(Object.entries(words).map(([k, w]) => [k, `${(w as string).charAt(0).toUpperCase()}${(w as string).slice(1)}`])) as Record<K, string>;
export const RATING_WORDS = capitalised<Rating>(SCORING_RATING_WORDS);
export const RISK_WORDS = capitalised<ResidualRisk>(SCORING_RISK_WORDS);
export const TIERS: readonly RiskTier[] = ['low', 'medium', 'high', 'very_high'];
export const BANDS = ['75 to 100', '50 to under 75', '25 to under 50', 'Under 25'] as const;
export const OUTCOME_WORDS = { pass: 'Pass', fail: 'Fail', conditional: 'Conditional pass', pending: 'Awaiting decision' } as const;
export const STATUS_WORDS: Record<QuestionEvaluation['status'], string> = {
  scored: 'Scored',
  not_applicable: 'Not applicable',
  hidden: 'Not asked',
  unanswered: 'Not answered',
  pending_mark: 'Awaiting moderated mark',
  not_scored: 'For information, not scored',
};

export const fixed1 = (n: number | null) => (n === null ? '–' : n.toFixed(1));
export const fixed2 = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n.toFixed(2));
export const score100 = (n: number | null) => (n === null ? 'No score' : `${n.toFixed(1)} out of 100`);

/** A file name from its parts: lower case, letters, digits and hyphens. */
export function fileNameOf(parts: Array<string | null>): string {
  const slug = parts
    .filter((p): p is string => Boolean(p))
    .join(' ')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 150);
  return `${slug || 'report'}.pdf`;
}

export const markLabel = (definition: QuestionnaireDefinition, score: number | null) => {
  if (score === null) return 'No score';
  const label = definition.scale.find((s) => s.value === score)?.label;
  return label ? `${score} of 4 (${label})` : `${score} of 4`;
};

/** The answer as the supplier chose it, in the questionnaire's own words. */
export function answerText(question: Question, value: AnswerValue | undefined): string {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) return 'Not answered';
  const label = (v: string) => question.options?.find((o) => o.value === v)?.label ?? v;
  if (Array.isArray(value)) return value.map(label).join('; ');
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return question.limits?.unit ? `${value} ${question.limits.unit}` : String(value);
  if (question.type === 'yes_no' || question.type === 'single_choice') return label(value);
  if (question.type === 'date') return calendarDay(value);
  return value;
}

/**
 * Scoring's working in a reader's words. The working is part of the stored evaluation, whose hash
 * is pinned, so it is rephrased here and not in scoring: without the methodology's section number,
 * and with the tier's reason naming the triage answers that set it (the procurement's stored reason)
 * rather than every trigger of the tier's rule.
 */
export function plainWorking(lines: readonly string[], definition: QuestionnaireDefinition, procurement: ReportProcurement): string[] {
  const ruleReasons = definition.triage.tierRules.map((r) => r.reason);
  return lines.map((line) => {
    const plain = line.replace(/ \(reference §7\.4 matrix\)/g, '');
    if (!plain.startsWith('Risk tier ') || !plain.includes(', from the triage answers. ')) return plain;
    const reason = ruleReasons.find((r) => plain.endsWith(r));
    return reason ? `${plain.slice(0, plain.length - reason.length)}${procurement.riskTierReason}` : plain;
  });
}

export const titled = (ref: string | null | undefined, text: string) => (ref ? `${ref} ${text}` : text);
export const questionsOf = (definition: QuestionnaireDefinition) => new Map(definition.sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const)));
export const referenceOf = (p: ReportProcurement) => p.reference ?? p.id;

export function gatewayRows(evaluation: Evaluation, questions: Map<string, Question>): string[][] {
  return evaluation.gateways.map((g) => [
    g.ref ?? '',
    questions.get(g.questionKey)?.text ?? g.questionKey,
    OUTCOME_WORDS[g.outcome],
    g.decidedBy === 'moderator' ? 'Moderator' : 'Rule',
    [g.reason, g.action ? `Action: ${g.action}` : '', g.dueDate ? `Due: ${calendarDay(g.dueDate)}` : ''].filter(Boolean).join(' '),
  ]);
}

/** A table, or the sentence that says there is nothing to put in one. */
export const tableOr = (empty: string, table: Omit<Extract<Block, { kind: 'table' }>, 'kind'>): Block =>
  table.rows.length === 0 ? { kind: 'paragraph', text: empty } : { kind: 'table', ...table };

export const gatewayTable = (evaluation: Evaluation, questions: Map<string, Question>): Block =>
  tableOr('No gateway applies to this response.', {
    caption: 'Gateway outcomes',
    columns: [
      { header: 'Ref', width: 0.07 },
      { header: 'Gateway question', width: 0.33 },
      { header: 'Outcome', width: 0.13 },
      { header: 'Decided by', width: 0.13 },
      { header: 'Reason', width: 0.34 },
    ],
    rows: gatewayRows(evaluation, questions),
  });

export const gatewaySummary = (evaluation: Evaluation) => {
  const count = (o: string) => evaluation.gateways.filter((g) => g.outcome === o).length;
  if (evaluation.gateways.length === 0) return 'None apply';
  return [`${count('pass')} passed`, `${count('conditional')} passed with conditions`, `${count('fail')} failed`, `${count('pending')} awaiting decision`].filter((s) => !s.startsWith('0 ')).join(', ');
};

export const visibleSections = (evaluation: Evaluation) => evaluation.sections.filter((s) => s.visible);

/** A condition's status in words, the same in the decision summary and the conditions section. */
export const CONDITION_STATUS_WORDS: Record<ReportCondition['status'], string> = { open: 'Open', met: 'Met', waived: 'Waived' };
