import { and, asc, count, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { prepared, type Db } from '../../platform/db';
import { afterCreatedAtId, createdAtIdKey, toPage, type Page } from '../../platform/pagination';
import type { AccessTokenRow, OrganisationRow, UserRow } from './accounts.models';
import { accessTokens, organisations, users } from './accounts.table';


export async function countOrganisations({ db }: { db: Db }): Promise<number> {
  const [row] = await db.select({ n: count() }).from(organisations);
  return row?.n ?? 0;
}

export async function insertOrganisation({ db, name, now }: { db: Db; name: string; now: Date }): Promise<OrganisationRow> {
  const [row] = await db.insert(organisations).values({ name, createdAt: now }).returning();
  return row!;
}

export async function findOrganisation({ db, id }: { db: Db; id: string }): Promise<OrganisationRow | undefined> {
  const [row] = await db.select().from(organisations).where(eq(organisations.id, id));
  return row;
}

export async function insertUser({
  db,
  organisationId,
  email,
  name,
  role,
  now,
}: {
  db: Db;
  organisationId: string;
  email: string;
  name: string;
  role: UserRow['role'];
  now: Date;
}): Promise<UserRow> {
  const [row] = await db.insert(users).values({ organisationId, email, name, role, createdAt: now, updatedAt: now }).returning();
  return row!;
}

export async function findUser({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(and(eq(users.organisationId, organisationId), eq(users.id, id)));
  return row;
}

export async function findUsers({ db, organisationId, ids }: { db: Db; organisationId: string; ids: string[] }): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(users).where(and(eq(users.organisationId, organisationId), inArray(users.id, ids)));
}

/** Read on every /v1/me, so prepared once per database handle. */
export async function findUserWithOrganisation({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<{ user: UserRow; organisation: OrganisationRow } | undefined> {
  const statement = prepared(db, 'user_with_organisation', (handle) =>
    handle
      .select({ user: users, organisation: organisations })
      .from(users)
      .innerJoin(organisations, eq(organisations.id, users.organisationId))
      .where(and(eq(users.organisationId, sql.placeholder('organisationId')), eq(users.id, sql.placeholder('id'))))
      .prepare('user_with_organisation'),
  );
  const [row] = await statement.execute({ organisationId, id });
  return row as { user: UserRow; organisation: OrganisationRow } | undefined;
}

/** The organisation's active admins' names and addresses, for notices only admins act on. */
export async function activeAdmins({ db, organisationId }: { db: Db; organisationId: string }): Promise<Array<{ name: string; email: string }>> {
  return db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.organisationId, organisationId), eq(users.role, 'admin'), eq(users.active, true)))
    .orderBy(users.email);
}

/** Locks the organisation's admins, so two concurrent demotions cannot both pass the last-admin check. */
export async function lockActiveAdmins({ db, organisationId }: { db: Db; organisationId: string }): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.organisationId, organisationId), eq(users.role, 'admin'), eq(users.active, true)))
    .for('update');
  return rows.map((r) => r.id);
}

export async function updateUser({
  db,
  organisationId,
  id,
  changes,
  now,
}: {
  db: Db;
  organisationId: string;
  id: string;
  changes: Partial<Pick<UserRow, 'role' | 'active' | 'name'>>;
  now: Date;
}): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...changes, updatedAt: now })
    .where(and(eq(users.organisationId, organisationId), eq(users.id, id)))
    .returning();
  return row;
}

export async function listUsers({
  db,
  organisationId,
  limit,
  cursor,
}: {
  db: Db;
  organisationId: string;
  limit: number;
  cursor?: string | undefined;
}): Promise<Page<UserRow>> {
  const rows = await db
    .select()
    .from(users)
    .where(and(eq(users.organisationId, organisationId), afterCreatedAtId({ cursor, createdAt: users.createdAt, id: users.id })))
    .orderBy(asc(users.createdAt), asc(users.id))
    .limit(limit + 1);
  return toPage({ rows, limit, keyOf: createdAtIdKey, toItem: (row) => row });
}

export async function insertAccessToken({ db, values }: { db: Db; values: typeof accessTokens.$inferInsert }): Promise<AccessTokenRow> {
  const [row] = await db.insert(accessTokens).values(values).returning();
  return row!;
}

