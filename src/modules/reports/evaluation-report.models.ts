import type { AnswerValue, Question } from '../questionnaires';
import { RESIDUAL_RISK_MATRIX, type Evaluation, type QuestionEvaluation, type SectionEvaluation } from '../scoring';
import { AUDIT_ACTION_WORDS, auditEventWords } from '../../platform/audit/audit.words';
import { calendarDay, fileSize, ukDayTime } from '../../platform/format';
import { MARKING, type Block, type ReportDocument } from './reports.document';
import { decisionSummary } from './decision-summary.models';
import { type ReportAmendment, type ReportCondition, type ReportFinalisation, type ReportTrailEvent, type EvaluationReportInput, CONDITION_STATUS_WORDS, RATING_WORDS, RISK_WORDS, TIERS, BANDS, STATUS_WORDS, fixed1, fixed2, score100, fileNameOf, markLabel, answerText, plainWorking, titled, questionsOf, referenceOf, tableOr, gatewayTable, gatewaySummary, visibleSections } from './reports.shared';
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
  // The board's two pages, in front of everything else: recommendation, risks, gateways, conditions, flags, sign-off.
  blocks.push(...decisionSummary(input));

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
