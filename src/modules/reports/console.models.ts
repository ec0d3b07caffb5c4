import type { ProcurementEvaluations } from '../scoring';

/**
 * The officer console's reports page as a pure view model: each report and export with its
 * address, or, when it cannot be produced yet, what it waits for. The use cases decide; the page
 * only offers links that would work now.
 */

export const reportsHref = (procurementId: string) => `/procurements/${procurementId}/reports`;

type Item = { name: string; href: string | null; format: string; description: string; waiting: string | null };

export function reportsList({ all, exports }: { all: Pick<ProcurementEvaluations, 'procurement' | 'items' | 'evaluations' | 'decision'>; exports: boolean }): {
  procurementReports: Item[];
  responseReports: Array<{ supplierName: string; items: Item[] }>;
  exportFiles: Item[];
} {
  const base = reportsHref(all.procurement.id);
  const evaluated = all.items.filter((item) => item.status === 'submitted' && all.evaluations.has(item.responseId));
  const decided = all.decision !== null;
  return {
    procurementReports: [
      {
        name: 'Comparison of all responses',
        format: 'PDF',
        description: 'Every evaluated response side by side: overall score, rating, gateways and rank, then section and question scores.',
        href: evaluated.length > 0 ? `${base}/comparison.pdf` : null,
        waiting: evaluated.length > 0 ? null : 'Available once a submitted response has been evaluated.',
      },
    ],
    responseReports: evaluated.map((item) => ({
      supplierName: item.supplierName,
      items: [
        {
          name: `Evaluation report: ${item.supplierName}`,
          format: 'PDF',
          description: 'Scores with their working, answers (confidential ones marked), evaluators’ and moderated marks, clarifications, amended answers, integrity flags and who did what.',
          href: `${base}/responses/${item.responseId}/evaluation-report.pdf`,
          waiting: null,
        },
        {
          name: `Assessment summary: ${item.supplierName}`,
          format: 'PDF',
          description: 'For sending to the bidder: its own answers (its confidential ones marked), scores and reasons, and how the most advantageous tender scored, never another bidder’s answers.',
          href: decided ? `${base}/responses/${item.responseId}/assessment-summary.pdf` : null,
          waiting: decided ? null : 'Available once the decision is recorded.',
        },
      ],
    })),
    exportFiles: exports
      ? [
          { name: 'Results', format: 'CSV', description: 'One row per response and section: rank, score, rating, gateways, the section’s weight and score. For Excel: formulas are never run.', href: `${base}/results.csv`, waiting: null },
          { name: 'Comparison workbook', format: 'XLSX', description: 'Section and question scores of every evaluated response, one sheet each, for Excel.', href: `${base}/comparison.xlsx`, waiting: null },
        ]
      : [],
  };
}
