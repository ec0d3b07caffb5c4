import { z } from 'zod';
import { recordAudit } from '../../platform/audit';
import { actorOf, type Principal, type SupplierPrincipal } from '../../platform/auth';
import { issueToken } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import { transactionWithMail, type Mailer } from '../../platform/mail';
import { contactOf, respondUrl } from './invitations.usecases';
import { assertLead, assertWritable, effectiveDeadline, supplierContext } from './responses.access';
import { teamMemberEmail } from './responses.emails';
import { responsesErrors, teamErrors } from './responses.errors';
import * as repo from './responses.repository';
import { supplierResponseAndDefinition } from './responses.usecases';
import { teamMemberProblems } from './team.models';

/**
 * The lead supplier's bid team: colleagues it adds by email to answer named sections, each with
 * its own link (a `team` token, stored only as its hash and emailed, never shown to the lead).
 * A colleague's link opens the web form only: it is not an API bearer token. Only the lead lists,
 * adds and removes colleagues; adding and removing are audited.
 */

type LeadCtx = { db: Db; now: Date; principal: SupplierPrincipal };

export type TeamMemberDto = { id: string; name: string; email: string; sections: string[]; tokenPrefix: string; createdAt: string; revokedAt: string | null };

const toDto = (row: repo.TeamMemberRow): TeamMemberDto => ({
  id: row.id,
  name: row.name,
  email: row.email,
  sections: row.sections,
  tokenPrefix: row.displayPrefix,
  createdAt: row.createdAt.toISOString(),
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

const isUuid = (id: string) => z.uuid().safeParse(id).success;

/** The lead's colleagues, oldest first, removed ones included (with `revokedAt`). */
export async function listTeam(ctx: { db: Db; principal: SupplierPrincipal }): Promise<TeamMemberDto[]> {
  assertLead(ctx.principal, 'manage the bid team');
  return (await repo.teamOf({ db: ctx.db, invitationId: ctx.principal.invitationId })).map(toDto);
}

/** A response's bid team as the council sees it: who the supplier let answer which sections. */
export async function listTeamForOfficer(ctx: { db: Db; principal: Principal; responseId: string }): Promise<TeamMemberDto[]> {
  const found = isUuid(ctx.responseId) ? await repo.findResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.responseId }) : undefined;
  if (!found) throw responsesErrors.responseNotFound();
  return (await repo.teamOf({ db: ctx.db, invitationId: found.invitationId })).map(toDto);
}

/**
 * Adds a colleague for one or more of the sections the lead can see, and emails the colleague its
 * link (redacted in the outbox). Only while the response can still change: not after submission,
 * not past the deadline. The response's row lock makes it take turns with a submission.
 */
export async function addTeamMember(ctx: LeadCtx & { mailer: Mailer; publicBaseUrl: string; name: string; email: string; sections: string[] }): Promise<TeamMemberDto> {
  assertLead(ctx.principal, 'manage the bid team');
  return transactionWithMail(ctx, async (tx, send) => {
    const scoped = { ...ctx, db: tx };
    const { principal } = ctx;
    const response = await repo.lockResponse({ db: tx, organisationId: principal.organisationId, id: principal.responseId });
    if (!response) throw responsesErrors.invitationNotFound();
    const { procurement } = await supplierContext(scoped);
    assertWritable(procurement, response, ctx.now);
    const { view } = await supplierResponseAndDefinition(scoped);
    const team = (await repo.teamOf({ db: tx, invitationId: principal.invitationId })).filter((m) => !m.revokedAt);
    const checked = teamMemberProblems({ name: ctx.name, email: ctx.email, sections: ctx.sections, visible: view.sections, team });
    if ('problems' in checked) throw teamErrors.invalidMember(checked.problems);

    const issued = issueToken({ kind: 'team' });
    const member = await repo.insertTeamMember({
      db: tx,
      values: { organisationId: principal.organisationId, invitationId: principal.invitationId, ...checked.member, tokenHash: issued.hash, displayPrefix: issued.displayPrefix, createdAt: ctx.now },
    });
    const titles = view.sections.filter((s) => member.sections.includes(s.key)).map((s) => (s.ref ? `${s.ref}. ${s.title}` : s.title));
    const email = teamMemberEmail({
      procurement,
      supplierName: view.supplier.name,
      memberName: member.name,
      sections: titles,
      respondUrl: respondUrl(ctx.publicBaseUrl, issued.token),
      deadline: effectiveDeadline(procurement, response),
      contact: await contactOf(scoped),
    });
    const mail = await send({ organisationId: principal.organisationId, message: { ...email, to: member.email, kind: 'team_member', about: { type: 'team_member', id: member.id }, secrets: [issued.token] } });
    await recordAudit({
      db: tx,
      organisationId: principal.organisationId,
      actor: actorOf(principal),
      action: 'team_member.added',
      subject: { type: 'team_member', id: member.id },
      details: { invitationId: principal.invitationId, responseId: response.id, name: member.name, email: member.email, sections: member.sections, outboxId: mail.id },
      now: ctx.now,
    });
    return toDto(member);
  });
}

/** Removes a colleague: its link stops working and its sessions end at once. Removing one already removed changes nothing. */
export async function revokeTeamMember(ctx: LeadCtx & { id: string }): Promise<TeamMemberDto> {
  assertLead(ctx.principal, 'manage the bid team');
  return inTransaction(ctx.db, async (tx) => {
    const { principal } = ctx;
    const member = isUuid(ctx.id) ? await repo.findTeamMember({ db: tx, invitationId: principal.invitationId, id: ctx.id, forUpdate: true }) : undefined;
    if (!member) throw teamErrors.memberNotFound();
    if (member.revokedAt) return toDto(member);
    const revoked = await repo.revokeTeamMember({ db: tx, id: member.id, now: ctx.now });
    await recordAudit({
      db: tx,
      organisationId: principal.organisationId,
      actor: actorOf(principal),
      action: 'team_member.revoked',
      subject: { type: 'team_member', id: member.id },
      details: { invitationId: principal.invitationId, responseId: principal.responseId, name: member.name, email: member.email, sections: member.sections },
      now: ctx.now,
    });
    return toDto(revoked);
  });
}
