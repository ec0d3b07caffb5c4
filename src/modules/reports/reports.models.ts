import type { AnswerValue, Question, QuestionnaireDefinition, RiskTier } from '../questionnaires';
import { RATING_WORDS as SCORING_RATING_WORDS, RESIDUAL_RISK_MATRIX, RISK_WORDS as SCORING_RISK_WORDS, type Evaluation, type GatewayEvaluation, type QuestionEvaluation, type Rating, type ResidualRisk, type SectionEvaluation } from '../scoring';
import { AUDIT_ACTION_WORDS, auditEventWords } from '../../platform/audit/audit.words';
import { calendarDay, fileSize, ukDayTime } from '../../platform/format';
import { MARKING, type Block, type ReportDocument } from './reports.document';

/**
 * The three reports as pure functions: evaluation data in, a `ReportDocument` (headings,
 * paragraphs, tables, charts) out. No I/O and no clock: dates come from the input, so the same
 * evaluation always gives the same document, and the same document the same PDF bytes.
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
};

export type ComparisonRow = {
  supplierName: string;
  status: string;
  rank: number | null;
  /** Absent for a response that was not submitted. */
  evaluation: Evaluation | null;
  computedAt: string | null;
};

export type ComparisonReportInput = {
  council: string;
  procurement: ReportProcurement;
  definition: QuestionnaireDefinition;
  rows: readonly ComparisonRow[];
  decision: { outcome: 'award' | 'no_award'; supplierName: string | null; decidedAt: string } | null;
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
  /** The moderator's reasons for this bidder's marks. */
  moderations: readonly ReportModeration[];
  rank: number | null;
  rankedCount: number;
  decision: {
    outcome: 'award' | 'no_award';
    decidedAt: string;
    rationale: string;
    successful: boolean;
    /** The successful tender's name and scores (never its answers); null when this bidder won or nothing was awarded. */
    winner: { supplierName: string; overallScore: number | null; sections: Array<{ key: string; score: number | null; weightedContribution: number | null }> } | null;
  };
};

// ───────────────────────────────────────────── words

const capitalised = <K extends string>(words: Record<K, string>) => Object.fromEntries(Object.entries(words).map(([k, w]) => [k, `${(w as string).charAt(0).toUpperCase()}${(w as string).slice(1)}`])) as Record<K, string>;
const RATING_WORDS = capitalised<Rating>(SCORING_RATING_WORDS);
const RISK_WORDS = capitalised<ResidualRisk>(SCORING_RISK_WORDS);
const TIERS: readonly RiskTier[] = ['low', 'medium', 'high', 'very_high'];
const BANDS = ['75 to 100', '50 to under 75', '25 to under 50', 'Under 25'] as const;
const OUTCOME_WORDS = { pass: 'Pass', fail: 'Fail', conditional: 'Conditional pass', pending: 'Awaiting decision' } as const;
const STATUS_WORDS: Record<QuestionEvaluation['status'], string> = {
  scored: 'Scored',
  not_applicable: 'Not applicable',
  hidden: 'Not asked',
  unanswered: 'Not answered',
  pending_mark: 'Awaiting moderated mark',
  not_scored: 'For information, not scored',
};

const fixed1 = (n: number | null) => (n === null ? '–' : n.toFixed(1));
const fixed2 = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n.toFixed(2));
const score100 = (n: number | null) => (n === null ? 'No score' : `${n.toFixed(1)} out of 100`);

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

const markLabel = (definition: QuestionnaireDefinition, score: number | null) => {
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

const titled = (ref: string | null | undefined, text: string) => (ref ? `${ref} ${text}` : text);
const questionsOf = (definition: QuestionnaireDefinition) => new Map(definition.sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const)));
const referenceOf = (p: ReportProcurement) => p.reference ?? p.id;

function gatewayRows(evaluation: Evaluation, questions: Map<string, Question>): string[][] {
  return evaluation.gateways.map((g) => [
    g.ref ?? '',
    questions.get(g.questionKey)?.text ?? g.questionKey,
    OUTCOME_WORDS[g.outcome],
    g.decidedBy === 'moderator' ? 'Moderator' : 'Rule',
    [g.reason, g.action ? `Action: ${g.action}` : '', g.dueDate ? `Due: ${calendarDay(g.dueDate)}` : ''].filter(Boolean).join(' '),
  ]);
}

/** A table, or the sentence that says there is nothing to put in one. */
const tableOr = (empty: string, table: Omit<Extract<Block, { kind: 'table' }>, 'kind'>): Block =>
  table.rows.length === 0 ? { kind: 'paragraph', text: empty } : { kind: 'table', ...table };

const gatewayTable = (evaluation: Evaluation, questions: Map<string, Question>): Block =>
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

const gatewaySummary = (evaluation: Evaluation) => {
  const count = (o: string) => evaluation.gateways.filter((g) => g.outcome === o).length;
  if (evaluation.gateways.length === 0) return 'None apply';
  return [`${count('pass')} passed`, `${count('conditional')} passed with conditions`, `${count('fail')} failed`, `${count('pending')} awaiting decision`].filter((s) => !s.startsWith('0 ')).join(', ');
};

