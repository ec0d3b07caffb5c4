import { and, asc, eq } from 'drizzle-orm';
import type { AuditNamesHook } from '../../platform/http/deps';
import { accessTokens, users } from './accounts.table';

/**
 * Who the audit log's actors are: every user of the organisation (deactivated ones too: they
 * still did what the log says) and every API key (revoked ones too). Personal tokens act as their
 * user, so the log records the user.
 */
export const accountsAuditNames: AuditNamesHook = async ({ db, organisationId }) => {
  const people = await db.select({ id: users.id, name: users.name }).from(users).where(eq(users.organisationId, organisationId)).orderBy(asc(users.name), asc(users.id));
  const keys = await db
    .select({ id: accessTokens.id, name: accessTokens.name })
    .from(accessTokens)
    .where(and(eq(accessTokens.organisationId, organisationId), eq(accessTokens.kind, 'key')))
    .orderBy(asc(accessTokens.name), asc(accessTokens.id));
  return { people: [...people.map((u) => ({ kind: 'user' as const, ...u })), ...keys.map((k) => ({ kind: 'api_key' as const, ...k }))] };
};
