import { recordAudit } from '../../platform/audit';
import { actorOf, type Principal, type SupplierPrincipal } from '../../platform/auth';
import { sha256Hex } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import type { ResponseChangedHook } from '../../platform/http/deps';
import { transactionWithMail, type Mailer } from '../../platform/mail';
import { getQuestionnaire } from '../questionnaires';
import { normalise, type AnswerInput } from './answers.usecases';
import { contactOf } from './invitations.usecases';
import { assertLead, confidentialQuestions, procurementOf, questionsByKey, supplierContext, withholdsConfidential } from './responses.access';
import { clarificationEmail } from './responses.emails';
import { answerErrors, clarificationErrors, responsesErrors } from './responses.errors';
import { checkAnswerValue, redactClarification } from './responses.models';
import * as repo from './responses.repository';
import type { AnswerSnapshot } from './responses.table';

export type ClarificationDto = {
  id: string;
  responseId: string;
  questionKey: string;
  question: string;
  allowAmend: boolean;
  replyBy: string | null;
  askedAt: string;
  originalAnswer: AnswerSnapshot | null;
  status: 'awaiting_reply' | 'answered';
  reply: string | null;
  amendedAnswer: AnswerSnapshot | null;
  repliedAt: string | null;
  /** With an amended answer: the moderator's decision on it (`pending` until then). */
  amendment: { status: 'pending' | 'accepted' | 'rejected'; reason: string | null; decidedBy: string | null; decidedAt: string | null } | null;
};

const iso = (d: Date | null) => d?.toISOString() ?? null;

function toDto(row: repo.ClarificationRow): ClarificationDto {
  return {
    id: row.id,
    responseId: row.responseId,
    questionKey: row.questionKey,
    question: row.question,
    allowAmend: row.allowAmend,
    replyBy: iso(row.replyBy),
    askedAt: row.askedAt.toISOString(),
    originalAnswer: row.originalAnswer,
    status: row.repliedAt ? 'answered' : 'awaiting_reply',
    reply: row.reply,
    amendedAnswer: row.amendedAnswer,
    repliedAt: iso(row.repliedAt),
    amendment: row.amendedAnswer ? { status: row.amendmentStatus ?? 'pending', reason: row.amendmentReason, decidedBy: row.amendmentDecidedBy, decidedAt: iso(row.amendmentDecidedAt) } : null,
  };
}

/**
 * An officer asks a supplier about one answer of its submitted response. The answer as submitted is
 * copied beside the question, so what was asked about stays visible whatever happens next.
 */
export async function askClarification(
  ctx: { db: Db; now: Date; principal: Principal; mailer: Mailer; responseId: string; questionKey: string; question: string; allowAmend: boolean; replyBy?: Date | undefined },
): Promise<ClarificationDto> {
  return transactionWithMail(ctx, async (tx, send) => {
    const scoped = { ...ctx, db: tx };
    const found = await repo.findResponseWithInvitation({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.responseId, forUpdate: true });
    if (!found) throw responsesErrors.responseNotFound();
    const { response, invitation } = found;
    if (response.status !== 'submitted') throw clarificationErrors.notSubmitted(response.status);
    if (invitation.revokedAt) throw responsesErrors.invitationRevoked();
    if (ctx.replyBy && ctx.replyBy <= ctx.now) throw clarificationErrors.replyByInPast();
    const procurement = await procurementOf(scoped, response.procurementId);
    const { definition } = await getQuestionnaire({ db: tx, principal: ctx.principal, id: procurement.questionnaire.id });
    const question = questionsByKey(definition).get(ctx.questionKey);
    if (!question) throw clarificationErrors.unknownQuestion(ctx.questionKey);
    const submission = await repo.latestSubmission({ db: tx, responseId: response.id });
    const row = await repo.insertClarification({
      db: tx,
      values: {
        organisationId: ctx.principal.organisationId,
        responseId: response.id,
        questionKey: question.key,
        question: ctx.question.trim(),
        allowAmend: ctx.allowAmend,
        replyBy: ctx.replyBy ?? null,
        originalAnswer: submission?.answers[question.key] ?? null,
        askedBy: actorOf(ctx.principal).id,
        askedAt: ctx.now,
      },
    });
    const email = clarificationEmail({
      procurement,
      supplierName: invitation.supplierName,
      questionRef: question.ref ? `question ${question.ref}` : `“${question.text}”`,
      allowAmend: ctx.allowAmend,
      replyBy: ctx.replyBy ?? null,
      contact: await contactOf(scoped),
    });
    const mail = await send({ organisationId: ctx.principal.organisationId, message: { ...email, to: invitation.contactEmail, kind: 'clarification', about: { type: 'clarification', id: row.id } } });
    await recordAudit({
      db: tx,
      organisationId: ctx.principal.organisationId,
      actor: actorOf(ctx.principal),
      action: 'clarification.asked',
      subject: { type: 'response', id: response.id },
      // The text by its hash: the log is readable with `audit:read` alone, and a question may quote a confidential answer.
      details: { clarificationId: row.id, questionKey: question.key, questionSha256: sha256Hex(row.question), allowAmend: row.allowAmend, outboxId: mail.id },
      now: ctx.now,
    });
    return toDto(row);
  });
}

