import { fileSize, ukDayTime } from '../../platform/format';
import type { Block, PdfDocument } from '../../platform/pdf';
import { filenameWithKind } from './evidence.models';
import { questionTitle, sectionTitle, type SupplierSection } from './responses.models';
import type { AnswerSnapshot, SubmittedEvidence } from './responses.table';
import { answerText } from './web.models';

/**
 * The supplier's receipt: what it submitted, laid out as a `PdfDocument` for `platform/pdf` to
 * draw. Pure: the frozen submission in, a document out, every date from the submission, so one
 * submission always gives the same file. A later clarification amendment is not in it.
 */

export type ReceiptInput = {
  council: string;
  procurement: { title: string; reference: string | null };
  supplierName: string;
  submission: { reference: string; submittedAt: string; answers: Record<string, AnswerSnapshot>; evidence: SubmittedEvidence[] };
  /** The sections and questions that were visible given the submitted answers. */
  sections: SupplierSection[];
};

export const RECEIPT_MARKING = 'COMMERCIAL IN CONFIDENCE';

/** One evidence file as a reader checks it: its name (and real kind), size and SHA-256. */
export const receiptFileLine = (f: SubmittedEvidence) => `${filenameWithKind(f)}, ${fileSize(f.sizeBytes)}. SHA-256: ${f.sha256}`;

export function receiptDocument({ council, procurement, supplierName, submission, sections }: ReceiptInput): PdfDocument {
  const title = `Receipt for your response: ${supplierName}, ${procurement.title}`;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: 'Receipt for your submitted response' },
    {
      kind: 'facts',
      rows: [
        ['Council', council],
        ['Procurement', procurement.title],
        ['Procurement reference', procurement.reference ?? 'None given'],
        ['Supplier', supplierName],
        ['Submission reference', submission.reference],
        ['Submitted at', ukDayTime(submission.submittedAt)],
      ],
    },
    {
      kind: 'paragraph',
      text: `This receipt lists your answers and evidence files exactly as you submitted them to ${council}. It does not change if you later amend an answer in reply to a question from the council.`,
    },
    { kind: 'paragraph', tone: 'muted', text: 'Each file’s SHA-256 is a fingerprint of its content: a copy of the file with the same SHA-256 is the file you submitted.' },
  ];
  for (const section of sections) {
    blocks.push({ kind: 'heading', level: 2, text: sectionTitle(section), bookmark: true });
    for (const q of section.questions) {
      const answer = submission.answers[q.key];
      const files = submission.evidence.filter((f) => f.questionKey === q.key);
      blocks.push({ kind: 'heading', level: 3, text: questionTitle(q) });
      if (q.type !== 'file') {
        const shown = answerText(q, answer ? { ...answer, version: 0, updatedAt: submission.submittedAt } : undefined, []);
        blocks.push({ kind: 'paragraph', text: `Answer: ${shown}` });
        if (answer?.comment) blocks.push({ kind: 'paragraph', text: `Comment: ${answer.comment}` });
        if (answer?.confidential) blocks.push({ kind: 'paragraph', tone: 'notice', text: `Marked commercially confidential. Reason: ${answer.confidentialReason ?? 'none given'}` });
      }
      if (files.length > 0) {
        blocks.push({ kind: 'paragraph', tone: 'strong', text: files.length === 1 ? 'Evidence file' : `Evidence files (${files.length})` });
        blocks.push({ kind: 'list', items: files.map(receiptFileLine) });
      } else if (q.type === 'file' || q.evidence?.requested) {
        blocks.push({ kind: 'paragraph', text: 'No evidence files submitted' });
      }
    }
  }
  return {
    title,
    subject: `The answers and evidence ${supplierName} submitted for ${procurement.title}, reference ${submission.reference}`,
    author: council,
    reference: submission.reference,
    marking: RECEIPT_MARKING,
    createdAt: submission.submittedAt,
    filename: `receipt-${submission.reference}.pdf`,
    blocks,
  };
}
