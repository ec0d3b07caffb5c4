import { randomBytes } from 'node:crypto';
import type { Config } from '../../config';
import { recordAudit } from '../../platform/audit';
import type { Role, UserPrincipal } from '../../platform/auth';
import { hashToken } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import { accountsErrors } from './accounts.errors';
import * as accountsRepo from './accounts.repository';
import type { SignInMethod } from './staff.models';
import * as repo from './staff.repository';

/**
 * Council staff's browser sessions: started by a sign-in (emailed link, single sign-on, first-run
 * setup), resolved on every console request, ended by signing out, from "Your sessions", by expiry,
 * or at once when the user is deactivated (resolving reads whether the user is still active).
 */

type SessionConfig = Pick<Config, 'staffSessionIdleMs' | 'staffSessionAbsoluteMs'>;

/** Activity moves the idle expiry on at most once a minute, so reading pages does not write on every request. */
export const SLIDE_EVERY_MS = 60_000;

export type StaffSession = {
  id: string;
  /** The signed-in user as the use cases take it; `tokenId` is the session's id. */
  principal: UserPrincipal;
  csrfToken: string;
  user: { id: string; name: string; email: string; role: Role };
  organisation: { id: string; name: string };
};

const secret = () => randomBytes(32).toString('base64url');

/**
 * Starts a session for an active user of the organisation and records the sign-in. Returns the
 * cookie's secret (only its hash is kept) and when the session ends at the latest. The user's
 * sessions that can no longer be used are deleted here, so the table stays small.
 */
export async function startStaffSession({
  db,
  now,
  config,
  userId,
  organisationId,
  method,
}: {
  db: Db;
  now: Date;
  config: SessionConfig;
  userId: string;
  organisationId: string;
  method: SignInMethod;
}): Promise<{ secret: string; absoluteExpiresAt: Date; role: Role }> {
  return inTransaction(db, async (tx) => {
    const user = await accountsRepo.findUser({ db: tx, organisationId, id: userId });
    if (!user || !user.active) throw accountsErrors.userNotFound();
    await repo.deleteDeadSessionsOf({ db: tx, userId, now, idleSince: new Date(now.getTime() - config.staffSessionIdleMs) });
    const cookie = secret();
    const absoluteExpiresAt = new Date(now.getTime() + config.staffSessionAbsoluteMs);
    const row = await repo.insertSession({
      db: tx,
      values: { organisationId, userId, tokenHash: hashToken(cookie), csrfToken: secret(), method, createdAt: now, lastSeenAt: now, absoluteExpiresAt },
    });
    await recordAudit({ db: tx, organisationId, actor: { type: 'user', id: userId }, action: 'staff.signed_in', subject: { type: 'staff_session', id: row.id }, details: { method }, now });
    // The role read now, so the sign-in can send the user to their own home page.
    return { secret: cookie, absoluteExpiresAt, role: user.role };
  });
}

/**
 * The session a cookie stands for, or null when it is unknown, ended, past its absolute expiry, idle
 * for longer than the idle time, or its user has been deactivated. A live session's idle expiry moves on.
 */
export async function resolveStaffSession({ db, now, config, secret: cookie }: { db: Db; now: Date; config: SessionConfig; secret: string }): Promise<StaffSession | null> {
  if (cookie.length === 0 || cookie.length > 200) return null;
  const row = await repo.prepareSessionLookup({ db })({ hash: hashToken(cookie) });
  if (!row || row.endedAt || !row.userActive) return null;
  if (row.absoluteExpiresAt <= now || row.lastSeenAt.getTime() + config.staffSessionIdleMs <= now.getTime()) return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= SLIDE_EVERY_MS) {
    await repo.touchSession({ db, id: row.id, now, olderThan: new Date(now.getTime() - SLIDE_EVERY_MS) });
  }
  return {
    id: row.id,
    principal: { kind: 'user', organisationId: row.organisationId, userId: row.userId, role: row.userRole, tokenId: row.id },
    csrfToken: row.csrfToken,
    user: { id: row.userId, name: row.userName, email: row.userEmail, role: row.userRole },
    organisation: { id: row.organisationId, name: row.organisationName },
  };
}

/** Signing out: ends the session the cookie stands for, if it is still going, and records it. */
export async function endStaffSession({ db, now, secret: cookie }: { db: Db; now: Date; secret: string }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const ended = await repo.endSessionByHash({ db: tx, hash: hashToken(cookie), now });
    if (!ended) return;
    await recordAudit({ db: tx, organisationId: ended.organisationId, actor: { type: 'user', id: ended.userId }, action: 'staff.signed_out', subject: { type: 'staff_session', id: ended.id }, details: { method: ended.method }, now });
  });
}

export type SessionListItem = { id: string; method: SignInMethod; startedAt: Date; lastActiveAt: Date; current: boolean };

/** The signed-in user's live sessions, newest activity first, this one marked. */
export async function listStaffSessions({ db, now, config, session }: { db: Db; now: Date; config: SessionConfig; session: StaffSession }): Promise<SessionListItem[]> {
  const rows = await repo.liveSessionsOf({
    db,
    organisationId: session.organisation.id,
    userId: session.user.id,
    now,
    idleSince: new Date(now.getTime() - config.staffSessionIdleMs),
  });
  return rows.map((row) => ({ id: row.id, method: row.method, startedAt: row.createdAt, lastActiveAt: row.id === session.id ? now : row.lastSeenAt, current: row.id === session.id }));
}

/**
 * Ends the user's own sessions other than the current one: one by id (`id`), or all of them.
 * Another user's session, or an id that is not a session, ends nothing. Returns how many ended.
 */
export async function endOtherStaffSessions({ db, now, session, id }: { db: Db; now: Date; session: StaffSession; id?: string | undefined }): Promise<number> {
  return inTransaction(db, async (tx) => {
    const scope = { db: tx, organisationId: session.organisation.id, userId: session.user.id, now };
    let ended: repo.StaffSessionRow[];
    if (id === undefined) ended = await repo.endSessionsOf({ ...scope, except: session.id });
    else if (id === session.id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) ended = [];
    else ended = [await repo.endSessionOf({ ...scope, id })].filter((row): row is repo.StaffSessionRow => row !== undefined);
    for (const row of ended) {
      await recordAudit({
        db: tx,
        organisationId: session.organisation.id,
        actor: { type: 'user', id: session.user.id },
        action: 'staff.session_ended',
        subject: { type: 'staff_session', id: row.id },
        details: { method: row.method, from: session.id },
        now,
      });
    }
    return ended.length;
  });
}
