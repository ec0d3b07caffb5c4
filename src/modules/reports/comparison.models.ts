import type { Question, QuestionnaireDefinition } from '../questionnaires';
import type { Evaluation, GatewayEvaluation, MarkChange, RankingRobustness, Standing, WeightChange } from '../scoring';
import { ukDay, ukDayTime } from '../../platform/format';
import { MARKING, type Block, type ReportDocument } from './reports.document';
import { type ComparisonRow, type ComparisonReportInput, RATING_WORDS, RISK_WORDS, STATUS_WORDS, fixed1, fileNameOf, titled, questionsOf, referenceOf, gatewaySummary } from './reports.shared';
// ───────────────────────────────────────────── the comparison report (the board's decision paper)

/** Suppliers per table, so columns stay readable on A4. */
const PER_TABLE = 5;

/** At most this many changes that would change the winner are listed one by one; the count says how many there are. */
const CHANGES_LISTED = 20;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type Evaluated = ComparisonRow & { evaluation: Evaluation; computedAt: string };

/** Why a response is not ranked, in the words every table and the chart use; null when it is ranked. */
export type Unranked = { short: 'disqualified' | 'not ranked'; why: string };

const listed = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** A question cut to a short label at a word boundary, for a row heading. */
export function shortText(text: string, max = 80): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

const gatewayName = (g: GatewayEvaluation, questions: Map<string, Question>) => g.ref ?? `“${shortText(questions.get(g.questionKey)?.text ?? g.questionKey, 40)}”`;

/**
 * Why an evaluated response has no rank: a failed gateway disqualifies it; a gateway awaiting the
 * moderator's decision, or no overall score, leaves it not ranked (yet).
 */
export function unrankedOf(row: Pick<ComparisonRow, 'rank'> & { evaluation: Evaluation }, questions: Map<string, Question>): Unranked | null {
  if (row.rank !== null) return null;
  const named = (gateways: GatewayEvaluation[]) => gateways.map((g) => gatewayName(g, questions));
  const failed = row.evaluation.gateways.filter((g) => g.outcome === 'fail');
  if (failed.length > 0) return { short: 'disqualified', why: `${failed.length === 1 ? 'gateway' : 'gateways'} ${listed(named(failed))} failed` };
  const pending = row.evaluation.gateways.filter((g) => g.outcome === 'pending');
  if (pending.length > 0) return { short: 'not ranked', why: `${pending.length === 1 ? 'gateway' : 'gateways'} ${listed(named(pending))} ${pending.length === 1 ? 'awaits' : 'await'} a decision` };
  if (row.evaluation.overallScore === null) return { short: 'not ranked', why: 'no overall score' };
  return { short: 'not ranked', why: 'not ranked' };
}

/** The supplier as a column heading or chart label: its name, and "(disqualified)" or "(not ranked)" when so. */
const headerOf = (row: Evaluated, unranked: Unranked | null) => (unranked ? `${row.supplierName} (${unranked.short})` : row.supplierName);
/** The supplier with the reason it is not ranked, where there is room for it. */
const fullNameOf = (row: Evaluated, unranked: Unranked | null) => (unranked ? `${row.supplierName} (${unranked.why === unranked.short ? unranked.short : `${unranked.short}: ${unranked.why}`})` : row.supplierName);
const capital = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** Provisional, complete, or finalised by whom and when: the evaluation's status as the results page says it. */
export function statusWords(row: Pick<ComparisonRow, 'finalisation'> & { evaluation: Evaluation }): string {
  const outstanding = row.evaluation.outstanding.length;
  if (row.evaluation.provisional) return `Provisional: ${outstanding} ${outstanding === 1 ? 'item' : 'items'} outstanding`;
  if (row.finalisation) return `Finalised by ${row.finalisation.by}, ${ukDay(row.finalisation.at)}`;
  return 'Complete, not finalised by the moderator';
}

const GATE_WORDS: Record<GatewayEvaluation['outcome'], string> = { pass: 'Pass', fail: 'Fail', conditional: 'Conditional', pending: 'Awaiting decision' };

const points = (n: number) => n.toFixed(2);
const plain = (n: number) => String(Math.round(n * 100) / 100);
const round1 = (n: number) => Math.round(Number((n * 10).toPrecision(12))) / 10;

