import type { Principal } from '../../platform/auth';
import { sha256Hex } from '../../platform/crypto';
import type { Db } from '../../platform/db';
import type { PdfRenderer } from '../../platform/pdf';
import { contactFor } from '../accounts';
import type { SubmittedResponse } from '../responses';
import { evaluationRecord } from '../scoring';
import { atrsDocument, atrsJsonFilename, atrsRecord, type AtrsRecord } from './atrs.models';
import type { ReportAnswer } from './reports.shared';

/**
 * The draft transparency (ATRS) record of one submitted response, as JSON and as a PDF. Drawn on
 * request, not stored like the evaluation reports: it is a starting point the council edits before
 * publishing, not a record of a decision, and the same answers always give the same record and the
 * same PDF bytes, so a stored copy would add nothing.
 *
 * Access is the assessment summary's (the use case reads through `evaluationRecord`): another
 * council's response is 404, a response not submitted 409 `evaluations.response_not_submitted`.
 */

type Ctx = { db: Db; now: Date; principal: Principal };

/** The answers as settled: submission, or the latest amendment the moderator accepted after it. */
function answersAsOf(response: SubmittedResponse, fallback: string): string {
  const accepted = response.clarifications.flatMap((c) => (c.amendment?.status === 'accepted' && c.amendment.decidedAt ? [c.amendment.decidedAt] : []));
  return [response.submittedAt ?? fallback, ...accepted].sort().at(-1)!;
}

const answersOf = (response: SubmittedResponse): Record<string, ReportAnswer> =>
  Object.fromEntries(Object.entries(response.answers).map(([key, value]) => [key, { value, ...(response.details[key] ?? { comment: null, confidential: false, confidentialReason: null }) }]));

export async function atrsRecordOf(ctx: Ctx & { responseId: string }): Promise<AtrsRecord> {
  const { response, procurement, definition, computedAt } = await evaluationRecord(ctx);
  const { council } = await contactFor({ db: ctx.db, organisationId: ctx.principal.organisationId, userId: null });
  return atrsRecord({
    council,
    procurement: { id: procurement.id, title: procurement.title, reference: procurement.reference, riskTier: procurement.riskTier, riskTierReason: procurement.riskTierReason },
    definition,
    responseId: response.responseId,
    supplierName: response.supplierName,
    companyNumber: response.companyNumber,
    answers: answersOf(response),
    answersAsOf: answersAsOf(response, computedAt),
  });
}

export type AtrsPdf = { pdf: Buffer; sha256: string; filename: string; pages: number };

/** The record as a readable PDF, drawn by the report renderer (tagged, same document same bytes). */
export async function atrsPdfOf(ctx: Ctx & { responseId: string; renderer: PdfRenderer }): Promise<AtrsPdf> {
  const document = atrsDocument(await atrsRecordOf(ctx));
  const { pdf, pages } = await ctx.renderer.render(document);
  return { pdf, sha256: sha256Hex(pdf), filename: document.filename, pages };
}

export { atrsJsonFilename };