const visibleSections = (evaluation: Evaluation) => evaluation.sections.filter((s) => s.visible);

/** The three weakest visible sections with a score, lowest first (ties by section order). */
export function weakestSections(evaluation: Evaluation, count = 3): SectionEvaluation[] {
  return visibleSections(evaluation)
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => s.score !== null)
    .sort((a, b) => a.s.score! - b.s.score! || a.index - b.index)
    .slice(0, count)
    .map(({ s }) => s);
}

function sectionChart(evaluation: Evaluation): Block {
  const sections = visibleSections(evaluation);
  return {
    kind: 'barChart',
    max: 100,
    bars: sections.map((s) => ({ label: titled(s.ref, s.title), value: s.score })),
    alt: `Bar chart of section scores out of 100. ${sections.map((s) => `${titled(s.ref, s.title)}: ${s.score === null ? 'no score' : s.score.toFixed(1)}`).join('; ')}.`,
  };
}

function sectionTable(evaluation: Evaluation): Block {
  return {
    kind: 'table',
    caption: 'Section scores',
    columns: [
      { header: 'Section', width: 0.36 },
      { header: 'Weight', width: 0.1, align: 'right' },
      { header: 'Weight after sections that do not apply are left out', width: 0.13, align: 'right' },
      { header: 'Score /100', width: 0.12, align: 'right' },
      { header: 'Weighted', width: 0.11, align: 'right' },
      { header: 'Residual risk', width: 0.18 },
    ],
    rows: visibleSections(evaluation).map((s) => [
      `${titled(s.ref, s.title)}${s.critical ? ' (critical)' : ''}`,
      String(s.weight),
      fixed2(s.effectiveWeight),
      fixed1(s.score),
      fixed2(s.weightedContribution),
      s.residualRisk ? RISK_WORDS[s.residualRisk] : '–',
    ]),
  };
}

/** The §7.4 matrix with this response's tier and score band marked in words as well as emphasis. */
function riskMatrix(evaluation: Evaluation): Block[] {
  const score = evaluation.overallScore;
  const band = score === null ? -1 : score >= 75 ? 0 : score >= 50 ? 1 : score >= 25 ? 2 : 3;
  const tierRow = TIERS.indexOf(evaluation.riskTier);
  return [
    {
      kind: 'paragraph',
      text:
        score === null
          ? 'Residual risk is read from the inherent risk tier and the score. This response has no overall score yet.'
          : `Residual risk is read from the inherent risk tier (rows) and the score band (columns). This response: ${RISK_WORDS[evaluation.riskTier].toLowerCase()} tier, score ${score.toFixed(1)}, so ${RISK_WORDS[evaluation.overallResidualRisk!].toLowerCase()} residual risk (marked "this response").`,
    },
    {
      kind: 'table',
      caption: 'Residual-risk matrix',
      columns: [{ header: 'Inherent tier', width: 0.2 }, ...BANDS.map((b) => ({ header: `Score ${b}`, width: 0.2 }))],
      rows: TIERS.map((tier, row) => [
        RISK_WORDS[tier],
        ...RESIDUAL_RISK_MATRIX[tier].map((risk, col) => (row === tierRow && col === band ? `${RISK_WORDS[risk]} (this response)` : RISK_WORDS[risk])),
      ]),
      emphasis: band >= 0 ? [[tierRow, band + 1]] : [],
    },
  ];
}

// ───────────────────────────────────────────── the evaluation report

/** The audit actions the appendix lists: decisions and contact with the supplier, not reads or report generation. */
export const TRAIL_ACTIONS: readonly string[] = Object.keys(AUDIT_ACTION_WORDS);

/** A question as a reader knows it: its number and the start of its text, never its internal key. */
const shortName = (question: Question) => {
  const text = question.text.length > 60 ? `${question.text.slice(0, 59).trimEnd()}…` : question.text;
  return question.ref ? `${question.ref} “${text}”` : `“${text}”`;
};

/** An audit event's details with each question key replaced by the question's number and short text. */
function withQuestionNames(details: Record<string, unknown>, questions: Map<string, Question>): Record<string, unknown> {
  const named = { ...details };
  const key = details.questionKey;
  const question = typeof key === 'string' ? questions.get(key) : undefined;
  if (question) {
    named.questionKey = shortName(question);
    named.questionRef = shortName(question);
  }
  if (Array.isArray(details.questionKeys))
    named.questionRefs = details.questionKeys.map((k, i) => {
      const q = typeof k === 'string' ? questions.get(k) : undefined;
      return q ? shortName(q) : Array.isArray(details.questionRefs) ? details.questionRefs[i] : k;
    });
  return named;
}

