import { recordAudit } from '../../platform/audit';
import { actorOf, type Principal, type SupplierPrincipal, type TokenResolver } from '../../platform/auth';
import { issueToken } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import type { Page } from '../../platform/pagination';
import { getProcurement, type ProcurementDto } from '../procurements';
import { getQuestionnaire, isAnswered, resolveVisibility, type Answers, type QuestionnaireDefinition } from '../questionnaires';
import { answerErrors, responsesErrors, submitErrors } from './responses.errors';
import { answerValues, invitationExpiry, missingForSubmission, supplierView, type SupplierSection } from './responses.models';
import * as repo from './responses.repository';
import type { SubmittedEvidence } from './responses.table';
import { assertWritable, effectiveDeadline, questionsByKey, supplierContext } from './responses.access';
import { toEvidenceDto, type EvidenceDto } from './evidence.usecases';
import { toAnswerDto, type AnswerDto } from './answers.usecases';

type Ctx = { db: Db; now: Date; principal: Principal };

export type InvitationDto = {
  id: string;
  procurementId: string;
  responseId: string;
  supplierName: string;
  contactEmail: string;
  companyNumber: string | null;
  tokenPrefix: string;
  responseStatus: repo.ResponseRow['status'];
  createdAt: string;
  tokenIssuedAt: string;
  revokedAt: string | null;
};

function toInvitationDto({ invitation, response }: { invitation: repo.InvitationRow; response: repo.ResponseRow }): InvitationDto {
  return {
    id: invitation.id,
    procurementId: invitation.procurementId,
    responseId: response.id,
    supplierName: invitation.supplierName,
    contactEmail: invitation.contactEmail,
    companyNumber: invitation.companyNumber,
    tokenPrefix: invitation.displayPrefix,
    responseStatus: response.status,
    createdAt: invitation.createdAt.toISOString(),
    tokenIssuedAt: invitation.tokenIssuedAt.toISOString(),
    revokedAt: invitation.revokedAt?.toISOString() ?? null,
  };
}

async function procurementOf(ctx: { db: Db; now: Date; principal: Principal }, id: string): Promise<ProcurementDto> {
  try {
    return await getProcurement({ ...ctx, id });
  } catch {
    throw responsesErrors.procurementNotFound();
  }
}

export const respondUrl = (publicBaseUrl: string, token: string) => `${publicBaseUrl}/respond/${token}`;

/** Invites a supplier: one invitation, one empty response, and a token shown only in this answer. */
export async function inviteSupplier(
  ctx: Ctx & { procurementId: string; supplierName: string; contactEmail: string; companyNumber?: string | undefined; publicBaseUrl: string },
): Promise<{ invitation: InvitationDto; token: string; respondUrl: string }> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const procurement = await procurementOf(scoped, ctx.procurementId);
    if (procurement.status !== 'draft' && procurement.status !== 'open') throw responsesErrors.procurementNotInviting(procurement.status);
    const issued = issueToken({ kind: 'inv' });
    const invitation = await repo.insertInvitation({
      db: tx,
      values: {
        organisationId: ctx.principal.organisationId,
        procurementId: procurement.id,
        supplierName: ctx.supplierName.trim(),
        contactEmail: ctx.contactEmail,
        companyNumber: ctx.companyNumber?.trim() || null,
        tokenHash: issued.hash,
        displayPrefix: issued.displayPrefix,
        createdBy: actorOf(ctx.principal).id,
        createdAt: ctx.now,
        tokenIssuedAt: ctx.now,
      },
    });
    const response = await repo.insertResponse({
      db: tx,
      values: { organisationId: ctx.principal.organisationId, procurementId: procurement.id, invitationId: invitation.id, status: 'not_started', createdAt: ctx.now, updatedAt: ctx.now },
    });
    await recordAudit({
      db: tx,
      organisationId: ctx.principal.organisationId,
      actor: actorOf(ctx.principal),
      action: 'invitation.sent',
      subject: { type: 'invitation', id: invitation.id },
      details: { procurementId: procurement.id, responseId: response.id, supplierName: invitation.supplierName, contactEmail: invitation.contactEmail },
      now: ctx.now,
    });
    return { invitation: toInvitationDto({ invitation, response }), token: issued.token, respondUrl: respondUrl(ctx.publicBaseUrl, issued.token) };
  });
}