export function comparisonReport(input: ComparisonReportInput): ReportDocument {
  const { procurement, definition } = input;
  const questions = questionsOf(definition);
  const evaluated = input.rows.filter((r): r is Evaluated => r.evaluation !== null && r.computedAt !== null);
  const unranked = new Map(evaluated.map((r) => [r, unrankedOf(r, questions)]));
  const header = (r: Evaluated) => headerOf(r, unranked.get(r)!);
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
        ['Ranked', rankedWords(evaluated, unranked)],
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
        { header: 'Rank', width: 0.07, align: 'right' },
        { header: 'Supplier', width: 0.25 },
        { header: 'Overall /100', width: 0.1, align: 'right' },
        { header: 'Rating', width: 0.16 },
        { header: 'Gateways', width: 0.2 },
        { header: 'Status', width: 0.22 },
      ],
      rows: evaluated.map((r) => [
        r.rank === null ? '–' : String(r.rank),
        fullNameOf(r, unranked.get(r)!),
        fixed1(r.evaluation.overallScore),
        RATING_WORDS[r.evaluation.rating],
        gatewaySummary(r.evaluation),
        statusWords(r),
      ]),
    },
    {
      kind: 'paragraph',
      tone: 'muted',
      text: 'Rank counts only responses that passed every gateway (a conditional pass counts), highest overall score first; equal scores share a rank. A dash means not ranked: a failed gateway disqualifies a response whatever its score, and one awaiting the moderator’s decision keeps it unranked until then.',
    },
    overallChart(evaluated, unranked),
  );

  if (input.robustness) blocks.push(...robustnessSection(input.robustness, evaluated, definition));

  blocks.push(...gatewayMatrix(evaluated, definition, header));

  const visible = definition.sections.filter((s) => evaluated.some((r) => r.evaluation.sections.find((x) => x.key === s.key)?.visible));
  blocks.push({ kind: 'heading', level: 2, text: 'Section scores', bookmark: true });
  for (const group of chunks(evaluated, PER_TABLE))
    blocks.push({
      kind: 'table',
      caption: 'Section scores out of 100',
      columns: [{ header: 'Section', width: 0.3 }, { header: 'Weight', width: 0.08, align: 'right' }, ...group.map((r) => ({ header: header(r), width: 0.62 / PER_TABLE, align: 'right' as const }))],
      rows: visible.map((s) => [
        titled(s.ref, s.title),
        String(group[0]!.evaluation.sections.find((x) => x.key === s.key)?.weight ?? 0),
        ...group.map((r) => fixed1(r.evaluation.sections.find((x) => x.key === s.key)?.score ?? null)),
      ]),
    });

  blocks.push(...weightedPoints(evaluated, visible, header), ...residualRisks(evaluated, visible, header, procurement.riskTier));

  for (const section of visible) {
    blocks.push({ kind: 'heading', level: 1, text: titled(section.ref, section.title), bookmark: true });
    for (const group of chunks(evaluated, PER_TABLE))
      blocks.push({
        kind: 'table',
        caption: `Question scores in ${section.title} (0 to 4)`,
        columns: [{ header: 'Question', width: 0.38 }, ...group.map((r) => ({ header: header(r), width: 0.62 / PER_TABLE, align: 'right' as const }))],
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

function rankedWords(evaluated: readonly Evaluated[], unranked: Map<Evaluated, Unranked | null>): string {
  const ranked = evaluated.filter((r) => unranked.get(r) === null).length;
  const disqualified = evaluated.filter((r) => unranked.get(r)?.short === 'disqualified').length;
  const waiting = evaluated.length - ranked - disqualified;
  return [`${ranked} of ${evaluated.length}`, disqualified > 0 ? `${disqualified} disqualified` : '', waiting > 0 ? `${waiting} not ranked yet` : ''].filter(Boolean).join('; ');
}

/**
 * The overall scores as bars. A response that is not ranked gets no bar (a disqualified tender's
 * score is often the highest, and a bar would read as the winner): its row says why instead.
 */
function overallChart(evaluated: readonly Evaluated[], unranked: Map<Evaluated, Unranked | null>): Block {
  const noteOf = (r: Evaluated, u: Unranked) => `${capital(u.short)}${u.why === u.short ? '' : `: ${u.why}`}.${r.evaluation.overallScore === null ? '' : ` Its score of ${fixed1(r.evaluation.overallScore)} does not count${u.short === 'disqualified' ? '' : ' yet'}.`}`;
  const altOf = (r: Evaluated) => {
    const u = unranked.get(r)!;
    const score = r.evaluation.overallScore === null ? 'no score' : r.evaluation.overallScore.toFixed(1);
    return u ? `${r.supplierName}: ${u.short}${u.why === u.short ? '' : ` (${u.why})`}, scored ${score}, no bar drawn` : `${r.supplierName}: ${score}`;
  };
  return {
    kind: 'barChart',
    max: 100,
    bars: evaluated.map((r) => {
      const u = unranked.get(r)!;
      return u ? { label: headerOf(r, u), value: r.evaluation.overallScore, note: noteOf(r, u) } : { label: r.supplierName, value: r.evaluation.overallScore };
    }),
    alt: `Bar chart of overall scores out of 100. ${evaluated.map(altOf).join('; ')}.`,
  };
}

/** Every gateway that applies to any response, one row each, with each supplier's outcome. */
function gatewayMatrix(evaluated: readonly Evaluated[], definition: QuestionnaireDefinition, header: (r: Evaluated) => string): Block[] {
  const applying = new Set(evaluated.flatMap((r) => r.evaluation.gateways.map((g) => g.questionKey)));
  const gateways = definition.sections.flatMap((s) => s.questions).filter((q) => applying.has(q.key));
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Gateways', bookmark: true }];
  if (gateways.length === 0) return [...blocks, { kind: 'paragraph', text: 'No gateway applies to any response.' }];
  // The explanation follows the tables, so the heading stays with its first table.
  const explanation: Block = {
    kind: 'paragraph',
    text: 'A gateway is a pass or fail test: a failed gateway disqualifies a response whatever its score; a conditional pass counts as passed, on the conditions the moderator recorded; a gateway awaiting a decision keeps the response unranked until the moderator decides it. Not applicable: the gateway does not apply to that response (its question is not asked, or the risk tier is below the gateway’s).',
  };
  for (const group of chunks(evaluated, PER_TABLE)) {
    const emphasis: Array<[number, number]> = [];
    const rows = gateways.map((q, row) => [
      titled(q.ref, shortText(q.text)),
      ...group.map((r, col) => {
        const g = r.evaluation.gateways.find((x) => x.questionKey === q.key);
        if (g?.outcome === 'fail') emphasis.push([row, col + 1]);
        return g ? GATE_WORDS[g.outcome] : 'Not applicable';
      }),
    ]);
    blocks.push({ kind: 'table', caption: 'Gateway outcomes by supplier', columns: [{ header: 'Gateway', width: 0.38 }, ...group.map((r) => ({ header: header(r), width: 0.62 / PER_TABLE }))], rows, emphasis });
  }
  return [...blocks, explanation];
}

/** Each section's points towards the overall score: its score times its weight (rescaled when a section has no score). */
function weightedPoints(evaluated: readonly Evaluated[], visible: QuestionnaireDefinition['sections'], header: (r: Evaluated) => string): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Weighted points by section', bookmark: true }];
  const shown = (r: Evaluated) => r.evaluation.sections.filter((s) => s.weightedContribution !== null).reduce((sum, s) => sum + Number(points(s.weightedContribution!)), 0);
  for (const group of chunks(evaluated, PER_TABLE))
    blocks.push({
      kind: 'table',
      caption: 'Weighted points by section',
      columns: [{ header: 'Section', width: 0.3 }, { header: 'Weight', width: 0.08, align: 'right' }, ...group.map((r) => ({ header: header(r), width: 0.62 / PER_TABLE, align: 'right' as const }))],
      rows: [
        ...visible.map((s) => [
          titled(s.ref, s.title),
          String(group[0]!.evaluation.sections.find((x) => x.key === s.key)?.weight ?? 0),
          ...group.map((r) => {
            const e = r.evaluation.sections.find((x) => x.key === s.key);
            return e && e.weightedContribution !== null && e.effectiveWeight !== null ? `${points(e.weightedContribution)} of ${plain(e.effectiveWeight)}` : '–';
          }),
        ]),
        ['Total', '', ...group.map((r) => (r.evaluation.overallScore === null ? '–' : points(shown(r))))],
      ],
    });
  const apart = evaluated.filter((r) => r.evaluation.overallScore !== null && round1(shown(r)) !== r.evaluation.overallScore);
  // Sections not asked for this use case keep a weight in the procurement; say where it went, so the weights shown need not add up to 100 unexplained.
  const sections = evaluated[0]!.evaluation.sections;
  const shownWeight = visible.reduce((sum, v) => sum + (sections.find((s) => s.key === v.key)?.weight ?? 0), 0);
  const left = sections.filter((s) => s.weight > 0 && !visible.some((v) => v.key === s.key));
  const rescaled =
    left.length === 0
      ? ''
      : `The weights shown add up to ${plain(shownWeight)}, not 100: ${listed(left.map((s) => titled(s.ref, s.title)))} ${left.length === 1 ? 'is' : 'are'} not asked for this use case, so ${left.length === 1 ? 'its weight is' : 'their weights are'} shared among the sections shown, each scaled by 100 / ${plain(shownWeight)}. `;
  blocks.push({
    kind: 'paragraph',
    text: `${rescaled}Each section’s points are its score out of 100 times its weight, out of the points its weight makes available (the weights of sections without a score are shared among the others, so a supplier’s available points can differ). Points are rounded to two decimals; each total, rounded to one decimal, is the overall score${apart.length === 0 ? '.' : `, except where rounding the parts moves it: ${apart.map((r) => `${r.supplierName}’s points shown add up to ${points(shown(r))}, and its overall score, from the unrounded points, is ${fixed1(r.evaluation.overallScore)}`).join('; ')}.`}`,
  });
  return blocks;
}

/** Each section's residual risk (what is left after the supplier's controls) per supplier, critical sections marked. */
function residualRisks(evaluated: readonly Evaluated[], visible: QuestionnaireDefinition['sections'], header: (r: Evaluated) => string, tier: ComparisonReportInput['procurement']['riskTier']): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Residual risk by section', bookmark: true }];
  const explanation: Block = {
    kind: 'paragraph',
    text: `Residual risk is the risk left once the supplier’s answers and controls are taken into account: each section’s score read at the procurement’s inherent risk tier (${RISK_WORDS[tier].toLowerCase()}). A critical section’s residual risk limits the overall rating. A dash means the section has no score.`,
  };
  for (const group of chunks(evaluated, PER_TABLE)) {
    const emphasis: Array<[number, number]> = [];
    const serious = (risk: string | null) => risk === 'high' || risk === 'very_high';
    const rows = [
      ...visible.map((s, row) => {
        const critical = group.some((r) => r.evaluation.sections.find((x) => x.key === s.key)?.critical);
        return [
          `${titled(s.ref, s.title)}${critical ? ' (critical)' : ''}`,
          ...group.map((r, col) => {
            const risk = r.evaluation.sections.find((x) => x.key === s.key)?.residualRisk ?? null;
            if (serious(risk)) emphasis.push([row, col + 1]);
            return risk ? RISK_WORDS[risk] : '–';
          }),
        ];
      }),
      [
        'Overall',
        ...group.map((r, col) => {
          if (serious(r.evaluation.overallResidualRisk)) emphasis.push([visible.length, col + 1]);
          return r.evaluation.overallResidualRisk ? RISK_WORDS[r.evaluation.overallResidualRisk] : '–';
        }),
      ],
    ];
    blocks.push({ kind: 'table', caption: 'Residual risk by section', columns: [{ header: 'Section', width: 0.38 }, ...group.map((r) => ({ header: header(r), width: 0.62 / PER_TABLE }))], rows, emphasis });
  }
  return [...blocks, explanation];
}

// ───────────────────────────────────────────── robustness of the ranking

const namesOf = (standings: readonly Standing[]) => listed(standings.map((s) => s.name));
const pointsWord = (n: number) => `${n.toFixed(1)} points`;

function markChangeWords(change: MarkChange, questions: Map<string, Question>): string {
  const q = questions.get(change.questionKey);
  return `${change.name}’s mark for ${q?.ref ? `question ${q.ref}` : `“${shortText(q?.text ?? change.questionKey, 50)}”`} from ${change.from} to ${change.to}`;
}

function weightChangeWords(change: WeightChange, definition: QuestionnaireDefinition): string {
  const section = definition.sections.find((s) => s.key === change.sectionKey);
  return `the weight of ${section?.ref ? `section ${section.ref} (${section.title})` : `“${section?.title ?? change.sectionKey}”`} from ${plain(change.from)} to ${plain(change.to)}`;
}

const firstWords = (first: readonly Standing[]) => (first.length === 1 ? `${first[0]!.name} first (${first[0]!.score.toFixed(1)})` : `${namesOf(first)} tie for first (${first[0]!.score.toFixed(1)})`);

/** The one sentence the board reads: is the winner safe from one mark or one weight, and by what margin. */
export function robustnessSentence(robustness: RankingRobustness, definition: QuestionnaireDefinition): string {
  if (!robustness.applies)
    return robustness.ranked === 0
      ? 'Robustness does not apply: no response is ranked, so there is no winner to test.'
      : 'Robustness does not apply: only one response is ranked, so there is no other ranked response a change could put first.';
  const questions = questionsOf(definition);
  const { first, marks, weights, margin } = robustness;
  const what = [
    marks.changing.length > 0 ? `${marks.changing.length} of ${marks.tried} single mark changes of one point (such as ${markChangeWords(marks.changing[0]!, questions)})` : '',
    weights.changing.length > 0 ? `${weights.changing.length} of ${weights.tried} section weight changes of 20% (such as ${weightChangeWords(weights.changing[0]!, definition)})` : '',
  ].filter(Boolean);
  if (first.length > 1) {
    const tie = `There is no single winner: ${namesOf(first)} share first place with ${first[0]!.score.toFixed(1)} points`;
    return what.length === 0 ? `${tie}, and no single mark change of one point and no section weight change of 20% breaks the tie.` : `${tie}; ${listed(what)} would break the tie.`;
  }
  const winner = first[0]!.name;
  if (what.length === 0) return `The ranking is robust: no single mark change of one point and no section weight change of 20% changes the winner, ${winner} (margin ${pointsWord(margin)}).`;
  return `The ranking is not robust: ${listed(what)} would change the winner, ${winner} (margin ${pointsWord(margin)}).`;
}

function robustnessSection(robustness: RankingRobustness, evaluated: readonly Evaluated[], definition: QuestionnaireDefinition): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Robustness of the ranking', bookmark: true },
    { kind: 'paragraph', tone: 'strong', text: robustnessSentence(robustness, definition) },
  ];
  if (!robustness.applies) return blocks;
  const questions = questionsOf(definition);
  const { first, next, marks, weights, margin } = robustness;
  blocks.push(
    {
      kind: 'facts',
      rows: [
        [first.length === 1 ? 'First' : 'First (tied)', `${namesOf(first)}, ${first[0]!.score.toFixed(1)}`],
        ['Next', next.length === 0 ? 'None' : `${namesOf(next)}, ${next[0]!.score.toFixed(1)}`],
        ['Winning margin', first.length === 1 ? pointsWord(margin) : 'None: a tie'],
      ],
    },
    {
      kind: 'table',
      caption: 'Changes tried, one at a time',
      columns: [
        { header: 'Change', width: 0.58 },
        { header: 'Tried', width: 0.12, align: 'right' },
        { header: first.length === 1 ? 'Would change the winner' : 'Would break the tie', width: 0.3, align: 'right' },
      ],
      rows: [
        ['One moderated mark of a ranked response one point lower or higher (within 0 to 4)', String(marks.tried), marks.changing.length === 0 ? 'None' : String(marks.changing.length)],
        ['One section weight 20% lower or higher, the other weights rescaled so they still add up to 100', String(weights.tried), weights.changing.length === 0 ? 'None' : String(weights.changing.length)],
      ],
    },
  );
  const changes = [
    ...marks.changing.map((c) => [capital(markChangeWords(c, questions)), `${c.name}: ${c.before.toFixed(1)} to ${fixed1(c.after)}`, firstWords(c.first)]),
    ...weights.changing.map((c) => [capital(weightChangeWords(c, definition)), 'Every supplier’s score moves', firstWords(c.first)]),
  ];
  if (changes.length > 0) {
    blocks.push({
      kind: 'table',
      caption: first.length === 1 ? 'Changes that would change the winner' : 'Changes that would break the tie',
      columns: [
        { header: 'Change', width: 0.45 },
        { header: 'Overall score', width: 0.25 },
        { header: 'Then', width: 0.3 },
      ],
      rows: changes.slice(0, CHANGES_LISTED),
    });
    if (changes.length > CHANGES_LISTED) blocks.push({ kind: 'paragraph', tone: 'muted', text: `And ${changes.length - CHANGES_LISTED} more changes like these.` });
  }
  const provisional = evaluated.filter((r) => r.rank !== null && r.evaluation.provisional);
  blocks.push({
    kind: 'paragraph',
    tone: 'muted',
    text: [
      'Each change is tried alone on the moderated marks recorded for the ranked responses (consensus marks and overrides of an automatic score), and the response is scored again by the same method, evidence caps and rounding included. A section weight is changed by a fifth of itself (40 becomes 32 or 48), the same for every supplier. Responses that are not ranked are left out: a mark or a weight cannot change a gateway.',
      provisional.length > 0 ? `Marks still to be given are not tried: the evaluations of ${listed(provisional.map((r) => r.supplierName))} are provisional.` : '',
    ]
      .filter(Boolean)
      .join(' '),
  });
  return blocks;
}
