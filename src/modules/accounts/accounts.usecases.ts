import { sql } from 'drizzle-orm';
import { recordAudit } from '../../platform/audit';
import { actorOf, type Actor, type Principal, type Role, type Scope, type TokenResolver, type UserPrincipal } from '../../platform/auth';
import { issueToken } from '../../platform/crypto';
import { inTransaction, isUniqueViolation, type Db } from '../../platform/db';
import type { Page } from '../../platform/pagination';
import { accountsErrors } from './accounts.errors';
import {
  isTokenUsable,
  LAST_USED_RESOLUTION_MS,
  normaliseEmail,
  toApiKeyDto,
  toOrganisationDto,
  toTokenDto,
  toUserDto,
  type ApiKeyDto,
  type OrganisationDto,
  type TokenDto,
  type UserDto,
} from './accounts.models';
import * as repo from './accounts.repository';
import * as staffRepo from './staff.repository';

type Ctx = { db: Db; now: Date };
type Scoped = Ctx & { principal: Principal };

async function createUserWithToken({
  db,
  now,
  organisationId,
  email,
  name,
  role,
  actor,
}: Ctx & { organisationId: string; email: string; name: string; role: Role; actor: Actor | 'self' }) {
  let user;
  try {
    user = await repo.insertUser({ db, organisationId, email: normaliseEmail(email), name: name.trim(), role, now });
  } catch (error) {
    if (isUniqueViolation(error, 'users_organisation_email')) throw accountsErrors.emailTaken();
    throw error;
  }
  const issued = issueToken({ kind: 'pat' });
  const tokenRow = await repo.insertAccessToken({
    db,
    values: {
      organisationId,
      kind: 'pat',
      userId: user.id,
      name: 'First token',
      displayPrefix: issued.displayPrefix,
      tokenHash: issued.hash,
      createdBy: actor === 'self' ? user.id : actor.id,
      createdAt: now,
    },
  });
  return { user, tokenRow, token: issued.token };
}

/** Creates an organisation with its first admin, who gets a first personal token. */
export async function createOrganisationWithAdmin({
  db,
  now,
  organisationName,
  adminEmail,
  adminName,
}: Ctx & { organisationName: string; adminEmail: string; adminName: string }): Promise<{
  organisation: OrganisationDto;
  user: UserDto;
  token: string;
}> {
  return inTransaction(db, async (tx) => {
    const organisation = await repo.insertOrganisation({ db: tx, name: organisationName.trim(), now });
    const { user, token } = await createUserWithToken({
      db: tx,
      now,
      organisationId: organisation.id,
      email: adminEmail,
      name: adminName,
      role: 'admin',
      actor: 'self',
    });
    await recordAudit({
      db: tx,
      organisationId: organisation.id,
      actor: { type: 'user', id: user.id },
      action: 'organisation.created',
      subject: { type: 'organisation', id: organisation.id },
      details: { name: organisation.name, adminUserId: user.id },
      now,
    });
    return { organisation: toOrganisationDto(organisation), user: toUserDto(user), token };
  });
}

/**
 * First run: creates the organisation and its admin while none exists. The advisory lock makes two
 * simultaneous attempts take turns, so exactly one succeeds.
 */