/** The evaluation's fingerprint, last and in plain words: what it is for and how to check it. */
function fingerprintAppendix(evaluation: Evaluation): Block[] {
  return [
    { kind: 'heading', level: 1, text: 'Appendix: technical fingerprint', bookmark: true },
    {
      kind: 'paragraph',
      text: 'This fingerprint is a SHA-256 hash of everything the evaluation was worked out from: the questionnaire, the risk tier, the weights, the answers, the evidence files, the marks and the decisions. Anyone with the same records can work the evaluation out again and check that it gives this fingerprint; if it does, the scores in this report are the ones those records give, and nothing was changed by hand.',
    },
    {
      kind: 'facts',
      rows: [
        ['Fingerprint (SHA-256)', evaluation.inputsHash],
        ['Scoring method', `Version ${evaluation.scoringMethodVersion}`],
        ['Questionnaire', `${evaluation.questionnaire.key} version ${evaluation.questionnaire.version}`],
      ],
    },
  ];
}

/** A working line without the moderator's rationale it ends with (the report prints that once, beside the moderator's name). */
export function withoutRationale(line: string, rationale: string): string {
  const reason = rationale.trim();
  if (reason === '' || !line.endsWith(reason)) return line;
  const rest = line.slice(0, line.length - reason.length).trimEnd().replace(/[:;,]$/, '');
  return `${rest}${rest.endsWith('.') ? '' : '.'} The moderator’s reason is given below.`;
}

function questionBlocks(input: EvaluationReportInput, question: Question, q: QuestionEvaluation): Block[] {
  const answer = input.answers[question.key];
  // H2 under the section's H1: PDF/UA forbids skipping a heading level.
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: titled(question.ref, question.text) }];
  const facts: Array<[string, string]> = [];
  if (answer?.confidential) facts.push(['Confidential', `Marked commercially confidential by the supplier${answer.confidentialReason ? `: ${answer.confidentialReason}` : ''}. Do not share outside the council.`]);
  if (question.type !== 'file') facts.push(['Answer', answerText(question, answer?.value)]);
  if (answer?.comment) facts.push(['Supplier’s comment', answer.comment]);
  if (input.amended.includes(question.key)) facts.push(['Amended', 'The answer above was amended in reply to a clarification.']);
  facts.push(['Status', STATUS_WORDS[q.status]]);
  facts.push(['Score', q.score === null ? 'Not counted' : `${markLabel(input.definition, q.score)}, weight ${q.weight}${q.capped ? ', capped for missing evidence' : ''}${q.override ? ', moderator’s override' : ''}`]);
  blocks.push({ kind: 'facts', rows: facts });
  const moderation = input.moderations.find((x) => x.questionKey === question.key);
  // The moderator's rationale is printed once, in the moderated-mark line below with who gave it, not again in the working.
  const working = plainWorking(moderation ? q.working.map((line) => withoutRationale(line, moderation.rationale)) : q.working, input.definition, input.procurement);
  if (working.length > 0) blocks.push({ kind: 'paragraph', text: 'Working', tone: 'strong' }, { kind: 'list', items: working });
  const files = input.evidence.filter((e) => e.questionKey === question.key);
  if (files.length > 0)
    blocks.push({
      kind: 'table',
      caption: 'Evidence files',
      columns: [
        { header: 'File', width: 0.2 },
        { header: 'Size', width: 0.1, align: 'right' },
        // Wide enough for the 64 hex digits on one line, so the hash can be copied whole.
        { header: 'SHA-256', width: 0.7 },
      ],
      rows: files.map((f) => [f.filename, fileSize(f.sizeBytes), f.sha256]),
    });
  for (const m of input.marks.filter((x) => x.questionKey === question.key))
    blocks.push({ kind: 'paragraph', text: `Evaluator ${m.evaluator}: ${markLabel(input.definition, m.score)} (${ukDayTime(m.at)}). ${m.justification}` });
  if (moderation)
    blocks.push({
      kind: 'paragraph',
      tone: 'strong',
      text: `Moderated mark by ${moderation.moderator}: ${markLabel(input.definition, moderation.score)} (${ukDayTime(moderation.at)}). ${moderation.rationale}`,
    });
  return blocks;
}

/** Whether the moderator has signed the evaluation off, by whom and when. */
const finalisationFact = (finalisation: ReportFinalisation | null): [string, string] => [
  'Finalised',
  finalisation ? `Yes, by ${finalisation.by} on ${ukDayTime(finalisation.at)}` : 'Not yet: the moderator has not finalised this evaluation',
];

const questionName = (questions: Map<string, Question>, key: string) => {
  const question = questions.get(key);
  return question ? titled(question.ref, question.text) : 'A question no longer in the questionnaire';
};

const AMENDMENT_DECISION_WORDS: Record<ReportAmendment['status'], string> = {
  accepted: 'Accepted: the amended answer counts.',
  rejected: 'Rejected: the answer before the amendment counts.',
  pending: 'Awaiting the moderator’s decision: the answer before the amendment counts, and the evaluation is provisional until it is decided.',
};