export async function listAccessTokens({
  db,
  organisationId,
  kind,
  userId,
  limit,
  cursor,
}: {
  db: Db;
  organisationId: string;
  kind: 'pat' | 'key';
  userId?: string;
  limit: number;
  cursor?: string | undefined;
}): Promise<Page<AccessTokenRow>> {
  const rows = await db
    .select()
    .from(accessTokens)
    .where(
      and(
        eq(accessTokens.organisationId, organisationId),
        eq(accessTokens.kind, kind),
        userId ? eq(accessTokens.userId, userId) : undefined,
        afterCreatedAtId({ cursor, createdAt: accessTokens.createdAt, id: accessTokens.id }),
      ),
    )
    .orderBy(asc(accessTokens.createdAt), asc(accessTokens.id))
    .limit(limit + 1);
  return toPage({ rows, limit, keyOf: createdAtIdKey, toItem: (row) => row });
}

/** One token of the given kind in the organisation, whatever its state. */
export async function findAccessToken({ db, organisationId, kind, id }: { db: Db; organisationId: string; kind: 'pat' | 'key'; id: string }): Promise<AccessTokenRow | undefined> {
  const [row] = await db
    .select()
    .from(accessTokens)
    .where(and(eq(accessTokens.organisationId, organisationId), eq(accessTokens.kind, kind), eq(accessTokens.id, id)));
  return row;
}

/** Revokes a token of the given kind (and owner, for personal tokens); undefined when there is none to revoke. */
export async function revokeAccessToken({
  db,
  organisationId,
  kind,
  id,
  userId,
  now,
}: {
  db: Db;
  organisationId: string;
  kind: 'pat' | 'key';
  id: string;
  userId?: string;
  now: Date;
}): Promise<{ row: AccessTokenRow; revokedNow: boolean } | undefined> {
  const scope = and(
    eq(accessTokens.organisationId, organisationId),
    eq(accessTokens.kind, kind),
    eq(accessTokens.id, id),
    userId ? eq(accessTokens.userId, userId) : undefined,
  );
  const [revoked] = await db
    .update(accessTokens)
    .set({ revokedAt: now })
    .where(and(scope, isNull(accessTokens.revokedAt)))
    .returning();
  if (revoked) return { row: revoked, revokedNow: true };
  // Revoking twice is not an error: answer with the token as it is.
  const [existing] = await db.select().from(accessTokens).where(scope);
  return existing ? { row: existing, revokedNow: false } : undefined;
}

export type TokenLookup = {
  tokenId: string;
  organisationId: string;
  kind: 'pat' | 'key';
  scopes: AccessTokenRow['scopes'];
  revokedAt: Date | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  userId: string | null;
  userRole: UserRow['role'] | null;
  userActive: boolean | null;
};

/**
 * The hot path of every authenticated request: one prepared statement, by hash, with the user joined.
 */
export function prepareTokenLookup({ db }: { db: Db }) {
  const statement = prepared(db, 'access_token_by_hash', (handle) => handle
    .select({
      tokenId: accessTokens.id,
      organisationId: accessTokens.organisationId,
      kind: accessTokens.kind,
      scopes: accessTokens.scopes,
      revokedAt: accessTokens.revokedAt,
      expiresAt: accessTokens.expiresAt,
      lastUsedAt: accessTokens.lastUsedAt,
      userId: users.id,
      userRole: users.role,
      userActive: users.active,
    })
    .from(accessTokens)
    .leftJoin(users, eq(users.id, accessTokens.userId))
    .where(eq(accessTokens.tokenHash, sql.placeholder('hash')))
    .prepare('access_token_by_hash'));
  return async ({ hash }: { hash: string }): Promise<TokenLookup | undefined> => {
    const [row] = await statement.execute({ hash });
    return row as TokenLookup | undefined;
  };
}

export async function touchAccessToken({ db, id, now, olderThan }: { db: Db; id: string; now: Date; olderThan: Date }): Promise<void> {
  await db
    .update(accessTokens)
    .set({ lastUsedAt: now })
    .where(and(eq(accessTokens.id, id), or(isNull(accessTokens.lastUsedAt), lt(accessTokens.lastUsedAt, olderThan))));
}
