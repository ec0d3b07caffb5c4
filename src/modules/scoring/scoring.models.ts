import { canonicalJson, sha256Hex } from '../../platform/crypto';
// Types only: the engine stays pure (no I/O) and reads amendments in the shape the responses module keeps them.
import type { Amendment } from '../responses';
import {
  computeRiskTier,
  evaluateCondition,
  isAnswered,
  resolveVisibility,
  tierAtLeast,
  type AnswerValue,
  type Answers,
  type Operand,
  type Question,
  type QuestionnaireDefinition,
  type RiskTier,
  type Section,
  type Visibility,
} from '../questionnaires';

/**
 * The scoring engine (its method is published at GET /v1/questionnaires/{id}/methodology): one pure function from a questionnaire version,
 * a response's answers, evidence counts and moderated decisions to an evaluation in which every
 * number carries its working. No clock, no I/O; the same input always gives the same JSON.
 */

/** Bump when a rule changes, so a stored evaluation says which method produced it. */
export const SCORING_METHOD_VERSION = '1.1.0';

/** A mark on the 0–4 scale (Unacceptable, Poor, Acceptable, Good, Excellent). */
export type Score = 0 | 1 | 2 | 3 | 4;

/** Residual risk of a section (or of the whole response) after its controls, from the §7.4 matrix. */
export type ResidualRisk = 'low' | 'medium' | 'high' | 'very_high';
export const RESIDUAL_RISKS = ['low', 'medium', 'high', 'very_high'] as const satisfies readonly ResidualRisk[];

/** Best first. */
export const RATINGS = ['acceptable', 'acceptable_with_conditions', 'significant_concerns', 'not_acceptable'] as const;
export type Rating = (typeof RATINGS)[number];

/**
 * Reference §7.4 matrix, per tier, for the score bands [75, 100], [50, 75), [25, 50), [0, 25).
 * The bands are read on the score as published (rounded to 1 decimal), so a reader can check them.
 */
export const RESIDUAL_RISK_MATRIX: Readonly<Record<RiskTier, readonly [ResidualRisk, ResidualRisk, ResidualRisk, ResidualRisk]>> = {
  low: ['low', 'low', 'medium', 'high'],
  medium: ['low', 'medium', 'high', 'high'],
  high: ['medium', 'high', 'high', 'very_high'],
  very_high: ['medium', 'high', 'very_high', 'very_high'],
};

/** Reference §7.4 item 5: the overall rating is the RAG reading of a residual risk. */
export const RATING_FOR_RISK: Readonly<Record<ResidualRisk, Rating>> = {
  low: 'acceptable',
  medium: 'acceptable_with_conditions',
  high: 'significant_concerns',
  very_high: 'not_acceptable',
};

/** Ratings and risks in words, lower case, as the working and the reports write them. */
export const RATING_WORDS: Record<Rating, string> = {
  acceptable: 'acceptable',
  acceptable_with_conditions: 'acceptable with conditions',
  significant_concerns: 'significant concerns',
  not_acceptable: 'not acceptable',
};
export const RISK_WORDS: Record<ResidualRisk, string> = { low: 'low', medium: 'medium', high: 'high', very_high: 'very high' };
export const TIER_WORDS: Record<RiskTier, string> = { low: 'low', medium: 'medium', high: 'high', very_high: 'very high' };
const BAND_WORDS = ['75 or more', '50 to under 75', '25 to under 50', 'under 25'] as const;

/** A moderated (consensus) mark. On a `manual` question it is the score; on any other it overrides the automatic score. */
export type Mark = { score: Score; rationale: string };

/** A moderator's decision on a gateway; it replaces the automatic outcome. `conditional` should carry an action and due date. */
export type GatewayDecision = { outcome: 'pass' | 'fail' | 'conditional'; rationale: string; action?: string; dueDate?: string };

export type EvaluationInput = {
  /** The parsed questionnaire version the procurement pinned. */
  definition: QuestionnaireDefinition;
  /** The stored hash of that definition; it stands for the definition in `inputsHash`. */
  definitionHash: string;
  /** The procurement's inherent risk tier (normally computed from `triage`; the procurement's value is used). */
  riskTier: RiskTier;
  /** The procurement's section weights, by section key, summing to 100. A section without one weighs 0. */
  weights: Readonly<Record<string, number>>;
  /** The council's triage answers, by triage question key. */
  triage: Answers;
  /** The submitted answer values, as the questionnaire's rules read them. */
  answers: Answers;
  /** How many evidence files each question has, by question key; absent means none. */
  evidence: Readonly<Record<string, number>>;
  /** Moderated marks by question key. */
  marks: Readonly<Record<string, Mark>>;
  /** Moderator decisions by gateway question key. */
  gatewayDecisions: Readonly<Record<string, GatewayDecision>>;
  /**
   * The latest clarification amendment of each amended question, by question key; absent when there
   * are none. `answers` already carries an accepted amendment's value; a pending or rejected one
   * leaves the answer as submitted, so an amendment never counts until the moderator accepts it.
   */
  amendments?: Readonly<Record<string, Amendment>>;
};

export type QuestionStatus = 'scored' | 'not_applicable' | 'hidden' | 'unanswered' | 'pending_mark' | 'not_scored';

export type QuestionEvaluation = {
  key: string;
  ref: string | null;
  /** The section key. */
  section: string;
  status: QuestionStatus;
  /** The score that counts (after any override and the evidence cap); null when the question is out of the denominator. */
  score: Score | null;
  /** What the answer scored by rule (option, band, or 0 for a required question left unanswered), before any override or cap. */
  automaticScore: Score | null;
  /** True when the evidence cap lowered the score. */
  capped: boolean;
  /** True when a moderated mark replaced an automatic score. */
  override: boolean;
  /** The question's weight within its section. */
  weight: number;
  evidenceFiles: number;
  working: string[];
  /** Present when a clarification amended the answer: both scores, and the moderator's decision. */
  amendment?: { clarificationId: string; status: Amendment['status']; originalScore: Score | null; amendedScore: Score | null; decidedBy: string | null; reason: string | null };
};