/** Every answer amended through a clarification: both answers, both scores, and the moderator's decision with who, when and why. */
export function amendedAnswersSection(input: EvaluationReportInput, questions: Map<string, Question>): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: 'Amended answers', bookmark: true },
    {
      kind: 'paragraph',
      text: 'A supplier may amend an answer in reply to a clarification. The amendment counts only once the moderator accepts it as a clarification rather than a new tender; until then, and if it is rejected, the answer before it counts.',
    },
  ];
  if (input.amendments.length === 0) return [...blocks, { kind: 'paragraph', text: 'No answer was amended in reply to a clarification.' }];
  // A pending amendment a later one replaced is never decided, and holds nothing up.
  if (input.amendments.some((a) => a.status === 'pending' && !a.superseded))
    blocks.push({ kind: 'paragraph', tone: 'notice', text: 'Some amendments await the moderator’s decision, so this evaluation is provisional.' });
  for (const a of input.amendments) {
    const question = questions.get(a.questionKey);
    const answer = (value: AnswerValue) => (question ? answerText(question, value) : Array.isArray(value) ? value.join('; ') : value === null || value === undefined ? 'Not answered' : String(value));
    const rows: Array<[string, string]> = [];
    if (input.answers[a.questionKey]?.confidential) rows.push(['Confidential', 'Marked commercially confidential by the supplier. Do not share outside the council.']);
    rows.push(
      ['Amended', `${a.repliedAt ? ukDayTime(a.repliedAt) : 'Date not recorded'}, in reply to a clarification asked ${ukDayTime(a.askedAt)}`],
      ['Original answer', answer(a.original)],
      ['Original score', markLabel(input.definition, a.originalScore)],
      ['Amended answer', answer(a.amended)],
      ['Amended score', markLabel(input.definition, a.amendedScore)],
      ['Decision', a.status === 'pending' && a.superseded ? 'Not decided: a later amendment of the same answer replaced it.' : AMENDMENT_DECISION_WORDS[a.status]],
      ['Decided by', a.decidedBy && a.decidedAt ? `${a.decidedBy} on ${ukDayTime(a.decidedAt)}` : 'Not yet decided'],
      ['Reason', a.reason ?? 'None yet'],
    );
    if (a.superseded) rows.push(['Later amendment', 'The same answer was amended again later; the later amendment is the one that decides the score.']);
    blocks.push({ kind: 'heading', level: 2, text: questionName(questions, a.questionKey) }, { kind: 'facts', rows });
  }
  return blocks;
}

const CONDITION_SOURCE_WORDS: Record<ReportCondition['source'], string> = {
  gateway: 'A gateway passed on conditions',
  exception: 'An exception to the council’s terms',
  evidence: 'Evidence asked for and not given',
  residual_risk: 'A critical section’s residual risk',
  overall_risk: 'The overall residual risk',
};
const CONDITION_STATUS_WORDS: Record<ReportCondition['status'], string> = { open: 'Open', met: 'Met', waived: 'Waived' };

/** The numbered conditions register: what must be agreed or done, who owns it, by when, and whether it was met or waived. */
export function conditionsSection(input: EvaluationReportInput): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: 'Conditions', bookmark: true },
    {
      kind: 'paragraph',
      text: 'Raised by the evaluation: each gateway passed on conditions, each exception to the council’s terms, each answer scored down for missing evidence, each critical section with medium or high residual risk, and a medium overall residual risk. A rating of “acceptable with conditions” always lists its conditions here.',
    },
  ];
  if (input.conditions.length === 0) return [...blocks, { kind: 'paragraph', text: 'The evaluation raises no condition.' }];
  const open = input.conditions.filter((c) => c.status === 'open').length;
  blocks.push({ kind: 'paragraph', text: `${input.conditions.length} condition${input.conditions.length === 1 ? '' : 's'}, ${open} open.` });
  blocks.push({
    kind: 'table',
    caption: 'Conditions register',
    columns: [
      { header: 'No.', width: 0.06 },
      { header: 'Condition', width: 0.4 },
      { header: 'Raised by', width: 0.16 },
      { header: 'Owner and due date', width: 0.17 },
      { header: 'Status', width: 0.21 },
    ],
    rows: input.conditions.map((c) => [
      String(c.number),
      c.text,
      CONDITION_SOURCE_WORDS[c.source],
      [c.owner ?? 'No owner yet', c.dueDate ? `due ${calendarDay(c.dueDate)}` : 'no due date'].join(', '),
      [CONDITION_STATUS_WORDS[c.status], c.reason ? `: ${c.reason}` : '', c.updated ? ` (${c.updated.by}, ${ukDayTime(c.updated.at)})` : ''].join(''),
    ]),
  });
  return blocks;
}

