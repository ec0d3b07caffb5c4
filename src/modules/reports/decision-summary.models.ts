import type { Question } from '../questionnaires';
import type { Evaluation, ResidualRisk, SectionEvaluation } from '../scoring';
import { calendarDay, ukDay } from '../../platform/format';
import type { Block } from './reports.document';
import { CONDITION_STATUS_WORDS, RATING_WORDS, RISK_WORDS, OUTCOME_WORDS, questionsOf, score100, titled, visibleSections, type EvaluationReportInput, type ReportApproval, type ReportCondition, type ReportTrailEvent } from './reports.shared';

/**
 * The decision summary at the front of the evaluation report: what a procurement board reads
 * before deciding, in about two pages. The recommendation, the rating and why, the critical
 * sections as red/amber/green, the gateways and who decided them, the numbered conditions, the
 * integrity flags and the sign-off block. Pure: everything comes from the report's input.
 */

export type RecommendationOutcome = 'award' | 'award_with_conditions' | 'do_not_proceed';
export type Recommendation = {
  outcome: RecommendationOutcome;
  /** The evaluation can still change (marks, gateway decisions or amendments outstanding): not for decision. */
  provisional: boolean;
  /** Why, one line each, in the order the rule applies. */
  because: string[];
};

export const RECOMMENDATION_WORDS: Record<RecommendationOutcome, string> = {
  award: 'Award',
  award_with_conditions: 'Award with conditions',
  do_not_proceed: 'Do not proceed',
};

/**
 * The rule, first match wins: a failed gateway, or a rating of "not acceptable" or "significant
 * concerns" (high or very high residual risk), means do not proceed; a conditional gateway, a rating
 * of "acceptable with conditions" or a condition still open means award with conditions; otherwise
 * award. A provisional evaluation gets the same reading, marked not for decision.
 */
export function recommendationOf({ evaluation, conditions }: { evaluation: Pick<Evaluation, 'rating' | 'gateways' | 'provisional'>; conditions: ReadonlyArray<Pick<ReportCondition, 'status'>> }): Recommendation {
  const provisional = evaluation.provisional;
  const failed = evaluation.gateways.filter((g) => g.outcome === 'fail').length;
  if (failed > 0) return { outcome: 'do_not_proceed', provisional, because: [`${failed} gateway${failed === 1 ? '' : 's'} failed: the supplier cannot be awarded whatever its score.`] };
  if (evaluation.rating === 'not_acceptable' || evaluation.rating === 'significant_concerns')
    return { outcome: 'do_not_proceed', provisional, because: [`The rating is “${RATING_WORDS[evaluation.rating].toLowerCase()}”: the residual risk is too high to award on this evaluation.`] };
  const because: string[] = [];
  const conditional = evaluation.gateways.filter((g) => g.outcome === 'conditional').length;
  if (conditional > 0) because.push(`${conditional} gateway${conditional === 1 ? '' : 's'} passed on conditions.`);
  if (evaluation.rating === 'acceptable_with_conditions') because.push('The rating is “acceptable with conditions”.');
  const open = conditions.filter((c) => c.status === 'open').length;
  if (open > 0) because.push(`${open} condition${open === 1 ? ' is' : 's are'} still open.`);
  if (because.length > 0) return { outcome: 'award_with_conditions', provisional, because };
  return { outcome: 'award', provisional, because: ['Every gateway passed, the rating is “acceptable” and no condition is open.'] };
}

const lower = (s: string) => s.toLowerCase();
const gatewayName = (g: Evaluation['gateways'][number], questions: Map<string, Question>) => (g.ref ? `gateway ${g.ref}` : `the gateway “${questions.get(g.questionKey)?.text ?? g.questionKey}”`);
const RISK_ORDER: readonly ResidualRisk[] = ['low', 'medium', 'high', 'very_high'];

