import { recordAudit } from '../../platform/audit';
import { emitEvent } from '../../platform/events';
import { actorOf, type Principal, type SupplierPrincipal, type TokenResolver } from '../../platform/auth';
import { issueToken } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import { transactionWithMail, type Mailer } from '../../platform/mail';
import type { Page } from '../../platform/pagination';
import { contactFor } from '../accounts';
import type { ProcurementDto } from '../procurements';
import { getQuestionnaire, type Answers } from '../questionnaires';
import { effectiveDeadline, procurementOf } from './responses.access';
import { invitationEmail, newLinkEmail, reminderEmail, type Contact, type Email } from './responses.emails';
import { responsesErrors } from './responses.errors';
import { completenessOf, invitationExpiry } from './responses.models';
import * as repo from './responses.repository';

type Ctx = { db: Db; now: Date; principal: Principal };
type MailCtx = Ctx & { mailer: Mailer };

/** Who the supplier should contact: the council, and the officer acting when it is a person. */
export function contactOf({ db, principal }: { db: Db; principal: Principal }): Promise<Contact> {
  return contactFor({ db, organisationId: principal.organisationId, userId: principal.kind === 'user' ? principal.userId : null });
}

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

export function toInvitationDto({ invitation, response }: { invitation: repo.InvitationRow; response: repo.ResponseRow }): InvitationDto {
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

export const respondUrl = (publicBaseUrl: string, token: string) => `${publicBaseUrl}/respond/${token}`;

/** Invites a supplier: one invitation, one empty response, and a token shown only in this answer. */
export async function inviteSupplier(
  ctx: MailCtx & { procurementId: string; supplierName: string; contactEmail: string; companyNumber?: string | undefined; publicBaseUrl: string },
): Promise<{ invitation: InvitationDto; token: string; respondUrl: string; emailed: boolean; email: Email }> {
  return transactionWithMail(ctx, async (tx, send) => {
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
    const link = respondUrl(ctx.publicBaseUrl, issued.token);
    // A draft's link would open a questionnaire that cannot be answered yet: the email waits for a
    // new link (resend) once the procurement is open.
    const emailed = procurement.status === 'open';
    await emitEvent({
      db: tx,
      organisationId: ctx.principal.organisationId,
      type: 'invitation.sent',
      subject: { type: 'invitation', id: invitation.id },
      data: { procurementId: procurement.id, invitationId: invitation.id, responseId: response.id, emailed, resent: false },
      now: ctx.now,
    });
    // Written either way: the console shows the officer its words, to send themselves while a draft.
    const email = invitationEmail({ procurement, supplierName: invitation.supplierName, respondUrl: link, deadline: new Date(procurement.deadline), contact: await contactOf(scoped) });
    if (emailed) {
      await send({ organisationId: ctx.principal.organisationId, message: { ...email, to: invitation.contactEmail, kind: 'invitation', about: { type: 'invitation', id: invitation.id }, secrets: [issued.token] } });
    }
    return { invitation: toInvitationDto({ invitation, response }), token: issued.token, respondUrl: link, emailed, email };
  });
}

export async function listInvitations(ctx: Ctx & { procurementId: string; limit: number; cursor?: string | undefined }): Promise<Page<InvitationDto>> {
  await procurementOf(ctx, ctx.procurementId);
  const page = await repo.listInvitations({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: ctx.procurementId, limit: ctx.limit, cursor: ctx.cursor });
  return { ...page, items: page.items.map(toInvitationDto) };
}

/** One invitation of this procurement; another procurement's (or another council's) is not found, as a console URL names both. */
export async function invitationOfProcurement(ctx: { db: Db; principal: Principal; procurementId: string; invitationId: string }): Promise<InvitationDto> {
  const found = await repo.findInvitation({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.invitationId });
  if (!found || found.invitation.procurementId !== ctx.procurementId) throw responsesErrors.invitationNotFound();
  return toInvitationDto(found);
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
export async function resendInvitation(ctx: MailCtx & { id: string; publicBaseUrl: string }): Promise<{ invitation: InvitationDto; token: string; respondUrl: string; emailed: boolean; email: Email }> {
  return transactionWithMail(ctx, async (tx, send) => {
    const found = await repo.findInvitation({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.id, forUpdate: true });
    if (!found) throw responsesErrors.invitationNotFound();
    if (found.invitation.revokedAt) throw responsesErrors.invitationRevoked();
    const issued = issueToken({ kind: 'inv' });
    const invitation = await repo.updateInvitation({ db: tx, id: ctx.id, changes: { tokenHash: issued.hash, displayPrefix: issued.displayPrefix, tokenIssuedAt: ctx.now } });
    await recordAudit({ db: tx, organisationId: ctx.principal.organisationId, actor: actorOf(ctx.principal), action: 'invitation.resent', subject: { type: 'invitation', id: ctx.id }, now: ctx.now });
    await emitEvent({
      db: tx,
      organisationId: ctx.principal.organisationId,
      type: 'invitation.sent',
      subject: { type: 'invitation', id: ctx.id },
      data: { procurementId: invitation.procurementId, invitationId: ctx.id, responseId: found.response.id, emailed: true, resent: true },
      now: ctx.now,
    });
    const link = respondUrl(ctx.publicBaseUrl, issued.token);
    const scoped = { ...ctx, db: tx };
    const procurement = await procurementOf(scoped, invitation.procurementId);
    const email = newLinkEmail({ procurement, supplierName: invitation.supplierName, respondUrl: link, deadline: effectiveDeadline(procurement, found.response), contact: await contactOf(scoped) });
    await send({ organisationId: ctx.principal.organisationId, message: { ...email, to: invitation.contactEmail, kind: 'new_link', about: { type: 'invitation', id: invitation.id }, secrets: [issued.token] } });
    return { invitation: toInvitationDto({ invitation, response: found.response }), token: issued.token, respondUrl: link, emailed: true, email };
  });
}

/** Turns a supplier's invitation token into a principal that can reach its own response and nothing else. */
export function createInvitationTokenResolver({ db, now }: { db: Db; now: () => Date }): TokenResolver {
  return async ({ tokenHash }) => {
    const row = await repo.findInvitationByTokenHash({ db, hash: tokenHash });
    const access = row ? supplierAccess(row, now()) : null;
    return access && { principal: access.principal, validUntil: access.expiresAt };
  };
}

/** The supplier an invitation lets in, while it is neither revoked nor past its last day (the link's and a session's rule). */
export function supplierAccess(row: repo.InvitationAccess, now: Date): { principal: SupplierPrincipal; expiresAt: Date } | null {
  if (row.revokedAt) return null;
  const expiresAt = invitationExpiry(row);
  if (expiresAt <= now) return null;
  return { principal: { kind: 'supplier', organisationId: row.organisationId, invitationId: row.invitationId, responseId: row.responseId, procurementId: row.procurementId }, expiresAt };
}


/** What a supplier still has to do before it can submit, counted as the submit check counts it. */
export async function outstandingFor({ db, principal, procurement, responseId }: { db: Db; principal: Principal; procurement: ProcurementDto; responseId: string }): Promise<number> {
  const { definition } = await getQuestionnaire({ db, principal, id: procurement.questionnaire.id });
  const rows = await repo.answersOf({ db, responseId });
  const files = await repo.evidenceOf({ db, responseId });
  return completenessOf({ definition, triage: procurement.triage as Answers, answers: rows, evidence: files }).missing.length;
}

/**
 * Reminds a supplier of its deadline and what is left to do. Only while it can still answer: not
 * after it submitted or withdrew, not past its deadline, not once the invitation is revoked.
 * No link: the token is known only to the supplier; a lost link is what resend is for.
 */
export async function remindSupplier(ctx: MailCtx & { id: string }): Promise<{ invitation: InvitationDto; outboxId: string }> {
  return transactionWithMail(ctx, async (tx, send) => {
    const scoped = { ...ctx, db: tx };
    const found = await repo.findInvitation({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.id, forUpdate: true });
    if (!found) throw responsesErrors.invitationNotFound();
    if (found.invitation.revokedAt) throw responsesErrors.invitationRevoked();
    const { response, invitation } = found;
    if (response.status === 'submitted' || response.status === 'withdrawn') throw responsesErrors.nothingToRemind(response.status);
    const procurement = await procurementOf(scoped, invitation.procurementId);
    const deadline = effectiveDeadline(procurement, response);
    if (procurement.status !== 'open' || deadline <= ctx.now) throw responsesErrors.nothingToRemind(procurement.status === 'open' ? 'past its deadline' : procurement.status);
    const outstanding = await outstandingFor({ db: tx, principal: ctx.principal, procurement, responseId: response.id });
    const email = reminderEmail({ procurement, supplierName: invitation.supplierName, deadline, outstanding, contact: await contactOf(scoped) });
    const mail = await send({ organisationId: ctx.principal.organisationId, message: { ...email, to: invitation.contactEmail, kind: 'reminder', about: { type: 'invitation', id: invitation.id } } });
    await recordAudit({
      db: tx,
      organisationId: ctx.principal.organisationId,
      actor: actorOf(ctx.principal),
      action: 'invitation.reminded',
      subject: { type: 'invitation', id: invitation.id },
      details: { responseId: response.id, outboxId: mail.id, outstanding, deadline: deadline.toISOString() },
      now: ctx.now,
    });
    return { invitation: toInvitationDto(found), outboxId: mail.id };
  });
}
