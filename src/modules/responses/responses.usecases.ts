import { recordAudit } from '../../platform/audit';
import { emitEvent } from '../../platform/events';
import type { ResponseChangedHook } from '../../platform/http/deps';
import { transactionWithMail, type Mailer } from '../../platform/mail';
import { getProcurement, keepOpenUntil, type ProcurementDto } from '../procurements';
import { deadlineExtendedEmail } from './responses.emails';
import { contactOf } from './invitations.usecases';
import { actorOf, type Principal, type SupplierPrincipal } from '../../platform/auth';
import { inTransaction, type Db } from '../../platform/db';
import { getQuestionnaire, isAnswered, type Answers, type QuestionnaireDefinition } from '../questionnaires';
import { answerErrors, responsesErrors, submitErrors } from './responses.errors';
import { completenessOf, redactResponse, supplierView, type SupplierSection } from './responses.models';
import * as repo from './responses.repository';
import type { AnswerSnapshot, SubmittedEvidence } from './responses.table';
import { listClarificationsForOfficer, type ClarificationDto } from './clarifications.usecases';
import { assertLead, assertWritable, confidentialQuestions, effectiveDeadline, procurementOf, questionsByKey, supplierContext, withholdsConfidential } from './responses.access';
import { toEvidenceDto, type EvidenceDto } from './evidence.usecases';
import { toAnswerDto, type AnswerDto } from './answers.usecases';

type Ctx = { db: Db; now: Date; principal: Principal };

export type SupplierResponseView = {
  procurement: { id: string; title: string; reference: string | null; status: string; deadline: string };
  response: { id: string; status: repo.ResponseRow['status']; submittedAt: string | null; version: number };
  supplier: { name: string };
  sections: SupplierSection[];
  answers: Record<string, AnswerDto>;
  evidence: EvidenceDto[];
  /** What still stops a submission, as the submit check counts it. */
  missing: Array<{ path: string; message: string; code: string }>;
  /** The latest submission's reference and time, once submitted. */
  submission: { reference: string; submittedAt: string } | null;
};

/** What a supplier sees: the procurement in brief, its own response, its answers, and the questions visible to it now. */
export async function getSupplierResponse(ctx: { db: Db; now: Date; principal: SupplierPrincipal }): Promise<SupplierResponseView> {
  return (await supplierResponseAndDefinition(ctx)).view;
}

/** The supplier's view and the questionnaire it was read against, for pages that lay questions out themselves. */
export async function supplierResponseAndDefinition({ db, now, principal }: { db: Db; now: Date; principal: SupplierPrincipal }): Promise<{ view: SupplierResponseView; definition: QuestionnaireDefinition }> {
  const found = await repo.findResponseWithInvitation({ db, organisationId: principal.organisationId, id: principal.responseId });
  if (!found) throw responsesErrors.invitationNotFound();
  const { response } = found;
  const { procurement, definition } = await supplierContext({ db, now, principal });
  const rows = await repo.answersOf({ db, responseId: response.id });
  const files = await repo.evidenceOf({ db, responseId: response.id });
  const { visibility, missing } = completenessOf({ definition, triage: procurement.triage as Answers, answers: rows, evidence: files });
  const submission = response.status === 'submitted' ? await repo.latestSubmission({ db, responseId: response.id }) : undefined;
  // Visibility is worked out from every answer (a condition may read another section); a bid-team
  // colleague is then shown its own sections' questions, answers, files and gaps, and nothing else.
  const reachable = questionsByKey(definition, principal);
  const mine = <T extends { questionKey: string }>(items: T[]) => items.filter((item) => reachable.has(item.questionKey));
  const view: SupplierResponseView = {
    procurement: { id: procurement.id, title: procurement.title, reference: procurement.reference, status: procurement.status, deadline: effectiveDeadline(procurement, response).toISOString() },
    response: { id: response.id, status: response.status, submittedAt: response.submittedAt?.toISOString() ?? null, version: response.version },
    supplier: { name: found.invitation.supplierName },
    sections: supplierView({ definition, visibility }).filter((section) => !principal.teamMember || principal.teamMember.sections.includes(section.key)),
    answers: Object.fromEntries(mine(rows).map((r) => [r.questionKey, toAnswerDto(r)])),
    evidence: mine(files).map(toEvidenceDto),
    missing: missing.filter((m) => reachable.has(m.code)),
    submission: submission ? { reference: submission.reference, submittedAt: submission.submittedAt.toISOString() } : null,
  };
  return { view, definition };
}

