import type { Evaluation } from '../scoring';
import { ukDayTime } from '../../platform/format';
import { MARKING, type Block, type ReportDocument } from './reports.document';
import { type ComparisonRow, type ComparisonReportInput, RATING_WORDS, RISK_WORDS, STATUS_WORDS, fixed1, fileNameOf, titled, referenceOf, gatewaySummary } from './reports.shared';
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
