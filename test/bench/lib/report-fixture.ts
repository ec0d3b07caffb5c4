// Scenario S3's data: evaluation-report inputs for suppliers of S2's 150-question questionnaire
// (test/bench/lib/scoring-fixture.ts), filled in as the service fills them: every answer with no
// comment and not confidential except a few, one evidence file per question the fixture gives
// evidence, two evaluators' marks on every manual question, the moderator's mark wherever the
// fixture has one, two clarifications and a trail of about twenty events. Fixed dates, so every run
// lays out exactly the same documents. Also the strings of a document in reading order, for the
// bare pdfkit render that is S3's floor.
import { createHash } from 'node:crypto';
import type { QuestionnaireDefinition } from '../../../src/modules/questionnaires';
import type { Block, ReportDocument } from '../../../src/modules/reports/reports.document';
import type { EvaluationReportInput, ReportAnswer, ReportClarification, ReportEvidence, ReportMark, ReportModeration, ReportTrailEvent } from '../../../src/modules/reports/reports.models';
import { evaluateResponse, type EvaluationInput } from '../../../src/modules/scoring';
import { supplierName as nameOf } from './procurement-setup';
import { seededRandom, type SupplierData } from './scoring-fixture';

export const COUNCIL = 'Example Borough Council';
export const REFERENCE = 'DD-2027-001';
const PROCUREMENT = {
  id: '6f1c2f0e-8a4b-4c1e-9d7a-2b5e3c4d5e6f',
  title: 'Resident contact assistant (AI)',
  reference: REFERENCE,
  riskTier: 'high' as const,
  riskTierReason: 'The system processes personal data.',
};
const EVALUATORS = ['Eve One', 'Evan Two'];
const MODERATOR = 'Mo Derator';
const OFFICER = 'Olu Officer';

/** The procurement's day: invitations at 09:00, submission, clarifications, marks and moderation after. */
const at = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2027, 2, day, hour, minute)).toISOString();

const JUSTIFICATIONS = [
  'The answer names the controls and who runs them, but gives no figures.',
  'Specific and consistent with the policy supplied as evidence.',
  'Partly answers the question: retention after contract end is not covered.',
  'Clear, with a named owner and a review date.',
  'Describes intentions rather than what the service does today.',
];

export type ReportInputs = { input: EvaluationReportInput; evidenceFiles: number; confidential: number; marks: number; moderations: number };