/** The rating and why, in one sentence: the score's reading at the tier, then whatever lowered it. */
export function ratingSentence(evaluation: Evaluation, questions: Map<string, Question>): string {
  const rating = lower(RATING_WORDS[evaluation.rating]);
  const failed = evaluation.gateways.filter((g) => g.outcome === 'fail');
  if (failed.length > 0) return `Rated ${rating} because ${failed.map((g) => gatewayName(g, questions)).join(' and ')} failed, whatever the score${evaluation.overallScore === null ? '' : ` (${score100(evaluation.overallScore)})`}.`;
  const base =
    evaluation.overallScore === null || evaluation.overallResidualRisk === null
      ? 'there is no overall score yet'
      : `a score of ${score100(evaluation.overallScore)} at the ${lower(RISK_WORDS[evaluation.riskTier])} risk tier gives ${lower(RISK_WORDS[evaluation.overallResidualRisk])} residual risk`;
  const worst = visibleSections(evaluation)
    .filter((s) => s.critical && s.residualRisk !== null)
    .reduce<SectionEvaluation | null>((w, s) => (w === null || RISK_ORDER.indexOf(s.residualRisk!) > RISK_ORDER.indexOf(w.residualRisk!) ? s : w), null);
  const extra: string[] = [];
  if (worst && evaluation.overallResidualRisk !== null && RISK_ORDER.indexOf(worst.residualRisk!) > RISK_ORDER.indexOf(evaluation.overallResidualRisk))
    extra.push(`the critical section “${titled(worst.ref, worst.title)}” has ${lower(RISK_WORDS[worst.residualRisk!])} residual risk, and the rating is never better than its worst critical section`);
  const conditional = evaluation.gateways.filter((g) => g.outcome === 'conditional');
  if (conditional.length > 0) extra.push(`${conditional.map((g) => gatewayName(g, questions)).join(' and ')} passed on conditions`);
  return `Rated ${rating}: ${[base, ...extra].join('; ')}.`;
}

/** Red, amber or green in words as well as emphasis, so the table reads without colour. */
export const RAG_WORDS: Record<ResidualRisk, string> = {
  low: 'Green (low residual risk)',
  medium: 'Amber (medium residual risk)',
  high: 'Red (high residual risk)',
  very_high: 'Red (very high residual risk)',
};

function criticalTable(evaluation: Evaluation): Block {
  const critical = visibleSections(evaluation).filter((s) => s.critical);
  if (critical.length === 0) return { kind: 'paragraph', text: 'No section of this questionnaire is marked critical.' };
  return {
    kind: 'table',
    caption: 'Critical sections: red, amber or green',
    columns: [
      { header: 'Section', width: 0.5 },
      { header: 'Score /100', width: 0.15, align: 'right' },
      { header: 'Residual risk', width: 0.35 },
    ],
    rows: critical.map((s) => [titled(s.ref, s.title), s.score === null ? 'No score' : s.score.toFixed(1), s.residualRisk ? RAG_WORDS[s.residualRisk] : 'Not rated: no score yet']),
    // Red and amber stand out; green and unrated do not.
    emphasis: critical.flatMap((s, row) => (s.residualRisk && s.residualRisk !== 'low' ? [[row, 2] as [number, number]] : [])),
  };
}

/** Who decided each gateway: the rule, or the person named in the audit trail (the moderator). */
function deciderOf(g: Evaluation['gateways'][number], trail: readonly ReportTrailEvent[], moderator: string | null): string {
  if (g.decidedBy === 'rule') return 'The questionnaire’s rule';
  const event = [...trail].reverse().find((e) => e.action === 'evaluation.gateway_decided' && e.details.questionKey === g.questionKey);
  if (event) return `${event.who}, moderator, ${ukDay(event.at)}`;
  return moderator ? `${moderator}, moderator` : 'The moderator';
}

function gatewaysTable(input: EvaluationReportInput, questions: Map<string, Question>): Block {
  const { gateways } = input.evaluation;
  if (gateways.length === 0) return { kind: 'paragraph', text: 'No gateway applies to this response.' };
  return {
    kind: 'table',
    caption: 'Each gateway’s outcome and who decided it',
    columns: [
      { header: 'Gateway', width: 0.46 },
      { header: 'Outcome', width: 0.2 },
      { header: 'Decided by', width: 0.34 },
    ],
    rows: gateways.map((g) => [
      titled(g.ref, questions.get(g.questionKey)?.text ?? g.questionKey),
      `${OUTCOME_WORDS[g.outcome]}${g.outcome === 'conditional' && g.dueDate ? `, due ${calendarDay(g.dueDate)}` : ''}`,
      deciderOf(g, input.trail, input.panel.moderator?.name ?? null),
    ]),
    emphasis: gateways.flatMap((g, row) => (g.outcome === 'pass' ? [] : [[row, 1] as [number, number]])),
  };
}

function conditionsBlock(conditions: readonly ReportCondition[]): Block {
  if (conditions.length === 0) return { kind: 'paragraph', text: 'The evaluation raises no condition.' };
  return {
    kind: 'table',
    caption: 'Conditions (numbered as in the conditions register)',
    columns: [
      { header: 'No.', width: 0.07 },
      { header: 'Condition', width: 0.6 },
      { header: 'Status', width: 0.33 },
    ],
    rows: conditions.map((c) => [String(c.number), c.text, [CONDITION_STATUS_WORDS[c.status], c.owner ? `owner ${c.owner}` : null, c.dueDate ? `due ${calendarDay(c.dueDate)}` : null].filter(Boolean).join(', ')]),
  };
}

