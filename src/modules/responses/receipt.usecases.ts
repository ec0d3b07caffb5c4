import type { SupplierPrincipal } from '../../platform/auth';
import type { Db } from '../../platform/db';
import type { PdfRenderer } from '../../platform/pdf';
import { contactFor } from '../accounts';
import type { Answers } from '../questionnaires';
import { receiptDocument } from './receipt.models';
import { supplierContext } from './responses.access';
import { receiptErrors, responsesErrors } from './responses.errors';
import { completenessOf, supplierView } from './responses.models';
import * as repo from './responses.repository';

export type ReceiptFile = { filename: string; reference: string; pdf: Buffer };

/**
 * The supplier's receipt of its submitted response, drawn from the frozen submission (never the
 * draft, which a clarification amendment may since have changed). The questions shown are those
 * the submitted answers made visible; a bid-team colleague sees only its own sections.
 */
export async function supplierReceipt({ db, now, principal, pdf }: { db: Db; now: Date; principal: SupplierPrincipal; pdf: PdfRenderer }): Promise<ReceiptFile> {
  const found = await repo.findResponseWithInvitation({ db, organisationId: principal.organisationId, id: principal.responseId });
  if (!found) throw responsesErrors.invitationNotFound();
  const submission = found.response.status === 'submitted' ? await repo.latestSubmission({ db, responseId: found.response.id }) : undefined;
  if (!submission) throw receiptErrors.notSubmitted();
  const { procurement, definition } = await supplierContext({ db, now, principal });
  const answers = Object.entries(submission.answers).map(([questionKey, a]) => ({ questionKey, value: a.value }));
  const { visibility } = completenessOf({ definition, triage: procurement.triage as Answers, answers, evidence: submission.evidence });
  const own = principal.teamMember?.sections;
  const sections = supplierView({ definition, visibility }).filter((s) => !own || own.includes(s.key));
  const { council } = await contactFor({ db, organisationId: principal.organisationId, userId: null });
  const document = receiptDocument({
    council,
    procurement: { title: procurement.title, reference: procurement.reference },
    supplierName: found.invitation.supplierName,
    submission: { reference: submission.reference, submittedAt: submission.submittedAt.toISOString(), answers: submission.answers, evidence: submission.evidence },
    sections,
  });
  const rendered = await pdf.render(document);
  return { filename: document.filename, reference: submission.reference, pdf: rendered.pdf };
}