export type GatewayEvaluation = {
  questionKey: string;
  ref: string | null;
  section: string;
  outcome: 'pass' | 'fail' | 'conditional' | 'pending';
  /** What the pass condition alone gives; `pending` when only a moderator can decide. */
  automaticOutcome: 'pass' | 'fail' | 'pending';
  decidedBy: 'rule' | 'moderator';
  reason: string;
  /** Present when the answer is one the questionnaire sends to the panel (`gatewayOutcome: review`): no rule decides it. */
  review?: true;
  /** With `review`: the outcome the questionnaire says the panel usually reaches. */
  usualOutcome?: 'pass' | 'fail' | 'conditional';
  action?: string;
  dueDate?: string;
};

export type SectionEvaluation = {
  key: string;
  ref: string | null;
  title: string;
  visible: boolean;
  /** 0–100, 1 decimal; null when hidden or nothing in it has a score. */
  score: number | null;
  residualRisk: ResidualRisk | null;
  /** The section's risk area is marked critical: the rating is never better than its residual risk allows. */
  critical: boolean;
  /** The procurement's weight for the section. */
  weight: number;
  /** The weight after sections without a score are left out and the rest scaled to 100 (2 decimals); null when not counted. */
  effectiveWeight: number | null;
  /** score × effectiveWeight / 100 (2 decimals); null when not counted. */
  weightedContribution: number | null;
  working: string[];
};

export type Evaluation = {
  scoringMethodVersion: string;
  questionnaire: { key: string; version: string; definitionHash: string };
  /** sha256 of the canonical JSON of the input, with `definitionHash` standing for the definition. */
  inputsHash: string;
  riskTier: RiskTier;
  /** 0–100, 1 decimal; null when no section has a score. */
  overallScore: number | null;
  /** The §7.4 reading of the overall score at the tier; null when there is no overall score. */
  overallResidualRisk: ResidualRisk | null;
  rating: Rating;
  /** True while a mark or a gateway decision is outstanding: the result can still change. */
  provisional: boolean;
  outstanding: string[];
  gateways: GatewayEvaluation[];
  sections: SectionEvaluation[];
  questions: QuestionEvaluation[];
  working: string[];
};

// ───────────────────────────────────────────────────────────── small pure helpers

/** Round to `places` decimals, half away from zero, after trimming binary noise (66.65 stays 66.65). */
function round(value: number, places: number): number {
  const factor = 10 ** places;
  return Math.round(Number((value * factor).toPrecision(12))) / factor;
}

const fixed1 = (value: number) => value.toFixed(1);
const plain = (value: number) => String(round(value, 2));

/** The §7.4 residual risk of a 0–100 score at a tier. */
export function residualRisk({ score, tier }: { score: number; tier: RiskTier }): ResidualRisk {
  return RESIDUAL_RISK_MATRIX[tier][bandIndex(score)];
}

function bandIndex(score: number): 0 | 1 | 2 | 3 {
  if (score >= 75) return 0;
  if (score >= 50) return 1;
  if (score >= 25) return 2;
  return 3;
}

/** The worse of two ratings. */
export function worseRating(a: Rating, b: Rating): Rating {
  return RATINGS.indexOf(a) >= RATINGS.indexOf(b) ? a : b;
}

/** Compares refs like "2.3a" and "2.10" by their numbers, so 2.3 < 2.3a < 2.4 < 2.10. */
function naturalCompare(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i += 1) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const diff = Number(x) - Number(y);
      if (diff !== 0) return diff;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

/**
 * Output order: by ref (natural order), items without a ref after those with one, then by key.
 * It never depends on the order of the definition or of the input objects.
 */