function flagsBlocks(input: EvaluationReportInput): Block[] {
  const flags = input.integrityFlags;
  if (flags.length === 0) return [{ kind: 'paragraph', text: 'No integrity flag was raised.' }];
  const acted = flags.filter((f) => f.action).length;
  return [
    { kind: 'paragraph', text: `${flags.length} integrity flag${flags.length === 1 ? '' : 's'}, ${acted} with the panel’s action recorded. A flag never changes a score by itself.` },
    { kind: 'list', items: flags.map((f, i) => `Flag ${i + 1}: ${f.message} ${f.action ? 'Action recorded.' : 'No action recorded yet.'}`) },
  ];
}

/** The sign-off block's rows: every panel member by name, then each sign-off in the other roles; "Not yet signed" where none. */
export function signOffRows({ approvals, panel, computedAt }: Pick<EvaluationReportInput, 'approvals' | 'panel' | 'computedAt'>): string[][] {
  const signed = (a: ReportApproval) => `${ukDay(a.at)}${a.at < computedAt ? ` (before the evaluation last changed, ${ukDay(computedAt)})` : ''}`;
  const rows: string[][] = [];
  const person = (role: 'evaluator' | 'moderator', label: string, member: { id: string; name: string }) => {
    const approval = approvals.find((a) => a.role === role && a.userId === member.id);
    rows.push([label, member.name, approval ? signed(approval) : 'Not yet signed']);
  };
  const others = (role: ReportApproval['role'], label: string, expected: ReadonlyArray<{ id: string }>) => {
    const unexpected = approvals.filter((a) => a.role === role && !expected.some((m) => m.id === a.userId));
    for (const a of unexpected) rows.push([label, a.name, signed(a)]);
    if (expected.length === 0 && unexpected.length === 0) rows.push([label, '', 'Not yet signed']);
  };
  for (const member of panel.evaluators) person('evaluator', 'Evaluator', member);
  others('evaluator', 'Evaluator', panel.evaluators);
  if (panel.moderator) person('moderator', 'Moderator', panel.moderator);
  others('moderator', 'Moderator', panel.moderator ? [panel.moderator] : []);
  others('data_protection_officer', 'Data protection officer', []);
  others('equality_lead', 'Equality lead', []);
  others('approver', 'Approver', []);
  return rows;
}

/**
 * Scores that can no longer change are not yet a decided evaluation: until the moderator finalises it
 * (which needs every integrity flag's action recorded), the board is told so, and what is left.
 */
export function unfinishedNotice(input: Pick<EvaluationReportInput, 'finalisation' | 'integrityFlags'>, provisional: boolean): Block[] {
  if (provisional || input.finalisation) return [];
  const unanswered = input.integrityFlags.filter((f) => !f.action).length;
  const flags = unanswered > 0 ? `: ${unanswered} integrity flag${unanswered === 1 ? ' has' : 's have'} no recorded action` : '';
  return [{ kind: 'paragraph', tone: 'notice', text: `Not yet finalised by the moderator${flags}. A decision should wait until it is.` }];
}

/** The decision summary's blocks, for the front of the evaluation report (under its title, H2 then H3: no level skipped). */
export function decisionSummary(input: EvaluationReportInput): Block[] {
  const { evaluation } = input;
  const questions = questionsOf(input.definition);
  const recommendation = recommendationOf({ evaluation, conditions: input.conditions });
  const words = RECOMMENDATION_WORDS[recommendation.outcome];
  return [
    { kind: 'heading', level: 2, text: 'Decision summary', bookmark: true },
    { kind: 'heading', level: 3, text: 'Recommendation' },
    recommendation.provisional
      ? { kind: 'paragraph', tone: 'notice', text: `Provisional: not for decision. ${evaluation.outstanding.length} item${evaluation.outstanding.length === 1 ? ' is' : 's are'} outstanding, so the scores can still change. On the evaluation so far: ${lower(words)}.` }
      : { kind: 'paragraph', tone: 'notice', text: `Recommendation: ${words}.` },
    { kind: 'list', items: recommendation.because },
    ...unfinishedNotice(input, recommendation.provisional),
    { kind: 'paragraph', text: ratingSentence(evaluation, questions) },
    { kind: 'heading', level: 3, text: 'Critical sections' },
    criticalTable(evaluation),
    { kind: 'heading', level: 3, text: 'Gateways' },
    gatewaysTable(input, questions),
    { kind: 'heading', level: 3, text: 'Conditions' },
    conditionsBlock(input.conditions),
    { kind: 'heading', level: 3, text: 'Integrity flags' },
    ...flagsBlocks(input),
    { kind: 'heading', level: 3, text: 'Sign-off' },
    {
      kind: 'table',
      caption: 'Who has signed off, and when',
      columns: [
        { header: 'Role', width: 0.28 },
        { header: 'Name', width: 0.3 },
        { header: 'Signed', width: 0.42 },
      ],
      rows: signOffRows(input),
    },
  ];
}