export type SubmissionDto = { responseId: string; status: 'submitted'; reference: string; submittedAt: string; answerCount: number; evidenceCount: number };

const toSubmissionDto = (row: repo.SubmissionRow): SubmissionDto => ({
  responseId: row.responseId,
  status: 'submitted',
  reference: row.reference,
  submittedAt: row.submittedAt.toISOString(),
  answerCount: Object.keys(row.answers).length,
  evidenceCount: row.evidence.length,
});

/**
 * Submits: refuses while any visible required question is unanswered (listing every one), else
 * freezes the answers into a snapshot and marks the response submitted, in one transaction. The
 * response row lock makes concurrent submits take turns; a retry with the same Idempotency-Key gets
 * the first result back.
 */
export async function submitResponse(ctx: { db: Db; now: Date; principal: SupplierPrincipal; idempotencyKey?: string | undefined; onChanged?: ResponseChangedHook | undefined }): Promise<SubmissionDto> {
  assertLead(ctx.principal, 'submit the response');
  return inTransaction(ctx.db, async (tx) => {
    const { principal } = ctx;
    const response = await repo.lockResponse({ db: tx, organisationId: principal.organisationId, id: principal.responseId });
    if (!response) throw responsesErrors.invitationNotFound();
    if (response.status === 'submitted') {
      const previous = await repo.latestSubmission({ db: tx, responseId: response.id });
      if (previous && ctx.idempotencyKey && previous.idempotencyKey === ctx.idempotencyKey) return toSubmissionDto(previous);
      throw answerErrors.alreadySubmitted();
    }
    const { procurement, definition } = await supplierContext({ ...ctx, db: tx });
    assertWritable(procurement, response, ctx.now);

    const rows = await repo.answersOf({ db: tx, responseId: response.id });
    const files = await repo.evidenceOf({ db: tx, responseId: response.id });
    const { visibility, missing } = completenessOf({ definition, triage: procurement.triage as Answers, answers: rows, evidence: files });
    if (missing.length > 0) throw submitErrors.incomplete(missing);
    // Only what the supplier can see is submitted: answers and files of questions that became hidden stay in the draft.
    const visible = new Set(visibility.visibleQuestions);
    const snapshot = Object.fromEntries(
      rows
        .filter((r) => visible.has(r.questionKey))
        .map((r) => [r.questionKey, { value: r.value, comment: r.comment, confidential: r.confidential, confidentialReason: r.confidentialReason }]),
    );
    const evidence = files
      .filter((f) => visible.has(f.questionKey))
      .map((f) => ({ id: f.id, questionKey: f.questionKey, filename: f.filename, contentType: f.contentType, sizeBytes: f.sizeBytes, sha256: f.sha256 }));
    const reference = `SUB-${response.id.slice(0, 8).toUpperCase()}-${(response.version + 1).toString().padStart(3, '0')}`;
    const submission = await repo.insertSubmission({
      db: tx,
      values: { organisationId: principal.organisationId, responseId: response.id, reference, answers: snapshot, evidence, responseVersion: response.version + 1, idempotencyKey: ctx.idempotencyKey ?? null, submittedAt: ctx.now },
    });
    const submitted = await repo.setResponseStatus({ db: tx, id: response.id, now: ctx.now, status: 'submitted', submittedAt: ctx.now });
    await recordAudit({
      db: tx,
      organisationId: principal.organisationId,
      actor: actorOf(principal),
      action: 'response.submitted',
      subject: { type: 'response', id: response.id },
      details: { procurementId: procurement.id, reference, answerCount: Object.keys(snapshot).length, evidence: evidence.map((f) => ({ id: f.id, sha256: f.sha256 })) },
      now: ctx.now,
    });
    await emitEvent({
      db: tx,
      organisationId: principal.organisationId,
      type: 'response.submitted',
      subject: { type: 'response', id: response.id },
      data: { procurementId: procurement.id, responseId: response.id, version: submitted.version },
      now: ctx.now,
    });
    await ctx.onChanged?.({ db: tx, organisationId: principal.organisationId, responseId: response.id, now: ctx.now });
    return toSubmissionDto(submission);
  });
}