/** Every integrity flag: the rule that raised it, what it is about, and what the panel recorded doing about it. */
export function integrityFlagsSection(input: EvaluationReportInput, questions: Map<string, Question>): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: 'Integrity flags', bookmark: true },
    { kind: 'paragraph', text: 'Things about this response the panel should look at before relying on it, each with the rule that raised it. A flag never changes a score by itself.' },
  ];
  if (input.integrityFlags.length === 0) return [...blocks, { kind: 'paragraph', text: 'No integrity flag was raised on this response.' }];
  input.integrityFlags.forEach((flag, i) => {
    blocks.push(
      { kind: 'heading', level: 2, text: `Flag ${i + 1} of ${input.integrityFlags.length}` },
      {
        kind: 'facts',
        rows: [
          ['Rule', flag.ruleText],
          ['Found', flag.message],
          ['Concerns', flag.questionKeys.length === 0 ? 'The evaluation panel, not an answer' : flag.questionKeys.map((key) => questionName(questions, key)).join('; ')],
          ['Panel’s action', flag.action ? flag.action.text : 'No action recorded'],
          ...(flag.action ? [['Recorded by', `${flag.action.by} on ${ukDayTime(flag.action.at)}`] as [string, string]] : []),
        ],
      },
    );
  });
  return blocks;
}