export async function listInvitations(ctx: Ctx & { procurementId: string; limit: number; cursor?: string | undefined }): Promise<Page<InvitationDto>> {
  await procurementOf(ctx, ctx.procurementId);
  const page = await repo.listInvitations({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: ctx.procurementId, limit: ctx.limit, cursor: ctx.cursor });
  return { ...page, items: page.items.map(toInvitationDto) };
}

export async function revokeInvitation(ctx: Ctx & { id: string }): Promise<InvitationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const found = await repo.findInvitation({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.id, forUpdate: true });
    if (!found) throw responsesErrors.invitationNotFound();
    if (found.invitation.revokedAt) return toInvitationDto(found);
    const invitation = await repo.updateInvitation({ db: tx, id: ctx.id, changes: { revokedAt: ctx.now } });
    await recordAudit({ db: tx, organisationId: ctx.principal.organisationId, actor: actorOf(ctx.principal), action: 'invitation.revoked', subject: { type: 'invitation', id: ctx.id }, now: ctx.now });
    return toInvitationDto({ invitation, response: found.response });
  });
}

/** A new token for the same invitation and response; the old token stops working at once. */
export async function resendInvitation(ctx: Ctx & { id: string; publicBaseUrl: string }): Promise<{ invitation: InvitationDto; token: string; respondUrl: string }> {
  return inTransaction(ctx.db, async (tx) => {
    const found = await repo.findInvitation({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.id, forUpdate: true });
    if (!found) throw responsesErrors.invitationNotFound();
    if (found.invitation.revokedAt) throw responsesErrors.invitationRevoked();
    const issued = issueToken({ kind: 'inv' });
    const invitation = await repo.updateInvitation({ db: tx, id: ctx.id, changes: { tokenHash: issued.hash, displayPrefix: issued.displayPrefix, tokenIssuedAt: ctx.now } });
    await recordAudit({ db: tx, organisationId: ctx.principal.organisationId, actor: actorOf(ctx.principal), action: 'invitation.resent', subject: { type: 'invitation', id: ctx.id }, now: ctx.now });
    return { invitation: toInvitationDto({ invitation, response: found.response }), token: issued.token, respondUrl: respondUrl(ctx.publicBaseUrl, issued.token) };
  });
}

/** Turns a supplier's invitation token into a principal that can reach its own response and nothing else. */
export function createInvitationTokenResolver({ db, now }: { db: Db; now: () => Date }): TokenResolver {
  return async ({ tokenHash }) => {
    const row = await repo.findInvitationByTokenHash({ db, hash: tokenHash });
    if (!row || row.revokedAt) return null;
    const expiresAt = invitationExpiry(row);
    if (expiresAt <= now()) return null;
    const principal: SupplierPrincipal = { kind: 'supplier', organisationId: row.organisationId, invitationId: row.invitationId, responseId: row.responseId, procurementId: row.procurementId };
    return { principal, validUntil: expiresAt };
  };
}

export type SupplierResponseView = {
  procurement: { id: string; title: string; reference: string | null; status: string; deadline: string };
  response: { id: string; status: repo.ResponseRow['status']; submittedAt: string | null; version: number };
  sections: SupplierSection[];
  answers: Record<string, AnswerDto>;
  evidence: EvidenceDto[];
};

