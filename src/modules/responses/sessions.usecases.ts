import { randomBytes } from 'node:crypto';
import type { SupplierPrincipal } from '../../platform/auth';
import { constantTimeEqual, hashToken } from '../../platform/crypto';
import type { Db } from '../../platform/db';
import { contactFor } from '../accounts';
import { invitationExpiry } from './responses.models';
import { supplierAccess } from './invitations.usecases';
import * as repo from './responses.repository';

/**
 * A web-form session ends after this long without a request, so a computer left open is not left
 * signed in; activity moves it on, up to SESSION_ABSOLUTE_MS after the link was opened, and never
 * past the link's own last day. A form posted after the end is kept (see pending.usecases).
 */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 24 * 60 * 60 * 1000;
/** Activity moves the idle expiry on at most once a minute, so reading pages does not write on every request. */
const SLIDE_EVERY_MS = 60 * 1000;

/** `removed`: a bid-team colleague's link that the lead supplier revoked. */
export type LinkProblem = { reason: 'unknown' | 'revoked' | 'removed' | 'expired'; council: string | null };

const secret = () => randomBytes(32).toString('base64url');

type TeamColumns = { teamMemberId: string | null; teamMemberSections: string[] | null; teamMemberRevokedAt: Date | null };

/** The supplier a link or session stands for: the lead, or a bid-team colleague limited to its sections. */
function accessOf(row: repo.InvitationAccess & TeamColumns, now: Date): { principal: SupplierPrincipal; expiresAt: Date } | null {
  if (row.teamMemberId && row.teamMemberRevokedAt) return null;
  const access = supplierAccess(row, now);
  if (!access || !row.teamMemberId) return access;
  return { ...access, principal: { ...access.principal, teamMember: { id: row.teamMemberId, sections: row.teamMemberSections ?? [] } } };
}

export type StartedSession = { session: string | null; expiresAt: Date; invitationId: string; teamMemberId: string | null };

/**
 * Opens a web-form session from an invitation link (the lead's, or a bid-team colleague's). A link
 * that is unknown, revoked or past its last day gets a reason (and the council, where the link was
 * real) instead. When the browser already has a live session for the same link, that one carries
 * on (`session: null`): opening the link again in another tab must not end the tab already open.
 */
export async function startSupplierSession({ db, now, token, current }: { db: Db; now: Date; token: string; current?: string | undefined }): Promise<StartedSession | { problem: LinkProblem }> {
  const hash = hashToken(token);
  const invitation = (await repo.findInvitationByTokenHash({ db, hash })) ?? null;
  const row: (repo.InvitationAccess & TeamColumns) | null = invitation
    ? { ...invitation, teamMemberId: null, teamMemberSections: null, teamMemberRevokedAt: null }
    : ((await repo.findTeamMemberByTokenHash({ db, hash })) ?? null);
  if (!row) return { problem: { reason: 'unknown', council: null } };
  const council = async () => (await contactFor({ db, organisationId: row.organisationId, userId: null })).council;
  if (row.revokedAt) return { problem: { reason: 'revoked', council: await council() } };
  if (row.teamMemberRevokedAt) return { problem: { reason: 'removed', council: await council() } };
  const linkExpiry = invitationExpiry(row);
  if (linkExpiry <= now) return { problem: { reason: 'expired', council: await council() } };

  if (current) {
    const live = await resolveSupplierSession({ db, now, session: current });
    if (live && live.principal.invitationId === row.invitationId && (live.principal.teamMember?.id ?? null) === row.teamMemberId) {
      return { session: null, expiresAt: live.absoluteExpiresAt, invitationId: row.invitationId, teamMemberId: row.teamMemberId };
    }
  }
  const session = secret();
  const absoluteExpiresAt = new Date(Math.min(now.getTime() + SESSION_ABSOLUTE_MS, linkExpiry.getTime()));
  const expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, absoluteExpiresAt.getTime()));
  await repo.insertSession({ db, values: { tokenHash: hashToken(session), invitationId: row.invitationId, teamMemberId: row.teamMemberId, csrfToken: secret(), createdAt: now, expiresAt, absoluteExpiresAt } });
  return { session, expiresAt: absoluteExpiresAt, invitationId: row.invitationId, teamMemberId: row.teamMemberId };
}

export type ResolvedSession = { principal: SupplierPrincipal; csrfToken: string; absoluteExpiresAt: Date };

/**
 * The supplier a session cookie stands for, while the session and its invitation (and the
 * colleague's link, for a colleague) are all live. A live session's idle expiry moves on.
 */
export async function resolveSupplierSession({ db, now, session }: { db: Db; now: Date; session: string }): Promise<ResolvedSession | null> {
  const row = await repo.findSessionByTokenHash({ db, hash: hashToken(session) });
  if (!row) return null;
  const absolute = row.absoluteExpiresAt ?? row.expiresAt;
  if (row.expiresAt <= now || absolute <= now) return null;
  const access = accessOf(row, now);
  if (!access) return null;
  const slid = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, absolute.getTime(), access.expiresAt.getTime()));
  if (slid.getTime() - row.expiresAt.getTime() >= SLIDE_EVERY_MS) await repo.slideSession({ db, id: row.sessionId, expiresAt: slid });
  return { principal: access.principal, csrfToken: row.csrfToken, absoluteExpiresAt: absolute };
}

export async function endSupplierSession({ db, session }: { db: Db; session: string }): Promise<void> {
  await repo.deleteSession({ db, hash: hashToken(session) });
}

/** A form's CSRF token against the session's, in constant time. */
export function csrfMatches(expected: string, given: unknown): boolean {
  return typeof given === 'string' && given.length === expected.length && constantTimeEqual(expected, given);
}