/** The supplier withdraws from the procurement; its answers stay on record. */
export async function withdrawResponse(ctx: { db: Db; now: Date; principal: SupplierPrincipal; reason?: string | undefined; onChanged?: ResponseChangedHook | undefined }): Promise<{ responseId: string; status: 'withdrawn' }> {
  assertLead(ctx.principal, 'withdraw the response');
  return inTransaction(ctx.db, async (tx) => {
    const response = await repo.lockResponse({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.principal.responseId });
    if (!response) throw responsesErrors.invitationNotFound();
    if (response.status !== 'withdrawn') {
      // A draft may be dropped at any time; a submission only while the procurement is open, as
      // after that the council evaluates it and may award it (read with `now`, so a passed deadline counts as closed).
      if (response.status === 'submitted' || response.status === 'reopened') {
        const procurement = await getProcurement({ db: tx, now: ctx.now, principal: ctx.principal, id: ctx.principal.procurementId });
        if (procurement.status !== 'open') throw responsesErrors.cannotWithdraw(procurement.status);
      }
      const withdrawn = await repo.setResponseStatus({ db: tx, id: response.id, now: ctx.now, status: 'withdrawn' });
      await recordAudit({
        db: tx,
        organisationId: ctx.principal.organisationId,
        actor: actorOf(ctx.principal),
        action: 'response.withdrawn',
        subject: { type: 'response', id: response.id },
        details: { procurementId: response.procurementId, previousStatus: response.status, ...(ctx.reason ? { reason: ctx.reason } : {}) },
        now: ctx.now,
      });
      await emitEvent({
        db: tx,
        organisationId: ctx.principal.organisationId,
        type: 'response.withdrawn',
        subject: { type: 'response', id: response.id },
        data: { procurementId: response.procurementId, responseId: response.id, version: withdrawn.version },
        now: ctx.now,
      });
      await ctx.onChanged?.({ db: tx, organisationId: ctx.principal.organisationId, responseId: response.id, now: ctx.now });
    }
    return { responseId: response.id, status: 'withdrawn' as const };
  });
}

export type ResponseProgressDto = {
  responseId: string;
  invitationId: string;
  supplierName: string;
  companyNumber: string | null;
  status: repo.ResponseRow['status'];
  submittedAt: string | null;
  requiredQuestions: number;
  requiredAnswered: number;
  answered: number;
  /** Items that would stop a submission now: unanswered required questions and missing mandatory evidence. */
  outstanding: number;
  evidenceFiles: number;
  updatedAt: string;
};

/** One supplier's status and progress against the questions visible to it. */
function progressOf({
  response,
  invitation,
  answers,
  evidence,
  definition,
  triage,
}: {
  response: repo.ResponseRow;
  invitation: repo.InvitationRow;
  answers: repo.AnswerRow[];
  evidence: repo.EvidenceRow[];
  definition: QuestionnaireDefinition;
  triage: Answers;
}): ResponseProgressDto {
  const { values, visibility, missing } = completenessOf({ definition, triage, answers, evidence });
  return {
    responseId: response.id,
    invitationId: invitation.id,
    supplierName: invitation.supplierName,
    companyNumber: invitation.companyNumber,
    status: response.status,
    submittedAt: response.submittedAt?.toISOString() ?? null,
    requiredQuestions: visibility.requiredQuestions.length,
    requiredAnswered: visibility.requiredQuestions.filter((k) => isAnswered(values[k])).length,
    answered: visibility.visibleQuestions.filter((k) => isAnswered(values[k])).length,
    outstanding: missing.length,
    evidenceFiles: evidence.length,
    updatedAt: response.updatedAt.toISOString(),
  };
}