function byRefThenKey(a: { ref?: string | undefined; key: string }, b: { ref?: string | undefined; key: string }): number {
  if (a.ref !== undefined && b.ref === undefined) return -1;
  if (a.ref === undefined && b.ref !== undefined) return 1;
  if (a.ref !== undefined && b.ref !== undefined) {
    const byRef = naturalCompare(a.ref, b.ref);
    if (byRef !== 0) return byRef;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

type SortedSections = Array<{ section: Section; questions: Question[] }>;

// Definitions are immutable once parsed (and cached, frozen, per hash), so each is sorted once.
const sortedByDefinition = new WeakMap<QuestionnaireDefinition, SortedSections>();

function sortedSections(definition: QuestionnaireDefinition): SortedSections {
  let sorted = sortedByDefinition.get(definition);
  if (!sorted) {
    sorted = [...definition.sections].sort(byRefThenKey).map((section) => ({ section, questions: [...section.questions].sort(byRefThenKey) }));
    sortedByDefinition.set(definition, sorted);
  }
  return sorted;
}

/** How a question is named in the working: its ref, or its text when it has none. */
function nameOf(question: Question): string {
  if (question.ref) return question.ref;
  const text = question.text.length > 60 ? `${question.text.slice(0, 57)}…` : question.text;
  return `"${text}"`;
}

const quote = (label: string) => `'${label}'`;

function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function evidenceCount(evidence: Readonly<Record<string, number>>, key: string): number {
  const count = Object.hasOwn(evidence, key) ? evidence[key] : 0;
  return typeof count === 'number' && Number.isFinite(count) && count > 0 ? Math.floor(count) : 0;
}

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A file question is answered by its evidence; any other by its value. */
function answeredQuestion(question: Question, value: AnswerValue, files: number): boolean {
  return question.type === 'file' ? files > 0 || isAnswered(value) : isAnswered(value);
}

function isScore(value: unknown): value is Score {
  return value === 0 || value === 1 || value === 2 || value === 3 || value === 4;
}

// ───────────────────────────────────────────────────────────── question scores

type AutomaticResult =
  | { kind: 'score'; score: Score; line: string; extra: string[] }
  | { kind: 'not_applicable'; line: string }
  | { kind: 'invalid'; line: string };

/** What an answer scores by rule: the option's score, the combined option scores, or the band. */
function automaticScore(question: Question, value: AnswerValue): AutomaticResult {
  const scoring = question.scoring;
  if (scoring.method === 'bands') {
    const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(number)) return { kind: 'invalid', line: 'The answer is not a number, so it is treated as unanswered.' };
    const band = scoring.bands.find((b) => (b.min === undefined || number >= b.min) && (b.max === undefined || number < b.max));
    const unit = question.limits?.unit ? ` ${question.limits.unit}` : '';
    if (!band) return { kind: 'score', score: 0, line: `Answer ${number}${unit} falls in no scoring band: 0 of 4.`, extra: [] };
    const range =
      band.min !== undefined && band.max !== undefined
        ? `${band.min} to under ${band.max}`
        : band.max !== undefined
          ? `under ${band.max}`
          : band.min !== undefined
            ? `${band.min} or more`
            : 'any value';
    const name = band.label ? `${quote(band.label)} (${range})` : range;
    return { kind: 'score', score: band.score as Score, line: `Answer ${number}${unit} falls in the band ${name}: ${band.score} of 4.`, extra: [] };
  }

  if (scoring.method === 'rubric') return rubricScore(question, scoring.levels, value);

  // Options scoring.
  const options = question.options ?? [];
  if (question.type === 'multi_choice') {
    const chosen = (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []).filter((v): v is string => typeof v === 'string');
    const unique = [...new Set(chosen)];
    const known = unique.map((v) => options.find((o) => o.value === v)).filter((o) => o !== undefined);
    const extra: string[] = [];
    const unknown = unique.filter((v) => !options.some((o) => o.value === v));
    if (unknown.length > 0) extra.push(`${unknown.map(quote).join(', ')} ${unknown.length === 1 ? 'is not an option' : 'are not options'} of this question and ${unknown.length === 1 ? 'is' : 'are'} ignored.`);
    if (known.length === 0) return { kind: 'invalid', line: 'None of the chosen values is an option of this question, so it is treated as unanswered.' };
    const scored = known.filter((o) => !o.notApplicable && o.score !== undefined);
    const notApplicable = known.filter((o) => o.notApplicable);
    if (scored.length === 0) {
      return { kind: 'not_applicable', line: `Answer ${notApplicable.map((o) => quote(o.label)).join(', ')} means not applicable: left out of the section score.` };
    }
    if (notApplicable.length > 0) extra.push(`${notApplicable.map((o) => quote(o.label)).join(', ')} means not applicable and is ignored beside the other answers.`);
    const scores = scored.map((o) => o.score as Score);
    const aggregate = scoring.method === 'options' ? (scoring.aggregate ?? 'sum_capped') : 'sum_capped';
    const total = scores.reduce<number>((a, b) => a + b, 0);
    const score = (aggregate === 'max' ? Math.max(...scores) : aggregate === 'min' ? Math.min(...scores) : Math.min(4, total)) as Score;
    const how = aggregate === 'max' ? 'the highest option score' : aggregate === 'min' ? 'the lowest option score' : 'the sum of option scores, capped at 4';
    const listed = scored.map((o) => `${quote(o.label)} (${o.score})`).join(', ');
    return { kind: 'score', score, line: `${scored.length === 1 ? 'Answer' : 'Answers'} ${listed}: ${how} is ${score} of 4.`, extra };
  }

  const option = typeof value === 'string' ? options.find((o) => o.value === value) : undefined;
  if (!option) return { kind: 'invalid', line: 'The answer is not one of the options of this question, so it is treated as unanswered.' };
  if (option.notApplicable || option.score === undefined) {
    return { kind: 'not_applicable', line: `Answer ${quote(option.label)} means not applicable: left out of the section score.` };
  }
  return { kind: 'score', score: option.score as Score, line: `Answer ${quote(option.label)} scores ${option.score} of 4 (option score).`, extra: [] };
}

/**
 * A multi_choice answer against its rubric: the highest level whose required options were all chosen.
 * Kept apart from option scoring so that questions scored by options score exactly as before.
 */
function rubricScore(question: Question, levels: ReadonlyArray<{ score: number; requires: readonly string[]; label?: string | undefined }>, value: AnswerValue): AutomaticResult {
  const options = question.options ?? [];
  const chosen = [...new Set((Array.isArray(value) ? value : typeof value === 'string' ? [value] : []).filter((v): v is string => typeof v === 'string'))];
  const known = options.filter((o) => chosen.includes(o.value));
  const extra: string[] = [];
  const unknown = chosen.filter((v) => !options.some((o) => o.value === v));
  if (unknown.length > 0) extra.push(`${unknown.map(quote).join(', ')} ${unknown.length === 1 ? 'is not an option' : 'are not options'} of this question and ${unknown.length === 1 ? 'is' : 'are'} ignored.`);
  if (known.length === 0) return { kind: 'invalid', line: 'None of the chosen values is an option of this question, so it is treated as unanswered.' };
  if (known.every((o) => o.notApplicable)) {
    return { kind: 'not_applicable', line: `Answer ${known.map((o) => quote(o.label)).join(', ')} means not applicable: left out of the section score.` };
  }
  const labelOf = (v: string) => quote(options.find((o) => o.value === v)?.label ?? v);
  const ordered = [...levels].sort((a, b) => b.score - a.score);
  const met = ordered.find((level) => level.requires.every((v) => chosen.includes(v)));
  const score = (met?.score ?? 0) as Score;
  const counted = known.filter((o) => !o.notApplicable);
  const listed = `${counted.length === 1 ? 'Answer' : 'Answers'} ${counted.map((o) => quote(o.label)).join(', ')}`;
  const line = met
    ? `${listed}: the highest rubric level met${met.label ? `, ${quote(met.label)},` : ''} needs ${met.requires.map(labelOf).join(', ')}: ${score} of 4.`
    : `${listed}: no rubric level is met: 0 of 4.`;
  // Say what the next level up would have needed, so the supplier and the panel can see the gap.
  const next = ordered.filter((level) => level.score > score).at(-1);
  if (next) extra.push(`${next.score} of 4 would also need ${next.requires.filter((v) => !chosen.includes(v)).map(labelOf).join(', ')}.`);
  return { kind: 'score', score, line, extra };
}

type QuestionContext = {
  definition: QuestionnaireDefinition;
  tier: RiskTier;
  visibility: Visibility;
  sectionVisible: boolean;
  section: Section;
  question: Question;
  value: AnswerValue;
  files: number;
  mark: Mark | undefined;
};

type Scoring = Pick<QuestionEvaluation, 'status' | 'score' | 'automaticScore' | 'capped' | 'override'>;
const OUT: Omit<Scoring, 'status'> = { score: null, automaticScore: null, capped: false, override: false };

function evaluateQuestion(ctx: QuestionContext): QuestionEvaluation {
  const working: string[] = [];
  const scoring = scoreQuestion(ctx, working);
  if (scoring.score !== null && ctx.question.weight !== 1) working.push(`Weight ${plain(ctx.question.weight)} within the section.`);
  const { question, section, files } = ctx;
  // Fields listed one by one so every question serialises with the same key order.
  return {
    key: question.key,
    ref: question.ref ?? null,
    section: section.key,
    status: scoring.status,
    score: scoring.score,
    automaticScore: scoring.automaticScore,
    capped: scoring.capped,
    override: scoring.override,
    weight: question.weight,
    evidenceFiles: files,
    working,
  };
}

/** The question's status and score, appending each step to `working`. */
function scoreQuestion(ctx: QuestionContext, working: string[]): Scoring {
  const { definition, question, value, files, mark } = ctx;
  const ignoreMark = (why: string) => {
    if (mark) working.push(`A moderated mark of ${mark.score} was recorded but is ignored: ${why}.`);
  };
  /** A moderated mark on a question scored by rule replaces that score, and says so. */
  const withMark = (automatic: Score): Scoring => {
    if (!mark) return { status: 'scored', ...applyCap(ctx, automatic, working), automaticScore: automatic, override: false };
    working.push(`Override: the moderated mark ${markWords(definition, mark.score)} replaces the automatic score ${automatic} of 4. ${mark.rationale}`);
    return { status: 'scored', ...applyCap(ctx, mark.score, working), automaticScore: automatic, override: true };
  };

  if (!ctx.visibility.isVisible(question.key)) {
    working.push(
      ctx.sectionVisible
        ? 'Hidden: its condition is not met by the answers given, so it is not scored and is left out of the section score.'
        : `Hidden: the section ${quote(ctx.section.title)} is not shown for this use case, so it is not scored.`,
    );
    ignoreMark('the question is hidden');
    return { status: 'hidden', ...OUT };
  }

  if (question.scoring.method === 'none') {
    working.push(question.type === 'file' ? `Evidence only, not scored (${files} ${files === 1 ? 'file' : 'files'} uploaded).` : 'Information only: not scored.');
    ignoreMark('the question is not scored');
    return { status: 'not_scored', ...OUT };
  }

  let automatic: AutomaticResult | null = null;
  let answered = answeredQuestion(question, value, files);
  if (answered && question.scoring.method !== 'manual') {
    automatic = automaticScore(question, value);
    if (automatic.kind === 'invalid') {
      working.push(automatic.line);
      answered = false;
    }
  }

  if (!answered) {
    if (!question.required) {
      working.push('Optional and unanswered: left out of the section score.');
      ignoreMark('the question is optional and was not answered');
      return { status: 'unanswered', ...OUT };
    }
    working.push('Required but unanswered: scores 0 of 4.');
    if (!mark) return { status: 'unanswered', ...OUT, score: 0, automaticScore: 0 };
    return withMark(0);
  }

  if (question.scoring.method === 'manual') {
    if (!mark) {
      working.push('Awaiting a moderated mark: left out of the section score until marked.');
      return { status: 'pending_mark', ...OUT };
    }
    working.push(`Moderated mark ${markWords(definition, mark.score)}. ${mark.rationale}`);
    return { status: 'scored', ...applyCap(ctx, mark.score, working), automaticScore: null, override: false };
  }

  const auto = automatic!;
  if (auto.kind === 'not_applicable') {
    working.push(auto.line);
    ignoreMark('the answer is not applicable');
    return { status: 'not_applicable', ...OUT };
  }
  if (auto.kind === 'invalid') throw new Error('unreachable: an invalid answer is treated as unanswered');
  working.push(auto.line, ...auto.extra);
  return withMark(auto.score);
}

function markWords(definition: QuestionnaireDefinition, score: Score): string {
  const label = definition.scale[score]?.label;
  return `${score} of 4${label ? ` (${label})` : ''}`;
}

/** The evidence rule: from the rule's tier up, a question that asks for evidence scores at most its cap without a file. */
function applyCap(ctx: QuestionContext, score: Score, working: string[]): { score: Score; capped: boolean } {
  const { question, definition, tier, files } = ctx;
  if (!question.evidence?.requested) return { score, capped: false };
  const rule = definition.evidenceRule;
  if (files > 0) {
    working.push(`Evidence uploaded (${files} ${files === 1 ? 'file' : 'files'}), so the evidence cap does not apply.`);
    return { score, capped: false };
  }
  if (!tierAtLeast(tier, rule.fromTier)) {
    working.push(`No evidence uploaded; the evidence cap applies only from the ${TIER_WORDS[rule.fromTier]} tier up and the tier is ${TIER_WORDS[tier]}.`);
    return { score, capped: false };
  }
  const ownCap = question.evidence.capWithoutEvidence;
  const cap = (ownCap ?? rule.capWithoutEvidence) as Score;
  const whose = ownCap !== undefined ? " (this question's own cap)" : '';
  if (score > cap) {
    working.push(`Capped at ${cap}${whose}: the tier is ${TIER_WORDS[tier]} and no evidence was uploaded.`);
    return { score: cap, capped: true };
  }
  working.push(`No evidence uploaded: the cap of ${cap}${whose} applies at the ${TIER_WORDS[tier]} tier, and ${score} is within it.`);
  return { score, capped: false };
}

// ───────────────────────────────────────────────────────────── gateways

type GatewayContext = {
  tier: RiskTier;
  triage: Answers;
  answers: Answers;
  visibility: Visibility;
  section: Section;
  question: Question;
  decision: GatewayDecision | undefined;
};

/** The answers that pass a gateway, found by trying each option against its pass condition; answers a person decides are not among them. */
function passingLabels(ctx: GatewayContext): string[] {
  const { question, triage, answers } = ctx;
  const pass = question.gateway!.pass;
  return (question.options ?? [])
    .filter(
      (option) =>
        option.gatewayOutcome !== 'review' &&
        evaluateCondition(pass, (operand: Operand) => ('triage' in operand ? triage[operand.triage] : operand.question === question.key ? option.value : answers[operand.question])),
    )
    .map((option) => quote(option.label));
}

/** Whether a gateway applies, and its outcome; null when it does not apply (hidden, or below its tier). */
function evaluateGateway(ctx: GatewayContext): { gateway: GatewayEvaluation | null; working: string[] } {
  const { question, tier, visibility, decision } = ctx;
  const gateway = question.gateway!;
  const name = `Gateway ${nameOf(question)}`;
  if (!visibility.isVisible(question.key)) {
    return { gateway: null, working: [`${name} does not apply: the question is hidden.${decision ? ' The recorded moderator decision is ignored.' : ''}`] };
  }
  if (gateway.minTier && !tierAtLeast(tier, gateway.minTier)) {
    return {
      gateway: null,
      working: [`${name} does not apply at the ${TIER_WORDS[tier]} tier (it applies from ${TIER_WORDS[gateway.minTier]} up).${decision ? ' The recorded moderator decision is ignored.' : ''}`],
    };
  }

  const value = ctx.answers[question.key];
  const passing = passingLabels(ctx);
  const requirement = passing.length > 0 ? `requires ${listWords(passing)}` : 'has a pass condition no option meets';
  const working: string[] = [];
  let automaticOutcome: 'pass' | 'fail' | 'pending';
  let reason: string;
  const chosen = typeof value === 'string' ? (question.options ?? []).find((o) => o.value === value) : undefined;
  let review: Pick<GatewayEvaluation, 'review' | 'usualOutcome'> = {};
  if (question.scoring.method === 'manual') {
    // The format allows gateways only on choice questions; a marked question could only be judged by a person.
    automaticOutcome = 'pending';
    reason = 'Needs a moderator decision: the answer is marked by evaluators.';
    working.push(`${name}: ${reason}`);
  } else if (chosen?.gatewayOutcome === 'review') {
    // Answers such as "joint controller" or "accepted with exceptions" can be fine or fatal: only a person reading them can say.
    automaticOutcome = 'pending';
    const usual = chosen.usualOutcome ? ` It is usually ${chosen.usualOutcome === 'conditional' ? 'passed on conditions' : chosen.usualOutcome === 'pass' ? 'passed' : 'failed'}.` : '';
    reason = `The answer ${quote(chosen.label)} is one the panel decides, with a reason; no rule passes or fails it.${usual}`;
    review = { review: true, ...(chosen.usualOutcome ? { usualOutcome: chosen.usualOutcome } : {}) };
    working.push(`${name} ${requirement}; answer ${quote(chosen.label)} is decided by the panel: pending.`);
  } else if (chosen) {
    const passes = evaluateCondition(gateway.pass, (operand: Operand) =>
      'triage' in operand ? ctx.triage[operand.triage] : visibility.isVisible(operand.question) ? ctx.answers[operand.question] : undefined,
    );
    automaticOutcome = passes ? 'pass' : 'fail';
    const answerWords = quote(chosen.label);
    reason = passes ? `The answer ${answerWords} meets the pass condition.` : gateway.failureMessage;
    working.push(`${name} ${requirement}; answer ${answerWords}: ${automaticOutcome}.`);
  } else if (question.required) {
    automaticOutcome = 'fail';
    reason = `Not answered. ${gateway.failureMessage}`;
    working.push(`${name} ${requirement}; the required question was not answered: fail.`);
  } else {
    automaticOutcome = 'pending';
    reason = 'Not answered, and the question is optional: needs a moderator decision.';
    working.push(`${name} ${requirement}; the optional question was not answered, so a moderator must decide: pending.`);
  }

  const result: GatewayEvaluation = {
    questionKey: question.key,
    ref: question.ref ?? null,
    section: ctx.section.key,
    outcome: automaticOutcome,
    automaticOutcome,
    decidedBy: 'rule',
    reason,
    ...review,
  };
  if (decision) {
    result.outcome = decision.outcome;
    result.decidedBy = 'moderator';
    result.reason = `Moderator decision: ${decision.rationale}`;
    if (decision.action !== undefined) result.action = decision.action;
    if (decision.dueDate !== undefined) result.dueDate = decision.dueDate;
    const conditions = decision.outcome === 'conditional' ? conditionWords(decision) : '';
    working.push(`${name}: the moderator decided ${decision.outcome}${conditions}, replacing the automatic ${automaticOutcome}: ${decision.rationale}`);
  }
  return { gateway: result, working };
}

function conditionWords(decision: { action?: string | undefined; dueDate?: string | undefined }): string {
  if (decision.action === undefined && decision.dueDate === undefined) return ' (no action or due date recorded)';
  return ` (action: ${decision.action ?? 'not recorded'}; due ${decision.dueDate ?? 'date not recorded'})`;
}

// ───────────────────────────────────────────────────────────── clarification amendments

/**
 * Both scores of an amended answer. The question is scored alone with each value: a different value
 * could also show or hide follow-up questions, which this comparison leaves as they are.
 */
function amendmentOf({ amendment, scoreWith }: { amendment: Amendment; scoreWith: (value: AnswerValue) => Score | null }): NonNullable<QuestionEvaluation['amendment']> {
  return {
    clarificationId: amendment.clarificationId,
    status: amendment.status,
    originalScore: scoreWith(amendment.original),
    amendedScore: scoreWith(amendment.amended),
    decidedBy: amendment.decidedBy,
    reason: amendment.reason,
  };
}

function amendmentWords(a: NonNullable<QuestionEvaluation['amendment']>): string {
  const score = (value: Score | null) => (value === null ? 'no score' : String(value));
  switch (a.status) {
    case 'accepted':
      return `The answer was amended in reply to a clarification and accepted by the moderator: ${a.reason} As submitted it scored ${score(a.originalScore)}, as amended ${score(a.amendedScore)}; the amended answer counts.`;
    case 'rejected':
      return `An amended answer given in reply to a clarification was rejected by the moderator: ${a.reason} The answer as submitted counts (${score(a.originalScore)}; as amended it would score ${score(a.amendedScore)}).`;
    default:
      return `An amended answer given in reply to a clarification awaits the moderator’s decision: as submitted it scores ${score(a.originalScore)}, as amended it would score ${score(a.amendedScore)}. The answer as submitted counts until the moderator accepts the amendment.`;
  }
}

// ───────────────────────────────────────────────────────────── sections and overall

/** The section's score to 1 decimal as published, and its unrounded value, which the overall score is computed from. */
function sectionScore(questions: QuestionEvaluation[], names: ReadonlyMap<string, string>): { score: number | null; exact: number | null; working: string[] } {
  const counted = questions.filter((q) => q.score !== null);
  const working: string[] = [];
  const leftOut = questions.filter((q) => q.score === null && q.status !== 'hidden');
  const why: Record<QuestionStatus, string> = {
    scored: '',
    hidden: 'hidden',
    not_scored: 'not scored',
    not_applicable: 'not applicable',
    unanswered: 'optional, unanswered',
    pending_mark: 'awaiting a mark',
  };
  const refOf = (q: QuestionEvaluation) => names.get(q.key) ?? q.key;
  if (counted.length === 0) {
    working.push(`No question in this section has a score${leftOut.length > 0 ? ` (${leftOut.map((q) => `${refOf(q)}: ${why[q.status]}`).join('; ')})` : ''}, so the section has no score.`);
    return { score: null, exact: null, working };
  }
  const totalWeight = counted.reduce((sum, q) => sum + q.weight, 0);
  if (totalWeight <= 0) {
    working.push('Every question with a score has weight 0, so the section has no score.');
    return { score: null, exact: null, working };
  }
  const equalWeights = counted.every((q) => q.weight === counted[0]!.weight);
  const raw = (counted.reduce((sum, q) => sum + q.weight * q.score!, 0) / totalWeight / 4) * 100;
  const score = round(raw, 1);
  if (equalWeights) {
    working.push(`Counted: ${counted.map((q) => `${refOf(q)} = ${q.score}`).join(', ')}.`);
    working.push(`Section score = mean(${counted.map((q) => q.score).join(', ')}) / 4 × 100 = ${fixed1(score)}`);
  } else {
    working.push(`Counted: ${counted.map((q) => `${refOf(q)} = ${q.score}${q.weight !== 1 ? ` (weight ${plain(q.weight)})` : ''}`).join(', ')}.`);
    const terms = counted.map((q) => `${q.score} × ${plain(q.weight)}`).join(' + ');
    working.push(`Section score = weighted mean = (${terms}) / ${plain(totalWeight)} / 4 × 100 = ${fixed1(score)}`);
  }
  if (leftOut.length > 0) working.push(`Left out of the denominator: ${leftOut.map((q) => `${refOf(q)} (${why[q.status]})`).join(', ')}.`);
  return { score, exact: raw, working };
}

// ───────────────────────────────────────────────────────────── the engine

/**
 * Scores one response. Pure: the same input gives byte-identical JSON, whatever the key order of
 * its records or the order of the definition's sections.
 */
export function evaluateResponse(input: EvaluationInput): Evaluation {
  const { definition, riskTier: tier, triage, answers, evidence, marks, gatewayDecisions, weights, amendments = {} } = input;
  const { definition: _definition, ...hashed } = input;
  const inputsHash = sha256Hex(canonicalJson(hashed));

  const visibility = resolveVisibility({ definition, triage, answers });
  const visibleSections = new Map(visibility.sections.map((s) => [s.key, s.visible]));
  const criticalAreas = new Set(definition.riskAreas.filter((a) => a.critical).map((a) => a.key));
  const names = new Map(definition.sections.flatMap((s) => s.questions.map((q) => [q.key, nameOf(q)] as const)));
  const knownQuestions = new Set(names.keys());
  const top: string[] = [];

  top.push(`Scored with method ${SCORING_METHOD_VERSION} against ${quote(definition.title)} version ${definition.version}.`);
  const computed = computeRiskTier({ definition, triage });
  top.push(
    computed.tier === tier
      ? `Risk tier ${TIER_WORDS[tier]}, from the triage answers. ${computed.reason}`
      : `Risk tier ${TIER_WORDS[tier]}, as set on the procurement; the triage answers alone would give ${TIER_WORDS[computed.tier]}. ${computed.reason}`,
  );

  for (const [label, record] of [['mark', marks], ['gateway decision', gatewayDecisions]] as const) {
    const unknown = Object.keys(record).filter((key) => !knownQuestions.has(key)).sort();
    if (unknown.length > 0) top.push(`Ignored: a ${label} for ${unknown.map(quote).join(', ')}, which ${unknown.length === 1 ? 'is not a question' : 'are not questions'} in this questionnaire.`);
  }
  for (const [key, mark] of Object.entries(marks).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (knownQuestions.has(key) && !isScore(mark.score)) throw new RangeError(`the mark for ${key} must be a whole number from 0 to 4, not ${String(mark.score)}`);
  }

  const questions: QuestionEvaluation[] = [];
  const gateways: GatewayEvaluation[] = [];
  const sections: SectionEvaluation[] = [];
  // Unrounded section scores by key: rounding each part first could move the overall score by 0.1.
  const exactScores = new Map<string, number>();

  for (const { section, questions: sectionQuestions } of sortedSections(definition)) {
    const sectionVisible = visibleSections.get(section.key) ?? false;
    const results: QuestionEvaluation[] = [];
    for (const question of sectionQuestions) {
      const files = evidenceCount(evidence, question.key);
      const evaluated = evaluateQuestion({
        definition,
        tier,
        visibility,
        sectionVisible,
        section,
        question,
        value: own(answers, question.key),
        files,
        mark: own(marks, question.key),
      });
      const amendment = own(amendments, question.key);
      if (amendment && visibility.isVisible(question.key)) {
        evaluated.amendment = amendmentOf({ amendment, scoreWith: (value) => evaluateQuestion({ definition, tier, visibility, sectionVisible, section, question, value, files, mark: own(marks, question.key) }).score });
        evaluated.working.push(amendmentWords(evaluated.amendment));
      }
      const decision = own(gatewayDecisions, question.key);
      if (question.gateway) {
        const outcome = evaluateGateway({ tier, triage, answers, visibility, section, question, decision });
        evaluated.working.push(...outcome.working);
        if (outcome.gateway) gateways.push(outcome.gateway);
      } else if (decision) {
        evaluated.working.push('A gateway decision was recorded, but this question is not a gateway: ignored.');
      }
      results.push(evaluated);
    }
    questions.push(...results);

    const weight = own(weights, section.key) ?? 0;
    const critical = criticalAreas.has(section.riskArea);
    const working: string[] = [];
    let score: number | null = null;
    let risk: ResidualRisk | null = null;
    if (!sectionVisible) {
      working.push('Not shown for this use case: left out of the overall score, and its weight shared among the scored sections.');
    } else {
      const computedScore = sectionScore(results, names);
      score = computedScore.score;
      if (computedScore.exact !== null) exactScores.set(section.key, computedScore.exact);
      working.push(...computedScore.working);
      if (score !== null) {
        risk = residualRisk({ score, tier });
        working.push(`Residual risk ${RISK_WORDS[risk]}: a score of ${BAND_WORDS[bandIndex(score)]} at the ${TIER_WORDS[tier]} tier (reference §7.4 matrix).`);
      } else {
        working.push('Left out of the overall score, and its weight shared among the scored sections.');
      }
    }
    if (critical) working.push('Critical section: the overall rating is never better than its residual risk allows.');
    sections.push({
      key: section.key,
      ref: section.ref ?? null,
      title: section.title,
      visible: sectionVisible,
      score,
      residualRisk: risk,
      critical,
      weight,
      effectiveWeight: null,
      weightedContribution: null,
      working,
    });
  }

  // Overall score: scored sections only, their weights scaled back up to 100.
  const scored = sections.filter((s) => s.score !== null);
  const leftOut = sections.filter((s) => s.score === null);
  const scoredWeight = scored.reduce((sum, s) => sum + s.weight, 0);
  let overallScore: number | null = null;
  if (leftOut.length > 0) {
    top.push(`Left out of the overall score: ${leftOut.map((s) => `${s.title} (${s.visible ? 'no score' : 'not shown'})`).join(', ')}.`);
  }
  if (scored.length === 0) {
    top.push('No section has a score, so there is no overall score.');
  } else if (scoredWeight <= 0) {
    top.push('The sections with a score all have weight 0, so there is no overall score.');
  } else {
    if (Math.abs(scoredWeight - 100) > 1e-9) {
      top.push(`The weights of the scored sections add up to ${plain(scoredWeight)}, so each is scaled by 100 / ${plain(scoredWeight)}.`);
    }
    const exactOf = (s: SectionEvaluation) => exactScores.get(s.key)!;
    overallScore = round(scored.reduce((sum, s) => sum + exactOf(s) * s.weight, 0) / scoredWeight, 1);
    for (const s of scored) {
      s.effectiveWeight = round((s.weight * 100) / scoredWeight, 2);
      s.weightedContribution = round((exactOf(s) * s.weight) / scoredWeight, 2);
      s.working.push(
        Math.abs(scoredWeight - 100) > 1e-9
          ? `Weight ${plain(s.weight)}, scaled to ${plain(s.effectiveWeight)}: contributes ${plain(s.weightedContribution)} to the overall score.`
          : `Weight ${plain(s.weight)}: contributes ${plain(s.weightedContribution)} to the overall score.`,
      );
    }
    const terms = scored.map((s) => `${s.title} ${fixed1(s.score!)} × ${plain(s.weight)}`).join(' + ');
    top.push(`Overall score = (${terms}) / ${plain(scoredWeight)} = ${fixed1(overallScore)}`);
    const fromShown = round(scored.reduce((sum, s) => sum + s.score! * s.weight, 0) / scoredWeight, 1);
    if (fromShown !== overallScore) {
      top.push(
        `The section scores above are rounded to one decimal; the overall score is computed from their unrounded values (${scored.map((s) => `${s.title} ${String(round(exactOf(s), 4))}`).join(', ')}), so the shown figures give ${fixed1(fromShown)}, not ${fixed1(overallScore)}.`,
      );
    }
  }

  // Rating: the score's residual risk, then the caps, each stated.
  let rating: Rating;
  let overallResidualRisk: ResidualRisk | null = null;
  if (overallScore !== null) {
    overallResidualRisk = residualRisk({ score: overallScore, tier });
    rating = RATING_FOR_RISK[overallResidualRisk];
    top.push(
      `Overall residual risk ${RISK_WORDS[overallResidualRisk]}: a score of ${BAND_WORDS[bandIndex(overallScore)]} at the ${TIER_WORDS[tier]} tier (reference §7.4 matrix), so the score supports "${RATING_WORDS[rating]}".`,
    );
  } else {
    rating = 'significant_concerns';
    top.push(`With no overall score the rating can be no better than "${RATING_WORDS[rating]}".`);
  }

  const worstCritical = sections
    .filter((s) => s.critical && s.residualRisk !== null)
    .reduce<SectionEvaluation | null>((worst, s) => (worst === null || RESIDUAL_RISKS.indexOf(s.residualRisk!) > RESIDUAL_RISKS.indexOf(worst.residualRisk!) ? s : worst), null);
  if (worstCritical) {
    const cap = RATING_FOR_RISK[worstCritical.residualRisk!];
    const words = `the worst critical section (${worstCritical.title}: ${RISK_WORDS[worstCritical.residualRisk!]} residual risk)`;
    if (worseRating(rating, cap) !== rating) {
      rating = cap;
      top.push(`Rating not better than ${words}: "${RATING_WORDS[rating]}".`);
    } else {
      top.push(`The rating is never better than ${words}, which allows "${RATING_WORDS[cap]}": no change.`);
    }
  }

  for (const gateway of gateways.filter((g) => g.outcome === 'conditional')) {
    const before = rating;
    rating = worseRating(rating, 'acceptable_with_conditions');
    top.push(
      `Gateway ${names.get(gateway.questionKey)} is conditional${conditionWords(gateway)}: the rating is at best "acceptable with conditions"${before !== rating ? ', so it is lowered' : ''}.`,
    );
  }
  for (const gateway of gateways.filter((g) => g.outcome === 'fail')) {
    rating = 'not_acceptable';
    top.push(`Gateway ${names.get(gateway.questionKey)} failed: the rating is "not acceptable", whatever the score. ${gateway.reason}`);
  }

  const outstanding = [
    ...questions.filter((q) => q.status === 'pending_mark').map((q) => `Question ${names.get(q.key)} needs a moderated mark.`),
    ...questions.filter((q) => q.amendment?.status === 'pending').map((q) => `Question ${names.get(q.key)}: an amended answer awaits the moderator’s decision.`),
    ...gateways.filter((g) => g.outcome === 'pending').map((g) => `Gateway ${names.get(g.questionKey)} needs a moderator decision.`),
  ];
  const provisional = outstanding.length > 0;
  if (provisional) {
    top.push(
      `Provisional: ${outstanding.length} ${outstanding.length === 1 ? 'item is' : 'items are'} outstanding. Questions awaiting a mark are left out of the scores and pending gateways do not yet change the rating.`,
    );
  }
  top.push(`Rating: ${RATING_WORDS[rating]}.`);

  return {
    scoringMethodVersion: SCORING_METHOD_VERSION,
    questionnaire: { key: definition.key, version: definition.version, definitionHash: input.definitionHash },
    inputsHash,
    riskTier: tier,
    overallScore,
    overallResidualRisk,
    rating,
    provisional,
    outstanding,
    gateways,
    sections,
    questions,
    working: top,
  };
}

// ───────────────────────────────────────────────────────────── what the rest of the module needs

type VisibilityInput = { definition: QuestionnaireDefinition; triage: Answers; answers: Answers; evidence?: Readonly<Record<string, number>> };

/**
 * Questions evaluators must mark: visible `manual` questions that were answered. (An unanswered
 * required one already scores 0 and an unanswered optional one does not count.) In output order.
 */
export function questionsNeedingMarks({ definition, triage, answers, evidence = {} }: VisibilityInput): string[] {
  const visibility = resolveVisibility({ definition, triage, answers });
  return sortedSections(definition)
    .flatMap((s) => s.questions)
    .filter((q) => q.scoring.method === 'manual' && visibility.isVisible(q.key) && answeredQuestion(q, own(answers, q.key), evidenceCount(evidence, q.key)))
    .map((q) => q.key);
}

/** Gateways that apply (visible, at or above their tier). In output order. */
export function activeGateways({ definition, riskTier, triage, answers }: VisibilityInput & { riskTier: RiskTier }): string[] {
  const visibility = resolveVisibility({ definition, triage, answers });
  return sortedSections(definition)
    .flatMap((s) => s.questions)
    .filter((q) => q.gateway && visibility.isVisible(q.key) && (!q.gateway.minTier || tierAtLeast(riskTier, q.gateway.minTier)))
    .map((q) => q.key);
}

/**
 * Gateways the rule cannot decide, so a moderator must: those on marked questions, answers the
 * questionnaire sends to the panel (`gatewayOutcome: review`), and optional gateway questions left unanswered. A moderator may still record a decision on any active gateway.
 */
export function gatewaysNeedingDecision(input: VisibilityInput & { riskTier: RiskTier }): string[] {
  const questions = new Map(input.definition.sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const)));
  return activeGateways(input).filter((key) => {
    const question = questions.get(key)!;
    if (question.scoring.method === 'manual') return true;
    const value = own(input.answers, key);
    const chosen = typeof value === 'string' ? (question.options ?? []).find((o) => o.value === value) : undefined;
    if (chosen?.gatewayOutcome === 'review') return true;
    return !question.required && !chosen;
  });
}

