import { conditionWords, evaluateCondition, type AnswerValue, type Question, type QuestionnaireDefinition } from '../questionnaires';
import { type Evaluation, type GatewayEvaluation, type QuestionEvaluation, type SectionEvaluation } from '../scoring';
import { ukDayTime } from '../../platform/format';
import { MARKING, type Block, type ReportDocument } from './reports.document';
import { type AssessmentSummaryInput, type ReportMark, type ReportModeration, OUTCOME_WORDS, STATUS_WORDS, fixed1, fixed2, score100, fileNameOf, markLabel, answerText, plainWorking, titled, questionsOf, referenceOf, visibleSections } from './reports.shared';

// ───────────────────────────────────────────── the assessment summary (Procurement Act 2023 s.50(3), Procurement Regulations 2024 reg. 31)

/** Said wherever the supplier did not give a detail the regulation asks for: the summary never invents one. */
export const NOT_PROVIDED = 'Not provided by the supplier';
/** Beside each of the supplier's own answers it marked confidential: shown to it, since they are its own. */
export const OWN_CONFIDENTIAL = '(you marked this commercially confidential)';

// ───────────────────────────────────────────── justifications that refer to the tender

/** Shorter than this (after stock phrases are taken out) a justification cannot say what in the tender earned the mark. */
export const MIN_JUSTIFICATION_LENGTH = 30;

/**
 * Phrases that say nothing about the tender: a justification made only of these (and a few words
 * around them) is refused. Compared in lower case without punctuation.
 */
export const STOCK_PHRASES = [
  'agreed with the evaluator',
  'agreed with evaluator',
  'agree with the evaluator',
  'agree with evaluator',
  'agreed with the other evaluators',
  'agreed after discussion',
  'after reading the answer',
  'as discussed',
  'as above',
  'see above',
  'as below',
  'see below',
  'see comments',
  'see notes',
  'as per evaluator',
  'as per notes',
  'good answer',
  'very good answer',
  'excellent answer',
  'poor answer',
  'weak answer',
  'strong answer',
  'meets the requirements',
  'meets requirements',
  'does not meet the requirements',
  'satisfactory',
  'no comment',
  'not applicable',
  'n a',
  'ok',
  'fine',
  'good',
  'agreed',
  'noted',
] as const;

const plainWords = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

export type JustificationFault = 'missing' | 'too_short' | 'stock_phrase';

/** Why a justification does not refer to the tender, or null when it may stand as the reason for a mark. */
export function justificationFault(justification: string | null | undefined): JustificationFault | null {
  const words = plainWords(justification ?? '');
  if (words === '') return 'missing';
  if ((STOCK_PHRASES as readonly string[]).includes(words)) return 'stock_phrase';
  // Phrases of several words go wherever they stand; a single stock word only counts when it is all there is.
  const rest = STOCK_PHRASES.filter((p) => p.includes(' '))
    .reduce((left, phrase) => ` ${left} `.split(` ${phrase} `).join(' ').trim(), words)
    .replace(/\s+/g, ' ');
  if (rest.length >= MIN_JUSTIFICATION_LENGTH) return null;
  return rest.length < words.length ? 'stock_phrase' : 'too_short';
}

export type JustificationProblem = {
  questionKey: string;
  ref: string | null;
  question: string;
  /** The evaluator whose justification falls short; null when no evaluator gave one at all. */
  evaluator: string | null;
  fault: JustificationFault;
};

const FAULT_WORDS: Record<JustificationFault, string> = {
  missing: 'no evaluator’s justification was recorded',
  too_short: `the justification is shorter than ${MIN_JUSTIFICATION_LENGTH} characters, too short to say what in the tender earned the mark`,
  stock_phrase: 'the justification is a stock phrase that does not refer to the tender',
};

/** One problem in words, naming the question by number and the evaluator by name. */
export const justificationProblemText = (p: JustificationProblem) =>
  `Question ${p.ref ?? p.questionKey}${p.evaluator ? `, ${p.evaluator}` : ''}: ${FAULT_WORDS[p.fault]}.`;

/**
 * Every answer evaluators marked whose mark counts, and each of its evaluators' justifications that
 * does not refer to the tender (reg. 31(2)(e)(i): a score is explained by reference to the tender).
 * Empty when the summary may be produced. Where evaluators marked, the moderator's note is never the
 * explanation; where none did (a procurement whose panel is the moderator alone), the moderator marked
 * it and their rationale is the justification, held to the same rule.
 */