/** Each invited supplier's status and progress, for the officer running the procurement. */
export async function listResponsesOfProcurement(ctx: Ctx & { procurementId: string }): Promise<ResponseProgressDto[]> {
  const procurement = await procurementOf(ctx, ctx.procurementId);
  const { definition } = await getQuestionnaire({ db: ctx.db, principal: ctx.principal, id: procurement.questionnaire.id });
  const rows = await repo.responsesOfProcurement({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: procurement.id });
  const responseIds = rows.map((r) => r.response.id);
  const answersBy = groupBy(await repo.answersOfResponses({ db: ctx.db, responseIds }), (a) => a.responseId);
  const evidenceBy = groupBy(await repo.evidenceOfResponses({ db: ctx.db, responseIds }), (e) => e.responseId);
  return rows.map(({ response, invitation }) =>
    progressOf({ response, invitation, answers: answersBy.get(response.id) ?? [], evidence: evidenceBy.get(response.id) ?? [], definition, triage: procurement.triage as Answers }),
  );
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Whether a response of the caller's organisation belongs to this procurement: a console URL names both, and must name them together. */
export async function isResponseOfProcurement(ctx: { db: Db; principal: Principal; procurementId: string; responseId: string }): Promise<boolean> {
  const response = await repo.findResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.responseId });
  return response !== undefined && response.procurementId === ctx.procurementId;
}

export type OfficerResponseDto = ResponseProgressDto & {
  procurementId: string;
  deadline: string;
  submission: { reference: string; submittedAt: string; answers: Record<string, unknown>; evidence: SubmittedEvidence[] } | null;
  answers: Record<string, AnswerDto>;
  evidence: EvidenceDto[];
};

/**
 * One response as the council sees it: the live answers, and the frozen submission once there is
 * one; for an API key without `responses:read-confidential`, without what the supplier marked confidential.
 */
export async function getResponseForOfficer(ctx: Ctx & { id: string }): Promise<OfficerResponseDto> {
  const found = await repo.findResponseWithInvitation({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.id });
  if (!found) throw responsesErrors.responseNotFound();
  const procurement = await procurementOf(ctx, found.response.procurementId);
  const { definition } = await getQuestionnaire({ db: ctx.db, principal: ctx.principal, id: procurement.questionnaire.id });
  const rows = await repo.answersOf({ db: ctx.db, responseId: found.response.id });
  const files = await repo.evidenceOf({ db: ctx.db, responseId: found.response.id });
  const progress = progressOf({ ...found, answers: rows, evidence: files, definition, triage: procurement.triage as Answers });
  const submission = found.response.status === 'submitted' ? await repo.latestSubmission({ db: ctx.db, responseId: found.response.id }) : undefined;
  const view: OfficerResponseDto = {
    ...progress,
    procurementId: found.response.procurementId,
    deadline: effectiveDeadline(procurement, found.response).toISOString(),
    submission: submission ? { reference: submission.reference, submittedAt: submission.submittedAt.toISOString(), answers: submission.answers, evidence: submission.evidence } : null,
    answers: Object.fromEntries(rows.map((r) => [r.questionKey, toAnswerDto(r)])),
    evidence: files.map(toEvidenceDto),
  };
  return withholdsConfidential(ctx.principal) ? redactResponse(view, await confidentialQuestions({ db: ctx.db, responseId: found.response.id })) : view;
}

/**
 * A response as the console's page shows it, under its procurement's URL: the submitted answers
 * (or, before submission, the answers so far) laid out in the sections those answers make visible,
 * with the clarifications asked about it. Another procurement's response is not found here.
 */