export function evaluationReport(input: EvaluationReportInput): ReportDocument {
  const { evaluation, definition, procurement } = input;
  const questions = questionsOf(definition);
  const weakest = weakestSections(evaluation);
  const status = evaluation.provisional ? `Provisional: ${evaluation.outstanding.length} item${evaluation.outstanding.length === 1 ? '' : 's'} outstanding` : 'Complete: nothing outstanding';
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Evaluation report: ${input.supplierName}`, bookmark: true },
    { kind: 'paragraph', text: procurement.title, tone: 'strong' },
    {
      kind: 'facts',
      rows: [
        ['Council', input.council],
        ['Procurement', procurement.title],
        ['Reference', referenceOf(procurement)],
        ['Supplier', input.supplierName],
        ['Submitted', input.submittedAt ? ukDayTime(input.submittedAt) : 'Not submitted'],
        ['Evaluation dated', ukDayTime(input.computedAt)],
        ['Questionnaire', `${definition.title} (${evaluation.questionnaire.key} version ${evaluation.questionnaire.version})`],
        ['Scoring method', `Version ${evaluation.scoringMethodVersion}`],
        ['Status', status],
        finalisationFact(input.finalisation),
      ],
    },
  ];
  if (evaluation.provisional)
    blocks.push({ kind: 'paragraph', tone: 'notice', text: 'This evaluation is provisional: the scores can still change until every item below is decided.' }, { kind: 'list', items: evaluation.outstanding });

  blocks.push(
    { kind: 'heading', level: 1, text: 'Summary', bookmark: true },
    {
      kind: 'facts',
      rows: [
        ['Overall score', score100(evaluation.overallScore)],
        ['Rating', RATING_WORDS[evaluation.rating]],
        ['Inherent risk tier', `${RISK_WORDS[evaluation.riskTier]}. ${procurement.riskTierReason}`],
        ['Overall residual risk', evaluation.overallResidualRisk ? RISK_WORDS[evaluation.overallResidualRisk] : 'Not known'],
        ['Gateways', gatewaySummary(evaluation)],
      ],
    },
    { kind: 'list', items: plainWorking(evaluation.working, definition, procurement) },
    { kind: 'heading', level: 2, text: 'Gateways' },
    gatewayTable(evaluation, questions),
    { kind: 'heading', level: 2, text: 'Weakest areas' },
    weakest.length === 0
      ? { kind: 'paragraph', text: 'No section has a score yet.' }
      : { kind: 'list', items: weakest.map((s) => `${titled(s.ref, s.title)}: ${s.score!.toFixed(1)} out of 100, ${RISK_WORDS[s.residualRisk!].toLowerCase()} residual risk`) },
    { kind: 'heading', level: 2, text: 'Section scores' },
    sectionChart(evaluation),
    sectionTable(evaluation),
    { kind: 'heading', level: 2, text: 'Residual risk' },
    ...riskMatrix(evaluation),
  );
  // Beside the rating it qualifies.
  blocks.push(...conditionsSection(input));

  for (const section of visibleSections(evaluation)) {
    const defined = definition.sections.find((s) => s.key === section.key);
    blocks.push(
      { kind: 'heading', level: 1, text: titled(section.ref, section.title), bookmark: true },
      {
        kind: 'facts',
        rows: [
          ['Section score', score100(section.score)],
          ['Residual risk', section.residualRisk ? RISK_WORDS[section.residualRisk] : 'Not known'],
          ['Weight', `${section.weight}${section.effectiveWeight !== null && section.effectiveWeight !== section.weight ? ` (${section.effectiveWeight.toFixed(2)} once sections that do not apply are left out and the rest scaled to 100)` : ''}`],
        ],
      },
      { kind: 'list', items: plainWorking(section.working, definition, procurement) },
    );
    for (const question of defined?.questions ?? []) {
      const q = evaluation.questions.find((x) => x.key === question.key);
      if (!q || q.status === 'hidden') continue;
      blocks.push(...questionBlocks(input, question, q));
    }
  }

  blocks.push({ kind: 'heading', level: 1, text: 'Clarifications', bookmark: true });
  if (input.clarifications.length === 0) blocks.push({ kind: 'paragraph', text: 'The council asked no clarification questions.' });
  for (const c of input.clarifications) {
    const question = questions.get(c.questionKey);
    blocks.push(
      { kind: 'heading', level: 2, text: `About ${question ? titled(question.ref, question.text) : c.questionKey}` },
      {
        kind: 'facts',
        rows: [
          ['Asked', `${ukDayTime(c.askedAt)}: ${c.question}`],
          ['Reply', c.reply === null ? 'No reply yet' : `${ukDayTime(c.repliedAt!)}: ${c.reply}`],
          ...(c.amended ? [['Amended answer', 'Yes: see “Amended answers” for the moderator’s decision and both scores.'] as [string, string]] : []),
        ],
      },
    );
  }

  // The panel's decisions about this response, a section each, each built by its own function.
  blocks.push(...amendedAnswersSection(input, questions), ...integrityFlagsSection(input, questions));

  blocks.push({ kind: 'heading', level: 1, text: 'Appendix: who did what and when', bookmark: true });
  const trailText = (event: ReportTrailEvent) => auditEventWords({ action: event.action, details: withQuestionNames(event.details, questions) }) ?? event.action;
  blocks.push(
    tableOr('No events recorded.', {
      caption: 'Audit trail',
      columns: [
        { header: 'When', width: 0.3 },
        { header: 'Who', width: 0.25 },
        { header: 'What', width: 0.45 },
      ],
      rows: input.trail.map((e) => [ukDayTime(e.at), e.who, trailText(e)]),
    }),
  );
  blocks.push(...fingerprintAppendix(evaluation));

  return {
    title: `Evaluation report: ${input.supplierName}, ${procurement.title}`,
    subject: `AI due diligence evaluation of ${input.supplierName} for ${procurement.title}`,
    author: input.council,
    reference: referenceOf(procurement),
    marking: MARKING,
    createdAt: input.computedAt,
    filename: fileNameOf(['evaluation-report', procurement.reference, input.supplierName]),
    blocks,
  };
}

// ───────────────────────────────────────────── the comparison report

/** Suppliers per table, so columns stay readable on A4. */
const PER_TABLE = 5;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function comparisonReport(input: ComparisonReportInput): ReportDocument {
  const { procurement, definition } = input;
  const evaluated = input.rows.filter((r): r is ComparisonRow & { evaluation: Evaluation; computedAt: string } => r.evaluation !== null && r.computedAt !== null);
  const createdAt = [...evaluated.map((r) => r.computedAt), ...(input.decision ? [input.decision.decidedAt] : [])].sort().at(-1)!;
  const others = input.rows.filter((r) => r.evaluation === null);
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Comparison report: ${procurement.title}`, bookmark: true },
    {
      kind: 'facts',
      rows: [
        ['Council', input.council],
        ['Reference', referenceOf(procurement)],
        ['Inherent risk tier', `${RISK_WORDS[procurement.riskTier]}. ${procurement.riskTierReason}`],
        ['Responses compared', String(evaluated.length)],
        ['Dated', ukDayTime(createdAt)],
        [
          'Decision',
          input.decision ? (input.decision.outcome === 'award' ? `Awarded to ${input.decision.supplierName} (${ukDayTime(input.decision.decidedAt)})` : `No award (${ukDayTime(input.decision.decidedAt)})`) : 'Not yet decided',
        ],
      ],
    },
  ];
  if (evaluated.some((r) => r.evaluation.provisional)) blocks.push({ kind: 'paragraph', tone: 'notice', text: 'Some evaluations are provisional: their scores can still change.' });
  if (others.length > 0) blocks.push({ kind: 'paragraph', text: `Not compared, because not submitted: ${others.map((r) => `${r.supplierName} (${r.status.replace(/_/g, ' ')})`).join('; ')}.` });

  blocks.push(
    { kind: 'heading', level: 2, text: 'Overall', bookmark: true },
    {
      kind: 'table',
      caption: 'Overall results',
      columns: [
        { header: 'Rank', width: 0.08, align: 'right' },
        { header: 'Supplier', width: 0.27 },
        { header: 'Overall /100', width: 0.13, align: 'right' },
        { header: 'Rating', width: 0.2 },
        { header: 'Gateways', width: 0.22 },
        { header: 'Status', width: 0.1 },
      ],
      rows: evaluated.map((r) => [
        r.rank === null ? '–' : String(r.rank),
        r.supplierName,
        fixed1(r.evaluation.overallScore),
        RATING_WORDS[r.evaluation.rating],
        gatewaySummary(r.evaluation),
        r.evaluation.provisional ? 'Provisional' : 'Final',
      ]),
    },
    {
      kind: 'paragraph',
      tone: 'muted',
      text: 'Rank counts only responses that passed every gateway (a conditional pass counts), highest overall score first; equal scores share a rank. A dash means not ranked.',
    },
    {
      kind: 'barChart',
      max: 100,
      bars: evaluated.map((r) => ({ label: r.supplierName, value: r.evaluation.overallScore })),
      alt: `Bar chart of overall scores out of 100. ${evaluated.map((r) => `${r.supplierName}: ${r.evaluation.overallScore === null ? 'no score' : r.evaluation.overallScore.toFixed(1)}`).join('; ')}.`,
    },
  );

  const visible = definition.sections.filter((s) => evaluated.some((r) => r.evaluation.sections.find((x) => x.key === s.key)?.visible));
  blocks.push({ kind: 'heading', level: 2, text: 'Section scores', bookmark: true });
  for (const group of chunks(evaluated, PER_TABLE))
    blocks.push({
      kind: 'table',
      caption: 'Section scores out of 100',
      columns: [{ header: 'Section', width: 0.3 }, { header: 'Weight', width: 0.08, align: 'right' }, ...group.map((r) => ({ header: r.supplierName, width: 0.62 / PER_TABLE, align: 'right' as const }))],
      rows: visible.map((s) => [
        titled(s.ref, s.title),
        String(group[0]!.evaluation.sections.find((x) => x.key === s.key)?.weight ?? 0),
        ...group.map((r) => fixed1(r.evaluation.sections.find((x) => x.key === s.key)?.score ?? null)),
      ]),
    });

  for (const section of visible) {
    blocks.push({ kind: 'heading', level: 1, text: titled(section.ref, section.title), bookmark: true });
    for (const group of chunks(evaluated, PER_TABLE))
      blocks.push({
        kind: 'table',
        caption: `Question scores in ${section.title} (0 to 4)`,
        columns: [{ header: 'Question', width: 0.38 }, ...group.map((r) => ({ header: r.supplierName, width: 0.62 / PER_TABLE, align: 'right' as const }))],
        rows: section.questions
          .filter((q) => group.some((r) => r.evaluation.questions.find((x) => x.key === q.key)?.status !== 'hidden'))
          .map((q) => [
            titled(q.ref, q.text),
            ...group.map((r) => {
              const e = r.evaluation.questions.find((x) => x.key === q.key);
              if (!e) return '–';
              return e.score !== null ? String(e.score) : e.status === 'scored' ? '–' : STATUS_WORDS[e.status];
            }),
          ]),
      });
  }

  return {
    title: `Comparison report: ${procurement.title}`,
    subject: `Side-by-side comparison of the evaluated responses to ${procurement.title}`,
    author: input.council,
    reference: referenceOf(procurement),
    marking: MARKING,
    createdAt,
    filename: fileNameOf(['comparison-report', procurement.reference ?? procurement.title]),
    blocks,
  };
}