/** What a supplier sees: the procurement in brief, its own response, its answers, and the questions visible to it now. */
export async function getSupplierResponse({ db, now, principal }: { db: Db; now: Date; principal: SupplierPrincipal }): Promise<SupplierResponseView> {
  const response = await repo.findResponse({ db, organisationId: principal.organisationId, id: principal.responseId });
  if (!response) throw responsesErrors.invitationNotFound();
  const { procurement, definition } = await supplierContext({ db, now, principal });
  const rows = await repo.answersOf({ db, responseId: response.id });
  const files = await repo.evidenceOf({ db, responseId: response.id });
  const visibility = resolveVisibility({ definition, triage: procurement.triage as Answers, answers: answerValues({ answers: rows, evidence: files }) });
  return {
    procurement: { id: procurement.id, title: procurement.title, reference: procurement.reference, status: procurement.status, deadline: effectiveDeadline(procurement, response).toISOString() },
    response: { id: response.id, status: response.status, submittedAt: response.submittedAt?.toISOString() ?? null, version: response.version },
    sections: supplierView({ definition, visibility }),
    answers: Object.fromEntries(rows.map((r) => [r.questionKey, toAnswerDto(r)])),
    evidence: files.map(toEvidenceDto),
  };
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
export async function submitResponse(ctx: { db: Db; now: Date; principal: SupplierPrincipal; idempotencyKey?: string | undefined }): Promise<SubmissionDto> {
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
    const values = answerValues({ answers: rows, evidence: files });
    const visibility = resolveVisibility({ definition, triage: procurement.triage as Answers, answers: values });
    const missing = missingForSubmission({ questions: questionsByKey(definition), visibility, values, evidenceKeys: new Set(files.map((f) => f.questionKey)) });
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
    await repo.setResponseStatus({ db: tx, id: response.id, now: ctx.now, status: 'submitted', submittedAt: ctx.now });
    await recordAudit({
      db: tx,
      organisationId: principal.organisationId,
      actor: actorOf(principal),
      action: 'response.submitted',
      subject: { type: 'response', id: response.id },
      details: { procurementId: procurement.id, reference, answerCount: Object.keys(snapshot).length, evidence: evidence.map((f) => ({ id: f.id, sha256: f.sha256 })) },
      now: ctx.now,
    });
    return toSubmissionDto(submission);
  });
}

/** The supplier withdraws from the procurement; its answers stay on record. */
export async function withdrawResponse(ctx: { db: Db; now: Date; principal: SupplierPrincipal; reason?: string | undefined }): Promise<{ responseId: string; status: 'withdrawn' }> {
  return inTransaction(ctx.db, async (tx) => {
    const response = await repo.lockResponse({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.principal.responseId });
    if (!response) throw responsesErrors.invitationNotFound();
    if (response.status !== 'withdrawn') {
      await repo.setResponseStatus({ db: tx, id: response.id, now: ctx.now, status: 'withdrawn' });
      await recordAudit({
        db: tx,
        organisationId: ctx.principal.organisationId,
        actor: actorOf(ctx.principal),
        action: 'response.withdrawn',
        subject: { type: 'response', id: response.id },
        details: { procurementId: response.procurementId, previousStatus: response.status, ...(ctx.reason ? { reason: ctx.reason } : {}) },
        now: ctx.now,
      });
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
  const values = answerValues({ answers, evidence });
  const visibility = resolveVisibility({ definition, triage, answers: values });
  const missing = missingForSubmission({ questions: questionsByKey(definition), visibility, values, evidenceKeys: new Set(evidence.map((e) => e.questionKey)) });
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

export type OfficerResponseDto = ResponseProgressDto & {
  procurementId: string;
  deadline: string;
  submission: { reference: string; submittedAt: string; answers: Record<string, unknown>; evidence: SubmittedEvidence[] } | null;
  answers: Record<string, AnswerDto>;
  evidence: EvidenceDto[];
};

/** One response as the council sees it: the live answers, and the frozen submission once there is one. */
export async function getResponseForOfficer(ctx: Ctx & { id: string }): Promise<OfficerResponseDto> {
  const found = await repo.findResponseWithInvitation({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.id });
  if (!found) throw responsesErrors.responseNotFound();
  const procurement = await procurementOf(ctx, found.response.procurementId);
  const { definition } = await getQuestionnaire({ db: ctx.db, principal: ctx.principal, id: procurement.questionnaire.id });
  const rows = await repo.answersOf({ db: ctx.db, responseId: found.response.id });
  const files = await repo.evidenceOf({ db: ctx.db, responseId: found.response.id });
  const progress = progressOf({ ...found, answers: rows, evidence: files, definition, triage: procurement.triage as Answers });
  const submission = found.response.status === 'submitted' ? await repo.latestSubmission({ db: ctx.db, responseId: found.response.id }) : undefined;
  return {
    ...progress,
    procurementId: found.response.procurementId,
    deadline: effectiveDeadline(procurement, found.response).toISOString(),
    submission: submission ? { reference: submission.reference, submittedAt: submission.submittedAt.toISOString(), answers: submission.answers, evidence: submission.evidence } : null,
    answers: Object.fromEntries(rows.map((r) => [r.questionKey, toAnswerDto(r)])),
    evidence: files.map(toEvidenceDto),
  };
}