export function justificationProblems({
  definition,
  evaluation,
  marks,
  moderations = [],
}: {
  definition: QuestionnaireDefinition;
  evaluation: Evaluation;
  marks: readonly ReportMark[];
  moderations?: ReadonlyArray<Pick<ReportModeration, 'questionKey' | 'moderator' | 'rationale'>>;
}): JustificationProblem[] {
  const questions = questionsOf(definition);
  return evaluation.questions.flatMap((q): JustificationProblem[] => {
    const question = questions.get(q.key);
    if (!question || question.scoring.method !== 'manual' || q.status !== 'scored') return [];
    const base = { questionKey: q.key, ref: q.ref, question: question.text };
    const given = marks.filter((m) => m.questionKey === q.key).sort((a, b) => a.evaluator.localeCompare(b.evaluator));
    if (given.length === 0) {
      const alone = moderations.find((m) => m.questionKey === q.key);
      const fault = alone ? justificationFault(alone.rationale) : 'missing';
      return fault ? [{ ...base, evaluator: alone?.moderator || null, fault }] : [];
    }
    return given.flatMap((m): JustificationProblem[] => {
      const fault = justificationFault(m.justification);
      return fault ? [{ ...base, evaluator: m.evaluator, fault }] : [];
    });
  });
}

// ───────────────────────────────────────────── pieces of the summary