// ───────────────────────────────────────────── the assessment summary (Procurement Act 2023 s.50)

function reasonFor(input: AssessmentSummaryInput, question: Question, q: QuestionEvaluation): string {
  const answer = input.answers[question.key];
  const yours =
    question.type === 'file'
      ? 'Your evidence files'
      : answer?.confidential
        ? 'Your answer (marked commercially confidential, so not reproduced here)'
        : `Your answer “${answerText(question, answer?.value)}”`;
  const moderation = input.moderations.find((m) => m.questionKey === question.key);
  const why = moderation ? `The panel’s reason: ${moderation.rationale}` : plainWorking(q.working, input.definition, input.procurement).join(' ');
  const scored = q.score === null ? STATUS_WORDS[q.status].toLowerCase() : `scored ${markLabel(input.definition, q.score)}`;
  return `${titled(question.ref, question.text)} ${yours} ${scored}. ${why}`.trim();
}

export function assessmentSummary(input: AssessmentSummaryInput): ReportDocument {
  const { evaluation, definition, procurement, decision } = input;
  const questions = questionsOf(definition);
  const separate = (g: GatewayEvaluation) => questions.get(g.questionKey)?.gateway?.separateFromAward === true;
  const awardGateways = evaluation.gateways.filter((g) => !separate(g));
  const separateGateways = evaluation.gateways.filter(separate);
  const gatewayLine = (g: GatewayEvaluation) => `${titled(g.ref, '')}${OUTCOME_WORDS[g.outcome]}: ${g.reason}`.trim();
  const sections = visibleSections(evaluation);
  const winner = decision.winner;
  const createdAt = [input.computedAt, decision.decidedAt].sort().at(-1)!;
  const outcome =
    decision.outcome === 'no_award'
      ? 'The council decided not to award a contract.'
      : decision.successful
        ? 'Your tender was successful: the council intends to award you the contract.'
        : `Your tender was not successful. The council intends to award the contract to ${winner?.supplierName ?? 'another supplier'}.`;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Assessment summary: ${input.supplierName}`, bookmark: true },
    {
      kind: 'paragraph',
      text: `This is the assessment summary for your tender, given under section 50 of the Procurement Act 2023. It sets out how your tender was assessed against each award criterion, the score available and the score you were awarded, and the reasons, by reference to your own answers. It does not contain any other supplier’s answers.`,
    },
    {
      kind: 'facts',
      rows: [
        ['Council', input.council],
        ['Procurement', procurement.title],
        ['Reference', referenceOf(procurement)],
        ['Supplier', input.supplierName],
        ['Outcome', outcome],
        ['Decided', ukDayTime(decision.decidedAt)],
        ['Your total score', score100(evaluation.overallScore)],
        ['Your rating', RATING_WORDS[evaluation.rating]],
        ['Your rank', input.rank === null ? 'Not ranked (a gateway was not passed)' : `${input.rank} of ${input.rankedCount} ranked tenders`],
        ...(winner ? [['Successful tender’s total score', score100(winner.overallScore)] as [string, string]] : []),
      ],
    },
    { kind: 'heading', level: 2, text: 'Scores by criterion', bookmark: true },
    {
      kind: 'table',
      caption: 'Award criteria',
      columns: [
        { header: 'Criterion', width: 0.34 },
        { header: 'Weight', width: 0.1, align: 'right' },
        { header: 'Points available', width: 0.14, align: 'right' },
        { header: 'Your score /100', width: 0.14, align: 'right' },
        { header: 'Your points', width: 0.13, align: 'right' },
        ...(winner ? [{ header: 'Successful tender’s points', width: 0.15, align: 'right' as const }] : []),
      ],
      rows: [
        ...sections.map((s) => [
          titled(s.ref, s.title),
          String(s.weight),
          fixed2(s.effectiveWeight),
          fixed1(s.score),
          fixed2(s.weightedContribution),
          ...(winner ? [fixed2(winner.sections.find((x) => x.key === s.key)?.weightedContribution)] : []),
        ]),
        ['Total', '100', '100.00', '', fixed1(evaluation.overallScore), ...(winner ? [fixed1(winner.overallScore)] : [])],
      ],
    },
    {
      kind: 'paragraph',
      tone: 'muted',
      text: 'Points available is the criterion’s weight after criteria with no score are left out and the rest scaled to 100. Your points are your score for the criterion times its points available, divided by 100; they add up to your total.',
    },
    { kind: 'heading', level: 2, text: 'Gateways (pass or fail)', bookmark: true },
    awardGateways.length === 0
      ? { kind: 'paragraph', text: 'No gateway applied to your tender.' }
      : { kind: 'list', items: awardGateways.map(gatewayLine) },
  ];
  // Exclusion grounds and conflicts of interest are not award criteria under the Act: said apart, so nobody reads them as part of the assessment.
  if (separateGateways.length > 0)
    blocks.push(
      { kind: 'heading', level: 2, text: 'Checked separately from the award criteria', bookmark: true },
      {
        kind: 'paragraph',
        text: 'Exclusion grounds (Part 3 of the Procurement Act 2023) and conflicts of interest (sections 81 to 83) are checked separately from the award criteria. They are listed here for completeness; they are not part of how your tender was scored.',
      },
      { kind: 'list', items: separateGateways.map(gatewayLine) },
    );

  if (winner) {
    const behind = sections
      .map((s) => ({ s, theirs: winner.sections.find((x) => x.key === s.key)?.score ?? null }))
      .filter(({ s, theirs }) => theirs !== null && (s.score ?? 0) < theirs);
    blocks.push(
      { kind: 'heading', level: 2, text: 'Why your tender was not successful', bookmark: true },
      {
        kind: 'paragraph',
        text: `The successful tender scored ${fixed1(winner.overallScore)} out of 100 overall; yours scored ${fixed1(evaluation.overallScore)}.${behind.length > 0 ? ' It scored higher than yours on these criteria:' : ''}`,
      },
    );
    if (behind.length > 0) blocks.push({ kind: 'list', items: behind.map(({ s, theirs }) => `${titled(s.ref, s.title)}: yours ${fixed1(s.score)}, the successful tender ${theirs!.toFixed(1)} out of 100`) });
    if (input.rank === null) blocks.push({ kind: 'paragraph', text: 'Your tender could not be ranked because it did not pass every gateway; the gateway reasons are above.' });
  }

  blocks.push({ kind: 'heading', level: 1, text: 'Reasons, criterion by criterion', bookmark: true });
  for (const section of sections) {
    const defined = definition.sections.find((s) => s.key === section.key);
    const scored = (defined?.questions ?? [])
      .map((question) => ({ question, q: evaluation.questions.find((x) => x.key === question.key) }))
      .filter((x): x is { question: Question; q: QuestionEvaluation } => x.q !== undefined && x.q.status !== 'hidden' && x.q.status !== 'not_scored');
    blocks.push(
      { kind: 'heading', level: 2, text: titled(section.ref, section.title), bookmark: true },
      { kind: 'paragraph', text: `Your score for this criterion: ${score100(section.score)} (weight ${section.weight}).` },
      scored.length === 0 ? { kind: 'paragraph', text: 'No question in this criterion was scored.' } : { kind: 'list', items: scored.map(({ question, q }) => reasonFor(input, question, q)) },
    );
  }

  return {
    title: `Assessment summary: ${input.supplierName}, ${procurement.title}`,
    subject: `Procurement Act 2023 s.50 assessment summary for ${input.supplierName}`,
    author: input.council,
    reference: referenceOf(procurement),
    marking: MARKING,
    createdAt,
    filename: fileNameOf(['assessment-summary', procurement.reference, input.supplierName]),
    blocks,
  };
}