/** The clarifications of a response; for a caller confidential answers are withheld from, those about one withheld. */
export async function listClarificationsForOfficer(ctx: { db: Db; principal: Principal; responseId: string }): Promise<ClarificationDto[]> {
  const response = await repo.findResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.responseId });
  if (!response) throw responsesErrors.responseNotFound();
  const items = (await repo.clarificationsOf({ db: ctx.db, responseId: response.id })).map(toDto);
  if (!withholdsConfidential(ctx.principal)) return items;
  const confidential = await confidentialQuestions({ db: ctx.db, responseId: response.id });
  return items.map((item) => redactClarification(item, confidential));
}

/** The council's questions to the supplier. They are correspondence with the lead: a bid-team colleague has none. */
export async function listOwnClarifications(ctx: { db: Db; principal: SupplierPrincipal }): Promise<ClarificationDto[]> {
  if (ctx.principal.teamMember) return [];
  return (await repo.clarificationsOf({ db: ctx.db, responseId: ctx.principal.responseId })).map(toDto);
}

export async function getOwnClarification(ctx: { db: Db; principal: SupplierPrincipal; id: string }): Promise<ClarificationDto> {
  const row = ctx.principal.teamMember ? undefined : await repo.findClarification({ db: ctx.db, responseId: ctx.principal.responseId, id: ctx.id });
  if (!row) throw clarificationErrors.notFound();
  return toDto(row);
}

/**
 * The supplier replies, once. When the officer allowed it, the reply may carry an amended answer:
 * checked like any answer, kept in the clarification beside the original, and written to the
 * live answer with its history ('amended'). The frozen submission is not touched, and the
 * evaluation keeps scoring the submitted answer until the moderator accepts the amendment.
 */
export async function replyToClarification(ctx: {
  db: Db;
  now: Date;
  principal: SupplierPrincipal;
  id: string;
  reply: string;
  amendedAnswer?: AnswerInput | undefined;
  onChanged?: ResponseChangedHook | undefined;
}): Promise<ClarificationDto> {
  assertLead(ctx.principal, 'reply to the council');
  return inTransaction(ctx.db, async (tx) => {
    const { principal } = ctx;
    const response = await repo.lockResponse({ db: tx, organisationId: principal.organisationId, id: principal.responseId });
    if (!response) throw responsesErrors.invitationNotFound();
    const row = await repo.findClarification({ db: tx, responseId: response.id, id: ctx.id, forUpdate: true });
    if (!row) throw clarificationErrors.notFound();
    if (row.repliedAt) throw clarificationErrors.alreadyReplied();
    if (response.status === 'withdrawn') throw answerErrors.withdrawn();

    let amended: AnswerSnapshot | null = null;
    if (ctx.amendedAnswer) {
      if (!row.allowAmend) throw clarificationErrors.amendNotAllowed();
      const { definition } = await supplierContext({ ...ctx, db: tx });
      const question = questionsByKey(definition).get(row.questionKey)!;
      const message = checkAnswerValue(question, ctx.amendedAnswer.value);
      if (message) throw answerErrors.invalidValue(question.key, question.ref ?? null, message);
      if (ctx.amendedAnswer.confidential && !ctx.amendedAnswer.confidentialReason?.trim()) throw answerErrors.reasonRequired();
      amended = normalise(ctx.amendedAnswer);
      await repo.saveAnswerWithHistory({
        db: tx,
        values: { organisationId: principal.organisationId, responseId: response.id, questionKey: row.questionKey, ...amended, updatedAt: ctx.now, updatedBy: principal.invitationId },
        change: 'amended',
      });
      await repo.bumpResponse({ db: tx, id: response.id, now: ctx.now });
    }
    const updated = await repo.updateClarification({ db: tx, id: row.id, changes: { reply: ctx.reply.trim(), amendedAnswer: amended, repliedAt: ctx.now, ...(amended ? { amendmentStatus: 'pending' as const } : {}) } });
    await recordAudit({
      db: tx,
      organisationId: principal.organisationId,
      actor: actorOf(principal),
      action: 'clarification.replied',
      subject: { type: 'response', id: response.id },
      details: { clarificationId: row.id, questionKey: row.questionKey, amended: amended !== null },
      now: ctx.now,
    });
    if (amended) await ctx.onChanged?.({ db: tx, organisationId: principal.organisationId, responseId: response.id, now: ctx.now });
    return toDto(updated);
  });
}