export async function setupFirstOrganisation(
  input: Ctx & { organisationName: string; adminEmail: string; adminName: string },
): ReturnType<typeof createOrganisationWithAdmin> {
  return inTransaction(input.db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('aidd:setup'))`);
    if ((await repo.countOrganisations({ db: tx })) > 0) throw accountsErrors.setupDone();
    return createOrganisationWithAdmin({ ...input, db: tx });
  });
}

export async function organisationExists({ db, id }: { db: Db; id: string }): Promise<boolean> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return false;
  return (await repo.findOrganisation({ db, id })) !== undefined;
}

/** Which of these user ids are active users of the organisation (for assigning evaluators). */
export async function activeUsersAmong({ db, organisationId, ids }: { db: Db; organisationId: string; ids: string[] }): Promise<Map<string, UserDto>> {
  const rows = await repo.findUsers({ db, organisationId, ids });
  return new Map(rows.filter((u) => u.active).map((u) => [u.id, toUserDto(u)]));
}

/** The names of these users of the organisation, active or not (reports name who did what). */
export async function userNames({ db, organisationId, ids }: { db: Db; organisationId: string; ids: string[] }): Promise<Map<string, string>> {
  const rows = await repo.findUsers({ db, organisationId, ids: [...new Set(ids)] });
  return new Map(rows.map((u) => [u.id, u.name]));
}

export async function isSetupComplete({ db }: { db: Db }): Promise<boolean> {
  return (await repo.countOrganisations({ db })) > 0;
}

export type Me =
  | { kind: 'user'; organisation: OrganisationDto; user: UserDto }
  | { kind: 'api_key'; organisation: OrganisationDto; apiKey: { id: string; scopes: Scope[] } };

export async function getMe({ db, principal }: { db: Db; principal: Principal }): Promise<Me> {
  if (principal.kind === 'user') {
    const found = await repo.findUserWithOrganisation({ db, organisationId: principal.organisationId, id: principal.userId });
    if (!found) throw accountsErrors.userNotFound();
    return { kind: 'user', organisation: toOrganisationDto(found.organisation), user: toUserDto(found.user) };
  }
  const organisation = await repo.findOrganisation({ db, id: principal.organisationId });
  if (!organisation || principal.kind !== 'api_key') throw accountsErrors.userNotFound();
  return { kind: 'api_key', organisation: toOrganisationDto(organisation), apiKey: { id: principal.apiKeyId, scopes: principal.scopes } };
}

export async function createUser({
  db,
  now,
  principal,
  email,
  name,
  role,
}: Scoped & { email: string; name: string; role: Role }): Promise<{ user: UserDto; token: string }> {
  return inTransaction(db, async (tx) => {
    const { user, token } = await createUserWithToken({
      db: tx,
      now,
      organisationId: principal.organisationId,
      email,
      name,
      role,
      actor: actorOf(principal),
    });
    await recordAudit({
      db: tx,
      organisationId: principal.organisationId,
      actor: actorOf(principal),
      action: 'user.created',
      subject: { type: 'user', id: user.id },
      details: { role },
      now,
    });
    return { user: toUserDto(user), token };
  });
}

export async function listUsers({
  db,
  principal,
  limit,
  cursor,
}: {
  db: Db;
  principal: Principal;
  limit: number;
  cursor?: string | undefined;
}): Promise<Page<UserDto>> {
  const page = await repo.listUsers({ db, organisationId: principal.organisationId, limit, cursor });
  return { ...page, items: page.items.map(toUserDto) };
}

export async function getUser({ db, principal, id }: { db: Db; principal: Principal; id: string }): Promise<UserDto> {
  const user = await repo.findUser({ db, organisationId: principal.organisationId, id });
  if (!user) throw accountsErrors.userNotFound();
  return toUserDto(user);
}

/** Changes a user's role, name or active flag; never leaves the organisation without an active admin. */
export async function updateUser({
  db,
  now,
  principal,
  id,
  changes,
}: Scoped & { id: string; changes: { role?: Role | undefined; active?: boolean | undefined; name?: string | undefined } }): Promise<UserDto> {
  return inTransaction(db, async (tx) => {
    const organisationId = principal.organisationId;
    const admins = await repo.lockActiveAdmins({ db: tx, organisationId });
    const before = await repo.findUser({ db: tx, organisationId, id });
    if (!before) throw accountsErrors.userNotFound();
    const losesAdmin = before.role === 'admin' && before.active && (changes.role !== undefined && changes.role !== 'admin' || changes.active === false);
    if (losesAdmin && admins.filter((adminId) => adminId !== id).length === 0) throw accountsErrors.lastAdmin();

    const after = await repo.updateUser({
      db: tx,
      organisationId,
      id,
      changes: {
        ...(changes.role !== undefined ? { role: changes.role } : {}),
        ...(changes.active !== undefined ? { active: changes.active } : {}),
        ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
      },
      now,
    });
    if (!after) throw accountsErrors.userNotFound();
    const events: Array<[string, Record<string, unknown>]> = [];
    if (after.role !== before.role) events.push(['user.role_changed', { from: before.role, to: after.role }]);
    if (after.active !== before.active) events.push([after.active ? 'user.reactivated' : 'user.deactivated', {}]);
    // Their console sessions end for good (resolving a session also checks the user is active, so none outlives this commit).
    if (before.active && !after.active) await staffRepo.endSessionsOf({ db: tx, organisationId, userId: id, now });
    if (after.name !== before.name) events.push(['user.renamed', {}]);
    for (const [action, details] of events) {
      await recordAudit({ db: tx, organisationId, actor: actorOf(principal), action, subject: { type: 'user', id }, details, now });
    }
    return toUserDto(after);
  });
}

export async function createApiKey({
  db,
  now,
  principal,
  name,
  scopes,
  expiresAt,
}: Scoped & { name: string; scopes: Scope[]; expiresAt?: Date | undefined }): Promise<{ apiKey: ApiKeyDto; token: string }> {
  return inTransaction(db, async (tx) => {
    const issued = issueToken({ kind: 'key' });
    const row = await repo.insertAccessToken({
      db: tx,
      values: {
        organisationId: principal.organisationId,
        kind: 'key',
        name: name.trim(),
        scopes: [...new Set(scopes)].sort(),
        displayPrefix: issued.displayPrefix,
        tokenHash: issued.hash,
        createdBy: principal.kind === 'user' ? principal.userId : null,
        createdAt: now,
        expiresAt: expiresAt ?? null,
      },
    });
    await recordAudit({
      db: tx,
      organisationId: principal.organisationId,
      actor: actorOf(principal),
      action: 'api_key.created',
      subject: { type: 'api_key', id: row.id },
      details: { name: row.name, scopes: row.scopes },
      now,
    });
    return { apiKey: toApiKeyDto(row), token: issued.token };
  });
}

export async function listApiKeys({ db, principal, limit, cursor }: { db: Db; principal: Principal; limit: number; cursor?: string | undefined }) {
  const page = await repo.listAccessTokens({ db, organisationId: principal.organisationId, kind: 'key', limit, cursor });
  return { ...page, items: page.items.map(toApiKeyDto) };
}

export async function getApiKey({ db, principal, id }: { db: Db; principal: Principal; id: string }): Promise<ApiKeyDto> {
  const row = await repo.findAccessToken({ db, organisationId: principal.organisationId, kind: 'key', id });
  if (!row) throw accountsErrors.apiKeyNotFound();
  return toApiKeyDto(row);
}

export async function revokeApiKey({ db, now, principal, id }: Scoped & { id: string }): Promise<ApiKeyDto> {
  return inTransaction(db, async (tx) => {
    const result = await repo.revokeAccessToken({ db: tx, organisationId: principal.organisationId, kind: 'key', id, now });
    if (!result) throw accountsErrors.apiKeyNotFound();
    const { row, revokedNow } = result;
    if (revokedNow) {
      await recordAudit({ db: tx, organisationId: principal.organisationId, actor: actorOf(principal), action: 'api_key.revoked', subject: { type: 'api_key', id }, now });
    }
    return toApiKeyDto(row);
  });
}

export async function createPersonalToken({
  db,
  now,
  principal,
  name,
  expiresAt,
}: Ctx & { principal: UserPrincipal; name: string; expiresAt?: Date | undefined }): Promise<{ personalToken: TokenDto; token: string }> {
  return inTransaction(db, async (tx) => {
    const issued = issueToken({ kind: 'pat' });
    const row = await repo.insertAccessToken({
      db: tx,
      values: {
        organisationId: principal.organisationId,
        kind: 'pat',
        userId: principal.userId,
        name: name.trim(),
        displayPrefix: issued.displayPrefix,
        tokenHash: issued.hash,
        createdBy: principal.userId,
        createdAt: now,
        expiresAt: expiresAt ?? null,
      },
    });
    await recordAudit({ db: tx, organisationId: principal.organisationId, actor: actorOf(principal), action: 'personal_token.created', subject: { type: 'personal_token', id: row.id }, details: { name: row.name }, now });
    return { personalToken: toTokenDto(row), token: issued.token };
  });
}

export async function listPersonalTokens({ db, principal, limit, cursor }: { db: Db; principal: UserPrincipal; limit: number; cursor?: string | undefined }) {
  const page = await repo.listAccessTokens({ db, organisationId: principal.organisationId, kind: 'pat', userId: principal.userId, limit, cursor });
  return { ...page, items: page.items.map(toTokenDto) };
}

export async function revokePersonalToken({ db, now, principal, id }: Ctx & { principal: UserPrincipal; id: string }): Promise<TokenDto> {
  return inTransaction(db, async (tx) => {
    const result = await repo.revokeAccessToken({ db: tx, organisationId: principal.organisationId, kind: 'pat', id, userId: principal.userId, now });
    if (!result) throw accountsErrors.tokenNotFound();
    const { row, revokedNow } = result;
    if (revokedNow) {
      await recordAudit({ db: tx, organisationId: principal.organisationId, actor: actorOf(principal), action: 'personal_token.revoked', subject: { type: 'personal_token', id }, now });
    }
    return toTokenDto(row);
  });
}

/**
 * Turns a personal token or API key into a principal, or null when it is unknown, revoked, expired
 * or belongs to a deactivated user. One indexed lookup; `lastUsedAt` is written at most once a minute.
 */
export function createAccountTokenResolver({ db, now }: { db: Db; now: () => Date }): TokenResolver {
  const lookup = repo.prepareTokenLookup({ db });
  return async ({ tokenHash }) => {
    const row = await lookup({ hash: tokenHash });
    const at = now();
    if (!row || !isTokenUsable(row, at)) return null;
    if (!row.lastUsedAt || at.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await repo.touchAccessToken({ db, id: row.tokenId, now: at, olderThan: new Date(at.getTime() - LAST_USED_RESOLUTION_MS) });
    }
    if (row.kind === 'pat') {
      if (!row.userId || !row.userRole || row.userActive !== true) return null;
      return {
        principal: { kind: 'user', organisationId: row.organisationId, userId: row.userId, role: row.userRole, tokenId: row.tokenId },
        validUntil: row.expiresAt,
      };
    }
    return {
      principal: { kind: 'api_key', organisationId: row.organisationId, apiKeyId: row.tokenId, scopes: row.scopes, tokenId: row.tokenId },
      validUntil: row.expiresAt,
    };
  };
}

/** Who gets notices only an admin can act on (a webhook endpoint disabled, say). */
export async function adminContacts({ db, organisationId }: { db: Db; organisationId: string }): Promise<Array<{ name: string; email: string }>> {
  return repo.activeAdmins({ db, organisationId });
}

/**
 * Who a supplier should write to about a procurement: the council and the officer acting, when a
 * user is acting (an API key has no name or address, so only the council is given).
 */
export async function contactFor({ db, organisationId, userId }: { db: Db; organisationId: string; userId: string | null }): Promise<{ council: string; name: string | null; email: string | null }> {
  const organisation = await repo.findOrganisation({ db, id: organisationId });
  const user = userId ? await repo.findUser({ db, organisationId, id: userId }) : undefined;
  return { council: organisation?.name ?? 'The council', name: user?.name ?? null, email: user?.email ?? null };
}