/** One supplier's evaluation-report input, from its fixture data and its engine input. */
export function evaluationReportInput(definition: QuestionnaireDefinition, supplier: SupplierData, engineInput: EvaluationInput, index: number): ReportInputs {
  const random = seededRandom(9_000 + index);
  const evaluation = evaluateResponse(engineInput);
  const supplierName = nameOf(index);
  const manual = definition.sections.flatMap((s) => s.questions).filter((q) => q.scoring.method === 'manual').map((q) => q.key);

  // A few answers marked commercially confidential: every tenth manual (long-text) question.
  const confidentialKeys = new Set(manual.filter((_, i) => i % 10 === 3));
  const answers: Record<string, ReportAnswer> = Object.fromEntries(
    Object.entries(supplier.answers).map(([key, value]) => [
      key,
      confidentialKeys.has(key)
        ? { value, comment: null, confidential: true, confidentialReason: 'Describes our proprietary model evaluation process.' }
        : { value, comment: null, confidential: false, confidentialReason: null },
    ]),
  );

  const evidence: ReportEvidence[] = Object.entries(supplier.evidence)
    .filter(([, files]) => files > 0)
    .map(([questionKey], n) => {
      const filename = `${questionKey.replace('.', '-')}-policy-v${1 + (n % 3)}.pdf`;
      return { questionKey, filename, sizeBytes: 40_000 + Math.floor(random() * 900_000), sha256: createHash('sha256').update(`${supplierName}/${filename}`).digest('hex') };
    });

  const marks: ReportMark[] = [];
  manual.forEach((questionKey, n) => {
    const consensus = supplier.marks[questionKey]?.score ?? 2;
    EVALUATORS.forEach((evaluator, e) => {
      const score = Math.max(0, Math.min(4, consensus + (e === 0 ? 0 : random() < 0.3 ? (random() < 0.5 ? -1 : 1) : 0)));
      marks.push({ questionKey, evaluator, score, justification: JUSTIFICATIONS[(n + e) % JUSTIFICATIONS.length]!, at: at(10 + e, 10, n % 60) });
    });
  });

  const moderations: ReportModeration[] = Object.entries(supplier.marks).map(([questionKey, mark], n) => ({
    questionKey,
    moderator: MODERATOR,
    score: mark.score,
    rationale: mark.rationale,
    at: at(13, 14, n % 60),
  }));

  const hoursKey = definition.sections[1]!.questions.find((q) => q.type === 'number')!.key;
  const narrativeKey = manual[4]!;
  const clarifications: ReportClarification[] = [
    { questionKey: hoursKey, question: 'Are those calendar hours or working hours?', askedAt: at(8, 11), reply: 'Calendar hours, weekends and bank holidays included.', repliedAt: at(8, 15, 30), amended: false },
    {
      questionKey: narrativeKey,
      question: 'Please say how long transcripts are kept after the contract ends.',
      askedAt: at(8, 11, 5),
      reply: 'Thirty days, then deleted; the deletion certificate is sent to the council.',
      repliedAt: at(9, 9, 40),
      amended: false,
    },
  ];

  const trail: ReportTrailEvent[] = [
    { at: at(1, 9), who: OFFICER, action: 'invitation.sent', details: {} },
    { at: at(4, 9), who: OFFICER, action: 'invitation.reminded', details: {} },
    { at: at(5, 16, 45), who: supplierName, action: 'response.submitted', details: {} },
    { at: at(8, 11), who: OFFICER, action: 'clarification.asked', details: { questionKey: hoursKey } },
    { at: at(8, 11, 5), who: OFFICER, action: 'clarification.asked', details: { questionKey: narrativeKey } },
    { at: at(8, 15, 30), who: supplierName, action: 'clarification.replied', details: { questionKey: hoursKey } },
    { at: at(9, 9, 40), who: supplierName, action: 'clarification.replied', details: { questionKey: narrativeKey } },
    ...[...EVALUATORS, MODERATOR].map((who, n) => ({ at: at(10, 9, n), who, action: 'evaluation.declared', details: { hasConflict: false } })),
    ...manual.slice(0, 4).flatMap((questionKey, n) =>
      EVALUATORS.map((who, e) => ({ at: at(10 + e, 10, n), who, action: 'evaluation.marked', details: { questionKey, score: marks.find((m) => m.questionKey === questionKey && m.evaluator === who)!.score } })),
    ),
    ...EVALUATORS.map((who, e) => ({ at: at(12, 17, e), who, action: 'evaluation.marks_submitted', details: {} })),
    ...moderations.slice(0, 3).map((m, n) => ({ at: at(13, 14, n), who: MODERATOR, action: 'evaluation.moderated', details: { questionKey: m.questionKey, score: m.score } })),
  ];

  return {
    input: {
      council: COUNCIL,
      procurement: PROCUREMENT,
      definition,
      supplierName,
      submittedAt: at(5, 16, 45),
      evaluation,
      computedAt: at(13, 15),
      answers,
      amended: [],
      evidence,
      marks,
      moderations,
      clarifications,
      amendments: [],
      integrityFlags: [],
      finalisation: null,
      conditions: [],
      trail,
      // The panel and three sign-offs, so the decision summary's sign-off block has signed and unsigned lines.
      panel: { evaluators: EVALUATORS.map((name, n) => ({ id: `evaluator-${n}`, name })), moderator: { id: 'moderator', name: MODERATOR } },
      approvals: [
        ...EVALUATORS.map((name, n) => ({ role: 'evaluator' as const, userId: `evaluator-${n}`, name, at: at(14, 9, n), comment: null })),
        { role: 'moderator' as const, userId: 'moderator', name: MODERATOR, at: at(14, 10), comment: 'Moderation complete.' },
      ],
    },
    evidenceFiles: evidence.length,
    confidential: confidentialKeys.size,
    marks: marks.length,
    moderations: moderations.length,
  };
}

/**
 * Every string the document shows, in reading order: each heading, paragraph, list item, facts
 * cell, table caption, header and cell, chart alternative text and bar label.
 */
export function documentStrings(document: ReportDocument): string[] {
  const out: string[] = [];
  const add = (block: Block) => {
    switch (block.kind) {
      case 'heading':
      case 'paragraph':
        out.push(block.text);
        break;
      case 'list':
        out.push(...block.items);
        break;
      case 'facts':
        for (const row of block.rows) out.push(...row);
        break;
      case 'table':
        out.push(block.caption, ...block.columns.map((c) => c.header));
        for (const row of block.rows) out.push(...row);
        break;
      case 'barChart':
        out.push(block.alt, ...block.bars.map((b) => b.label));
        break;
    }
  };
  document.blocks.forEach(add);
  return out;
}