const joinedWords = (items: string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
const sum2 = (values: Array<number | null | undefined>) => Math.round(values.reduce<number>((total, v) => total + (v ?? 0), 0) * 100) / 100;

/** The supplier's own answer, with its confidential mark: this document goes to the supplier, so its own answers are shown. */
function yourAnswer(input: AssessmentSummaryInput, question: Question): string {
  const answer = input.answers[question.key];
  if (question.type === 'file') return 'Your evidence files.';
  return `Your answer: “${answerText(question, answer?.value)}”${answer?.confidential ? ` ${OWN_CONFIDENTIAL}` : ''}.`;
}

/** The answers to a gateway question that would have passed it: option labels, or the pass condition in words. */
export function passingAnswers(definition: QuestionnaireDefinition, question: Question, answers: Readonly<Record<string, { value: AnswerValue }>>): string {
  const pass = question.gateway?.pass;
  if (!pass) return '';
  if (question.options && question.options.length > 0) {
    const passes = question.options.filter((option) => {
      if (option.gatewayOutcome === 'review' || option.gatewayOutcome === 'fail') return false;
      const candidate: AnswerValue = question.type === 'multi_choice' ? [option.value] : option.value;
      return evaluateCondition(pass, (operand) => ('question' in operand ? (operand.question === question.key ? candidate : (answers[operand.question]?.value ?? null)) : null));
    });
    const reviewed = question.options.filter((o) => o.gatewayOutcome === 'review');
    const passed = passes.length > 0 ? passes.map((o) => `“${o.label}”`).join(' or ') : 'no single option on its own';
    return reviewed.length > 0 ? `${passed}; the panel decides ${reviewed.map((o) => `“${o.label}”`).join(' or ')}` : passed;
  }
  const words = conditionWords(definition)(pass);
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

/** A question as the start of a sentence: it keeps its own "?" or ".", and gets a full stop when it has none. */
const asSentence = (text: string) => (/[.?!]$/.test(text) ? text : `${text}.`);

function gatewayLine(input: AssessmentSummaryInput, questions: Map<string, Question>, g: GatewayEvaluation): string {
  const question = questions.get(g.questionKey);
  const head = `${asSentence(titled(g.ref, question?.text ?? ''))} Outcome: ${OUTCOME_WORDS[g.outcome].toLowerCase()}. ${g.reason}`.trim();
  const action = g.outcome === 'conditional' && g.action ? ` Condition: ${g.action}.` : '';
  // A failed gateway says what the supplier answered and what would have passed (issue 19 item 8).
  const failed = g.outcome === 'fail' && question ? ` ${yourAnswer(input, question)} What would have passed: ${passingAnswers(input.definition, question, input.answers)}.` : '';
  return `${head}${action}${failed}`;
}

/**
 * The reason for one question's mark, by reference to the supplier's own answer: for a mark
 * evaluators gave, their justifications, what the mark means for this question and what the next
 * mark up needed; otherwise the rule's working. Never the moderator's process note.
 */
function reasonFor(input: AssessmentSummaryInput, question: Question, q: QuestionEvaluation): string {
  const { definition } = input;
  const scored = q.score === null ? `${STATUS_WORDS[q.status]}.` : `Scored ${markLabel(definition, q.score)}.`;
  const parts = [asSentence(titled(question.ref, question.text)), yourAnswer(input, question), scored];
  if (question.scoring.method === 'manual' && q.score !== null) {
    const descriptors = question.scoring.descriptors as Record<string, string>;
    // In a fixed order (by evaluator, who is not named to the supplier), so the same marks give the same document.
    const reasons = input.marks
      .filter((m) => m.questionKey === question.key && justificationFault(m.justification) === null)
      .sort((a, b) => a.evaluator.localeCompare(b.evaluator))
      .map((m) => `“${m.justification.trim()}”`);
    if (reasons.length > 0) parts.push(`The evaluators’ reasons: ${reasons.join('; ')}.`);
    else {
      // No evaluator marked it: the moderator did, alone, and their rationale passed the same check.
      const alone = input.moderations.find((m) => m.questionKey === question.key);
      if (alone && justificationFault(alone.rationale) === null) parts.push(`The panel’s reason: “${alone.rationale.trim()}”.`);
    }
    parts.push(`A mark of ${markLabel(definition, q.score)} for this question means: ${descriptors[String(q.score)]}`);
    if (q.score < 4) parts.push(`To score ${markLabel(definition, q.score + 1)} the answer needed: ${descriptors[String(q.score + 1)]}`);
  } else {
    parts.push(...plainWorking(q.working, definition, input.procurement));
    const override = q.override ? input.moderations.find((m) => m.questionKey === question.key) : undefined;
    if (override) parts.push(`The panel changed the mark the rule gave, because: ${override.rationale}`);
  }
  return parts.filter(Boolean).join(' ');
}

/** Why the weights applied differ from the published ones, in the reader's words; null when they do not. */
export function rescaledWords(sections: readonly SectionEvaluation[]): string | null {
  const hidden = sections.filter((s) => !s.visible && s.weight > 0).map((s) => s.title);
  const unscored = sections.filter((s) => s.visible && s.score === null && s.weight > 0).map((s) => s.title);
  if (hidden.length === 0 && unscored.length === 0) return null;
  const reasons = [
    ...(hidden.length > 0 ? [`the ${joinedWords(hidden)} ${hidden.length === 1 ? 'section does' : 'sections do'} not apply to this use case`] : []),
    ...(unscored.length > 0 ? [`no question in the ${joinedWords(unscored)} ${unscored.length === 1 ? 'section was' : 'sections were'} scored for your tender`] : []),
  ];
  return `Weights rescaled because ${reasons.join(', and ')}: their weight is shared among the other criteria in proportion, so the weights applied add up to 100.`;
}

/** Says whether the parts shown add up to the total shown, or that they are rounded: a reader can check every table. */
export function addsUpWords({ parts, total, what }: { parts: Array<number | null | undefined>; total: number | null; what: string }): string {
  if (total === null) return `There is no total: no criterion has a score.`;
  const shown = sum2(parts);
  if (Math.abs(shown - total) < 0.005) return `The ${what} shown add up to the total shown, ${fixed1(total)}.`;
  return `The ${what} are rounded to two decimals and the total to one, each from the unrounded scores: the ${what} shown add up to ${shown.toFixed(2)}, and the total is ${fixed1(total)}.`;
}

function criteriaBlocks(input: AssessmentSummaryInput): Block[] {
  const { evaluation, definition } = input;
  const sections = evaluation.sections;
  const published = sum2(sections.map((s) => s.weight));
  const applied = sections.filter((s) => s.effectiveWeight !== null);
  const appliedTotal = sum2(applied.map((s) => s.effectiveWeight));
  const rescaled = rescaledWords(sections);
  return [
    { kind: 'heading', level: 2, text: 'The award criteria and how they were assessed', bookmark: true },
    {
      kind: 'paragraph',
      text: 'Each award criterion is a section of the questionnaire, and its questions are its sub-criteria. Each question was marked from 0 to 4 on the scale below: from the option chosen or the number given, by the rules published in advance, or, for a written answer, by evaluators marking independently against the descriptors published for that question, then agreeing the mark. A criterion’s score out of 100 is the weighted mean of its question marks divided by 4, times 100; your points for it are that score times its weight applied, divided by 100, and your total score is the sum of your points. Gateways are pass or fail: failing one means the tender cannot be awarded the contract, whatever its score.',
    },
    {
      kind: 'table',
      caption: 'The marking scale',
      columns: [
        { header: 'Mark', width: 0.2 },
        { header: 'What it means', width: 0.8 },
      ],
      rows: definition.scale.map((m) => [`${m.value} ${m.label}`, m.descriptor]),
    },
    {
      kind: 'table',
      caption: 'Award criteria and their relative importance',
      columns: [
        { header: 'Criterion', width: 0.46 },
        { header: 'Published weight', width: 0.16, align: 'right' },
        { header: 'Weight applied', width: 0.16, align: 'right' },
        { header: 'Scores available', width: 0.22, align: 'right' },
      ],
      rows: [
        ...sections.map((s) => [
          titled(s.ref, s.title),
          String(s.weight),
          s.effectiveWeight !== null ? fixed2(s.effectiveWeight) : s.visible ? 'Not scored' : 'Does not apply',
          s.effectiveWeight !== null ? '0 to 100' : '–',
        ]),
        ['Total', String(published), appliedTotal.toFixed(2), ''],
      ],
    },
    ...(rescaled ? [{ kind: 'paragraph', text: rescaled } as Block] : []),
    ...(applied.length > 0 && Math.abs(appliedTotal - 100) >= 0.005
      ? [{ kind: 'paragraph', tone: 'muted', text: `The weights applied are rounded to two decimals, so the ones shown add up to ${appliedTotal.toFixed(2)} rather than 100.` } as Block]
      : []),
    {
      kind: 'paragraph',
      text: `The full methodology (how each question is marked, what each mark means for each written answer, the gateways and the weights) is published, without signing in, at ${input.methodologyUrl}`,
    },
  ];
}

function scoresTable({ caption, whose, sections }: { caption: string; whose: string; sections: Array<{ title: string; effectiveWeight: number | null; score: number | null; points: number | null }> }): Extract<Block, { kind: 'table' }> {
  return {
    kind: 'table',
    caption,
    columns: [
      { header: 'Criterion', width: 0.46 },
      { header: 'Weight applied', width: 0.16, align: 'right' },
      { header: `${whose} score /100`, width: 0.19, align: 'right' },
      { header: `${whose} points`, width: 0.19, align: 'right' },
    ],
    rows: sections.map((s) => [s.title, fixed2(s.effectiveWeight), fixed1(s.score), fixed2(s.points)]),
  };
}

function winnerBlocks(input: AssessmentSummaryInput, winner: NonNullable<AssessmentSummaryInput['decision']['winner']>): Block[] {
  const { evaluation, definition } = input;
  const sections = visibleSections(evaluation);
  const theirs = (key: string) => winner.sections.find((x) => x.key === key);
  const rows = sections.map((s) => ({ title: titled(s.ref, s.title), effectiveWeight: theirs(s.key)?.effectiveWeight ?? null, score: theirs(s.key)?.score ?? null, points: theirs(s.key)?.weightedContribution ?? null }));
  const table = scoresTable({ caption: 'Scores of the most advantageous tender', whose: 'Its', sections: rows });
  table.rows.push(['Total', '', '', fixed1(winner.overallScore)]);
  const ahead = sections.filter((s) => (theirs(s.key)?.score ?? null) !== null && (s.score ?? 0) < theirs(s.key)!.score!);
  const behind = sections.filter((s) => s.score !== null && (theirs(s.key)?.score ?? null) !== null && s.score > theirs(s.key)!.score!);
  const questions = questionsOf(definition);
  const questionsAhead = evaluation.questions.flatMap((q) => {
    const other = winner.questions.find((x) => x.key === q.key)?.score ?? null;
    const question = questions.get(q.key);
    // Only questions both tenders were marked on: one asked of it alone would say which answer it gave to another question.
    if (other === null || !question || question.scoring.method === 'none' || (q.status !== 'scored' && q.status !== 'unanswered') || (q.score ?? 0) >= other) return [];
    return [`${asSentence(titled(q.ref, question.text))} It scored ${markLabel(definition, other)}; yours ${markLabel(definition, q.score ?? 0)}.`];
  });
  return [
    { kind: 'heading', level: 2, text: 'How the most advantageous tender was assessed', bookmark: true },
    {
      kind: 'paragraph',
      text: `The most advantageous tender, from ${winner.supplierName}, was assessed against the same criteria, weights and methodology. Its scores are below; none of its answers is reproduced here.`,
    },
    table,
    { kind: 'paragraph', tone: 'muted', text: addsUpWords({ parts: rows.map((r) => r.points), total: winner.overallScore, what: 'points' }) },
    {
      kind: 'paragraph',
      text:
        ahead.length > 0
          ? 'Its relative advantages: it scored higher than your tender on these criteria:'
          : 'It did not score higher than your tender on any single criterion; its advantage is in the total.',
    },
    ...(ahead.length > 0 ? [{ kind: 'list', items: ahead.map((s) => `${titled(s.ref, s.title)}: it scored ${fixed1(theirs(s.key)!.score)} out of 100; yours ${fixed1(s.score)}.`) } as Block] : []),
    ...(questionsAhead.length > 0 ? [{ kind: 'paragraph', text: 'The questions on which it scored higher than yours:' } as Block, { kind: 'list', items: questionsAhead } as Block] : []),
    ...(behind.length > 0 ? [{ kind: 'paragraph', text: `Your tender scored higher on ${joinedWords(behind.map((s) => titled(s.ref, s.title)))}.` } as Block] : []),
  ];
}

/** Reg. 31(3)(c): why the contract is not awarded to this supplier, in plain words. */
function notAwardedBlocks(input: AssessmentSummaryInput, questions: Map<string, Question>): Block[] {
  const { evaluation, decision } = input;
  const winner = decision.winner;
  const failed = evaluation.gateways.filter((g) => g.outcome === 'fail');
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Why the contract is not awarded to you', bookmark: true }];
  if (decision.outcome === 'no_award') {
    blocks.push({ kind: 'paragraph', text: `The council decided not to award a contract to any supplier. The council’s reason: ${decision.rationale}` });
    return blocks;
  }
  if (failed.length > 0) {
    blocks.push(
      { kind: 'paragraph', text: `Your tender could not be awarded the contract because it did not pass ${failed.length === 1 ? 'a gateway' : `${failed.length} gateways`}, whatever its score:` },
      { kind: 'list', items: failed.map((g) => gatewayLine(input, questions, g)) },
    );
  } else if (input.rank === null) {
    blocks.push({ kind: 'paragraph', text: 'Your tender could not be ranked, so it could not be awarded the contract; the gateways below say why.' });
  }
  if (winner) {
    const margin = winner.overallScore !== null && evaluation.overallScore !== null ? ` ${(winner.overallScore - evaluation.overallScore).toFixed(1)} points more than yours` : '';
    blocks.push({
      kind: 'paragraph',
      text: `The contract goes to the most advantageous tender: the highest total score among the tenders that passed every gateway. That was the tender from ${winner.supplierName}, with ${score100(winner.overallScore)}${margin ? `,${margin}` : ''}.${input.rank !== null ? ` Your tender scored ${score100(evaluation.overallScore)} and ranked ${input.rank} of ${input.rankedCount}.` : ''}`,
    });
  }
  return blocks;
}

export function assessmentSummary(input: AssessmentSummaryInput): ReportDocument {
  const { evaluation, definition, procurement, decision } = input;
  const questions = questionsOf(definition);
  const separate = (g: GatewayEvaluation) => questions.get(g.questionKey)?.gateway?.separateFromAward === true;
  const awardGateways = evaluation.gateways.filter((g) => !separate(g));
  const separateGateways = evaluation.gateways.filter(separate);
  const sections = visibleSections(evaluation);
  const winner = decision.winner;
  const createdAt = [input.computedAt, decision.decidedAt].sort().at(-1)!;
  const outcome =
    decision.outcome === 'no_award'
      ? 'The council decided not to award a contract.'
      : decision.successful
        ? 'Your tender was successful: the council intends to award you the contract.'
        : `Your tender was not successful. The council intends to award the contract to ${winner?.supplierName ?? 'another supplier'}.`;
  const detail = (value: string | null) => (value && value.trim() !== '' ? value.trim() : NOT_PROVIDED);
  const yours = sections.map((s) => ({ title: titled(s.ref, s.title), effectiveWeight: s.effectiveWeight, score: s.score, points: s.weightedContribution }));
  const yourTable = scoresTable({ caption: 'Your scores by criterion', whose: 'Your', sections: yours });
  yourTable.rows.push(['Total', '', '', fixed1(evaluation.overallScore)]);

  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Assessment summary: ${input.supplierName}`, bookmark: true },
    {
      kind: 'paragraph',
      text: 'This is the assessment summary of your tender under section 50(3) of the Procurement Act 2023, with what regulation 31 of the Procurement Regulations 2024 requires: who you are, the award criteria with their relative importance and how they were assessed, your score for each criterion and each question in it with the reasons by reference to your tender, and your total. It contains your own answers, including any you marked commercially confidential, and no other supplier’s answers.',
    },
    {
      kind: 'facts',
      rows: [
        ['Council', input.council],
        ['Procurement', procurement.title],
        ['Reference', referenceOf(procurement)],
        ['Outcome', outcome],
        ['Decided', ukDayTime(decision.decidedAt)],
        ['Your total score', score100(evaluation.overallScore)],
        ['Your rank', input.rank === null ? 'Not ranked (a gateway was not passed)' : `${input.rank} of ${input.rankedCount} ranked tenders`],
        ...(winner ? [['Most advantageous tender’s total score', score100(winner.overallScore)] as [string, string]] : []),
      ],
    },
    { kind: 'heading', level: 2, text: 'The supplier', bookmark: true },
    {
      kind: 'facts',
      rows: [
        ['Supplier name', input.supplierName],
        ['Legal name', detail(input.supplier.legalName)],
        ['Contact postal address', detail(input.supplier.postalAddress)],
        ['Contact email address', detail(input.supplier.email)],
        ['Unique identifier (Central Digital Platform)', detail(input.supplier.identifier)],
      ],
    },
    ...criteriaBlocks(input),
    { kind: 'heading', level: 2, text: 'Your scores', bookmark: true },
    yourTable,
    { kind: 'paragraph', tone: 'muted', text: addsUpWords({ parts: yours.map((s) => s.points), total: evaluation.overallScore, what: 'points' }) },
    { kind: 'heading', level: 2, text: 'Gateways (pass or fail)', bookmark: true },
    awardGateways.length === 0 ? { kind: 'paragraph', text: 'No gateway applied to your tender.' } : { kind: 'list', items: awardGateways.map((g) => gatewayLine(input, questions, g)) },
  ];
  // Exclusion grounds and conflicts of interest are not award criteria under the Act: said apart, so nobody reads them as part of the assessment.
  if (separateGateways.length > 0)
    blocks.push(
      { kind: 'heading', level: 2, text: 'Checked separately from the award criteria', bookmark: true },
      {
        kind: 'paragraph',
        text: 'Exclusion grounds (Part 3 of the Procurement Act 2023) and conflicts of interest (sections 81 to 83) are checked separately from the award criteria. They are listed here for completeness; they are not part of how your tender was scored.',
      },
      { kind: 'list', items: separateGateways.map((g) => gatewayLine(input, questions, g)) },
    );

  if (!decision.successful) blocks.push(...notAwardedBlocks(input, questions));
  if (winner) blocks.push(...winnerBlocks(input, winner));

  blocks.push({ kind: 'heading', level: 1, text: 'Reasons, criterion by criterion', bookmark: true });
  blocks.push({
    kind: 'paragraph',
    text: 'For each criterion, each question (sub-criterion) with your answer, the mark it was given and why. For a written answer the reasons are the evaluators’ own, with what the mark means for that question and what the next mark up needed.',
  });
  for (const section of sections) {
    const defined = definition.sections.find((s) => s.key === section.key);
    const scored = (defined?.questions ?? [])
      .map((question) => ({ question, q: evaluation.questions.find((x) => x.key === question.key) }))
      .filter((x): x is { question: Question; q: QuestionEvaluation } => x.q !== undefined && x.q.status !== 'hidden' && x.q.status !== 'not_scored');
    blocks.push(
      { kind: 'heading', level: 2, text: titled(section.ref, section.title), bookmark: true },
      {
        kind: 'paragraph',
        text: `Your score for this criterion: ${score100(section.score)}${section.effectiveWeight !== null ? `; weight applied ${fixed2(section.effectiveWeight)}, so ${fixed2(section.weightedContribution)} points` : ''}.`,
      },
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
