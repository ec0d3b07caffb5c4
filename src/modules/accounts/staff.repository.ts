import { and, desc, eq, gt, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import { prepared, type Db } from '../../platform/db';
import type { Role } from '../../platform/auth';
import { organisations, staffSessions, staffSignInLinks, users } from './accounts.table';

/** Staff sessions and sign-in links: every query by a secret's hash, or scoped to one user of one organisation. */

export type StaffSessionRow = typeof staffSessions.$inferSelect;
export type SignInLinkRow = typeof staffSignInLinks.$inferSelect;

export async function insertSession({ db, values }: { db: Db; values: typeof staffSessions.$inferInsert }): Promise<StaffSessionRow> {
  const [row] = await db.insert(staffSessions).values(values).returning();
  return row!;
}

export type SessionLookup = {
  id: string;
  organisationId: string;
  userId: string;
  csrfToken: string;
  method: StaffSessionRow['method'];
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
  endedAt: Date | null;
  userName: string;
  userEmail: string;
  userRole: Role;
  userActive: boolean;
  organisationName: string;
};

/**
 * Every console request looks its session up: one prepared statement, by hash, with the user (its
 * role and whether it is still active, read afresh each time) and the organisation's name joined.
 */
export function prepareSessionLookup({ db }: { db: Db }) {
  const statement = prepared(db, 'staff_session_by_hash', (handle) =>
    handle
      .select({
        id: staffSessions.id,
        organisationId: staffSessions.organisationId,
        userId: staffSessions.userId,
        csrfToken: staffSessions.csrfToken,
        method: staffSessions.method,
        lastSeenAt: staffSessions.lastSeenAt,
        absoluteExpiresAt: staffSessions.absoluteExpiresAt,
        endedAt: staffSessions.endedAt,
        userName: users.name,
        userEmail: users.email,
        userRole: users.role,
        userActive: users.active,
        organisationName: organisations.name,
      })
      .from(staffSessions)
      .innerJoin(users, and(eq(users.id, staffSessions.userId), eq(users.organisationId, staffSessions.organisationId)))
      .innerJoin(organisations, eq(organisations.id, staffSessions.organisationId))
      .where(eq(staffSessions.tokenHash, sql.placeholder('hash')))
      .prepare('staff_session_by_hash'),
  );
  return async ({ hash }: { hash: string }): Promise<SessionLookup | undefined> => {
    const [row] = await statement.execute({ hash });
    return row as SessionLookup | undefined;
  };
}

/** Moves the idle expiry on; only when the stored time is older than `olderThan`, so a page view rarely writes. */
export async function touchSession({ db, id, now, olderThan }: { db: Db; id: string; now: Date; olderThan: Date }): Promise<void> {
  await db
    .update(staffSessions)
    .set({ lastSeenAt: now })
    .where(and(eq(staffSessions.id, id), isNull(staffSessions.endedAt), lte(staffSessions.lastSeenAt, olderThan)));
}

/** The user's sessions that are still live at `now`, newest first. */
export async function liveSessionsOf({ db, organisationId, userId, now, idleSince }: { db: Db; organisationId: string; userId: string; now: Date; idleSince: Date }): Promise<StaffSessionRow[]> {
  return db
    .select()
    .from(staffSessions)
    .where(
      and(
        eq(staffSessions.organisationId, organisationId),
        eq(staffSessions.userId, userId),
        isNull(staffSessions.endedAt),
        gt(staffSessions.absoluteExpiresAt, now),
        gt(staffSessions.lastSeenAt, idleSince),
      ),
    )
    .orderBy(desc(staffSessions.lastSeenAt), desc(staffSessions.id));
}

/** Ends one session, by hash; returns it when it was live until now. */
export async function endSessionByHash({ db, hash, now }: { db: Db; hash: string; now: Date }): Promise<StaffSessionRow | undefined> {
  const [row] = await db
    .update(staffSessions)
    .set({ endedAt: now })
    .where(and(eq(staffSessions.tokenHash, hash), isNull(staffSessions.endedAt)))
    .returning();
  return row;
}

/** Ends one of the user's own sessions by id (never another user's); returns it when it was live until now. */
export async function endSessionOf({ db, organisationId, userId, id, now }: { db: Db; organisationId: string; userId: string; id: string; now: Date }): Promise<StaffSessionRow | undefined> {
  const [row] = await db
    .update(staffSessions)
    .set({ endedAt: now })
    .where(and(eq(staffSessions.organisationId, organisationId), eq(staffSessions.userId, userId), eq(staffSessions.id, id), isNull(staffSessions.endedAt)))
    .returning();
  return row;
}

/** Ends every session of the user but `except`; returns those ended. */
export async function endSessionsOf({ db, organisationId, userId, except, now }: { db: Db; organisationId: string; userId: string; except?: string | undefined; now: Date }): Promise<StaffSessionRow[]> {
  return db
    .update(staffSessions)
    .set({ endedAt: now })
    .where(
      and(
        eq(staffSessions.organisationId, organisationId),
        eq(staffSessions.userId, userId),
        isNull(staffSessions.endedAt),
        except ? ne(staffSessions.id, except) : undefined,
      ),
    )
    .returning();
}

/** Forgets the user's sessions that can no longer be used (ended or expired), so the table does not grow for ever. */
export async function deleteDeadSessionsOf({ db, userId, now, idleSince }: { db: Db; userId: string; now: Date; idleSince: Date }): Promise<void> {
  await db
    .delete(staffSessions)
    .where(and(eq(staffSessions.userId, userId), or(isNotNull(staffSessions.endedAt), lte(staffSessions.absoluteExpiresAt, now), lte(staffSessions.lastSeenAt, idleSince))));
}

export async function insertSignInLink({ db, values }: { db: Db; values: typeof staffSignInLinks.$inferInsert }): Promise<SignInLinkRow> {
  const [row] = await db.insert(staffSignInLinks).values(values).returning();
  return row!;
}

export async function findSignInLink({ db, hash }: { db: Db; hash: string }): Promise<SignInLinkRow | undefined> {
  const [row] = await db.select().from(staffSignInLinks).where(eq(staffSignInLinks.tokenHash, hash));
  return row;
}

/**
 * Spends a link: one conditional update, so of two requests racing with the same link exactly one
 * gets the row back. Unused and unexpired at `now`, or nothing.
 */
export async function useSignInLink({ db, hash, now }: { db: Db; hash: string; now: Date }): Promise<SignInLinkRow | undefined> {
  const [row] = await db
    .update(staffSignInLinks)
    .set({ usedAt: now })
    .where(and(eq(staffSignInLinks.tokenHash, hash), isNull(staffSignInLinks.usedAt), gt(staffSignInLinks.expiresAt, now)))
    .returning();
  return row;
}

/** Forgets the user's links used or expired before `before` (kept a while, so a second click still says "already used"). */
export async function deleteOldSignInLinksOf({ db, userId, before }: { db: Db; userId: string; before: Date }): Promise<void> {
  await db
    .delete(staffSignInLinks)
    .where(and(eq(staffSignInLinks.userId, userId), or(lte(staffSignInLinks.usedAt, before), lte(staffSignInLinks.expiresAt, before))));
}

/** The active users with this address, in every organisation (one person may belong to several), with the organisation's name. */
export async function activeUsersByEmail({ db, email }: { db: Db; email: string }): Promise<Array<{ userId: string; organisationId: string; organisationName: string; name: string; email: string }>> {
  return db
    .select({ userId: users.id, organisationId: users.organisationId, organisationName: organisations.name, name: users.name, email: users.email })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(users.email, email), eq(users.active, true)))
    .orderBy(organisations.name, organisations.id);
}