/**
 * Competition ranks (1, 1, 3) by overall score, highest first, among the rows that may be ranked;
 * the others get null. Pure, so the tie rule is tested on its own.
 */
export function rankByScore<T extends { overallScore: number | null }>(rows: T[], rankable: (row: T) => boolean): Array<T & { rank: number | null }> {
  const ranked = rows.filter((r) => rankable(r) && r.overallScore !== null).sort((a, b) => b.overallScore! - a.overallScore!);
  const ranks = new Map<T, number>();
  ranked.forEach((row, i) => {
    const previous = ranked[i - 1];
    ranks.set(row, previous && previous.overallScore === row.overallScore ? ranks.get(previous)! : i + 1);
  });
  return rows.map((row) => ({ ...row, rank: ranks.get(row) ?? null }));
}

/**
 * The evaluation for a caller confidential answers are withheld from: every number stays, but the
 * working and gateway reason of each question in `confidential`, which quote its answer, become `notice`.
 */
export function withholdConfidentialWorking(evaluation: Evaluation, confidential: ReadonlySet<string>, notice: string): Evaluation {
  if (confidential.size === 0) return evaluation;
  return {
    ...evaluation,
    questions: evaluation.questions.map((q) => (confidential.has(q.key) ? { ...q, working: [notice] } : q)),
    gateways: evaluation.gateways.map((g) => (confidential.has(g.questionKey) ? { ...g, reason: notice } : g)),
  };
}