export async function responseForCouncilPage(ctx: Ctx & { procurementId: string; responseId: string }): Promise<{
  response: OfficerResponseDto;
  procurement: ProcurementDto;
  sections: SupplierSection[];
  shown: { kind: 'submission' | 'draft'; at: string; answers: Record<string, AnswerSnapshot>; files: Array<SubmittedEvidence | EvidenceDto> };
  clarifications: ClarificationDto[];
}> {
  if (!(await isResponseOfProcurement(ctx))) throw responsesErrors.responseNotFound();
  const response = await getResponseForOfficer({ ...ctx, id: ctx.responseId });
  const procurement = await procurementOf(ctx, ctx.procurementId);
  const { definition } = await getQuestionnaire({ db: ctx.db, principal: ctx.principal, id: procurement.questionnaire.id });
  const shown = response.submission
    ? { kind: 'submission' as const, at: response.submission.submittedAt, answers: response.submission.answers as Record<string, AnswerSnapshot>, files: response.submission.evidence }
    : { kind: 'draft' as const, at: response.updatedAt, answers: response.answers as Record<string, AnswerSnapshot>, files: response.evidence };
  const { visibility } = completenessOf({
    definition,
    triage: procurement.triage as Answers,
    answers: Object.entries(shown.answers).map(([questionKey, a]) => ({ questionKey, value: a.value })),
    evidence: shown.files,
  });
  const clarifications = await listClarificationsForOfficer({ db: ctx.db, principal: ctx.principal, responseId: response.responseId });
  return { response, procurement, sections: supplierView({ definition, visibility }), shown, clarifications };
}

/**
 * Gives one supplier more time. Only later than the time it already has, only while the
 * procurement is open and the supplier has not submitted or withdrawn; the procurement stays open
 * until the new time. The supplier is told by email and the reason is audited (equal treatment:
 * the council must be able to say why one supplier had longer).
 */
export async function extendDeadline(ctx: Ctx & { mailer: Mailer; responseId: string; deadline: Date; reason: string }): Promise<OfficerResponseDto> {
  await transactionWithMail(ctx, async (tx, send) => {
    const scoped = { ...ctx, db: tx };
    const found = await repo.findResponseWithInvitation({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.responseId, forUpdate: true });
    if (!found) throw responsesErrors.responseNotFound();
    const { response, invitation } = found;
    const procurement = await procurementOf(scoped, response.procurementId);
    if (procurement.status !== 'open') throw responsesErrors.cannotExtend(`the procurement is ${procurement.status}`);
    if (response.status === 'submitted' || response.status === 'withdrawn') throw responsesErrors.cannotExtend(`the response is ${response.status}`);
    const current = effectiveDeadline(procurement, response);
    if (ctx.deadline <= current) throw responsesErrors.extensionNotLater(current);
    await keepOpenUntil({ ...scoped, id: procurement.id, until: ctx.deadline });
    await repo.setDeadlineOverride({ db: tx, id: response.id, deadline: ctx.deadline, now: ctx.now });
    const email = deadlineExtendedEmail({ procurement, supplierName: invitation.supplierName, deadline: ctx.deadline, contact: await contactOf(scoped) });
    const mail = await send({ organisationId: ctx.principal.organisationId, message: { ...email, to: invitation.contactEmail, kind: 'deadline_extended', about: { type: 'response', id: response.id } } });
    await recordAudit({
      db: tx,
      organisationId: ctx.principal.organisationId,
      actor: actorOf(ctx.principal),
      action: 'response.deadline_extended',
      subject: { type: 'response', id: response.id },
      details: { procurementId: procurement.id, from: current.toISOString(), to: ctx.deadline.toISOString(), reason: ctx.reason, outboxId: mail.id },
      now: ctx.now,
    });
  });
  return getResponseForOfficer({ ...ctx, id: ctx.responseId });
}
