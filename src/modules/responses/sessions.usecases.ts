import { randomBytes } from 'node:crypto';
import type { SupplierPrincipal } from '../../platform/auth';
import { constantTimeEqual, hashToken } from '../../platform/crypto';
import type { Db } from '../../platform/db';
import { contactFor } from '../accounts';
import { invitationExpiry } from './responses.models';
import { supplierAccess } from './invitations.usecases';
import * as repo from './responses.repository';

/** How long a web-form session lasts without a new visit to the link: a working day and an evening. */
const SESSION_MS = 12 * 60 * 60 * 1000;

export type LinkProblem = { reason: 'unknown' | 'revoked' | 'expired'; council: string | null };

const secret = () => randomBytes(32).toString('base64url');

/**
 * Opens a web-form session from an invitation link. A link that is unknown, revoked or past its
 * last day gets a reason (and the council, where the link was real) instead of a session.
 */
export async function startSupplierSession({ db, now, token }: { db: Db; now: Date; token: string }): Promise<{ session: string; csrfToken: string; expiresAt: Date } | { problem: LinkProblem }> {
  const invitation = await repo.findInvitationByTokenHash({ db, hash: hashToken(token) });
  if (!invitation) return { problem: { reason: 'unknown', council: null } };
  const council = async () => (await contactFor({ db, organisationId: invitation.organisationId, userId: null })).council;
  if (invitation.revokedAt) return { problem: { reason: 'revoked', council: await council() } };
  const linkExpiry = invitationExpiry(invitation);
  if (linkExpiry <= now) return { problem: { reason: 'expired', council: await council() } };
  const session = secret();
  const csrfToken = secret();
  const expiresAt = new Date(Math.min(now.getTime() + SESSION_MS, linkExpiry.getTime()));
  await repo.insertSession({ db, values: { tokenHash: hashToken(session), invitationId: invitation.invitationId, csrfToken, createdAt: now, expiresAt } });
  return { session, csrfToken, expiresAt };
}

/** The supplier a session cookie stands for, while the session and its invitation are both live. */
export async function resolveSupplierSession({ db, now, session }: { db: Db; now: Date; session: string }): Promise<{ principal: SupplierPrincipal; csrfToken: string } | null> {
  const row = await repo.findSessionByTokenHash({ db, hash: hashToken(session) });
  const access = row && row.expiresAt > now ? supplierAccess(row, now) : null;
  return access && { principal: access.principal, csrfToken: row!.csrfToken };
}

export async function endSupplierSession({ db, session }: { db: Db; session: string }): Promise<void> {
  await repo.deleteSession({ db, hash: hashToken(session) });
}

/** A form's CSRF token against the session's, in constant time. */
export function csrfMatches(expected: string, given: unknown): boolean {
  return typeof given === 'string' && given.length === expected.length && constantTimeEqual(expected, given);
}
