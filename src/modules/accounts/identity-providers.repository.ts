import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../../platform/db';
import type { UserRow } from './accounts.models';
import { users } from './accounts.table';
import type { IdentityProviderRow } from './identity-providers.models';
import { identityProviderDomains, identityProviders, userIdentities } from './identity-providers.table';

export async function findProvider({ db, organisationId, forUpdate = false }: { db: Db; organisationId: string; forUpdate?: boolean }): Promise<IdentityProviderRow | undefined> {
  const query = db.select().from(identityProviders).where(eq(identityProviders.organisationId, organisationId));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

export async function providerDomains({ db, providerId }: { db: Db; providerId: string }): Promise<string[]> {
  const rows = await db.select({ domain: identityProviderDomains.domain }).from(identityProviderDomains).where(eq(identityProviderDomains.providerId, providerId)).orderBy(asc(identityProviderDomains.domain));
  return rows.map((r) => r.domain);
}

/** The provider that signs in people from this email domain, whichever organisation it belongs to. */
export async function findProviderByDomain({ db, domain }: { db: Db; domain: string }): Promise<IdentityProviderRow | undefined> {
  const [row] = await db
    .select({ provider: identityProviders })
    .from(identityProviderDomains)
    .innerJoin(identityProviders, eq(identityProviders.id, identityProviderDomains.providerId))
    .where(eq(identityProviderDomains.domain, domain));
  return row?.provider;
}

/** The first of these domains another organisation already holds, if any. */
export async function domainHeldElsewhere({ db, organisationId, domains }: { db: Db; organisationId: string; domains: string[] }): Promise<string | undefined> {
  if (domains.length === 0) return undefined;
  const [row] = await db
    .select({ domain: identityProviderDomains.domain })
    .from(identityProviderDomains)
    .where(and(inArray(identityProviderDomains.domain, domains), ne(identityProviderDomains.organisationId, organisationId)))
    .orderBy(asc(identityProviderDomains.domain))
    .limit(1);
  return row?.domain;
}

export async function insertProvider({ db, values }: { db: Db; values: typeof identityProviders.$inferInsert }): Promise<IdentityProviderRow> {
  const [row] = await db.insert(identityProviders).values(values).returning();
  return row!;
}

export async function updateProvider({
  db,
  id,
  changes,
}: {
  db: Db;
  id: string;
  changes: Pick<IdentityProviderRow, 'issuer' | 'clientId' | 'clientSecretSealed' | 'createViewers' | 'version' | 'updatedAt'>;
}): Promise<IdentityProviderRow> {
  const [row] = await db.update(identityProviders).set(changes).where(eq(identityProviders.id, id)).returning();
  return row!;
}

export async function replaceDomains({ db, provider, domains }: { db: Db; provider: IdentityProviderRow; domains: string[] }): Promise<void> {
  await db.delete(identityProviderDomains).where(eq(identityProviderDomains.providerId, provider.id));
  if (domains.length > 0) {
    await db.insert(identityProviderDomains).values(domains.map((domain) => ({ domain, organisationId: provider.organisationId, providerId: provider.id })));
  }
}

/** The provider goes with its domains and every user's binding to it. */
export async function deleteProvider({ db, id }: { db: Db; id: string }): Promise<void> {
  await db.delete(userIdentities).where(eq(userIdentities.providerId, id));
  await db.delete(identityProviderDomains).where(eq(identityProviderDomains.providerId, id));
  await db.delete(identityProviders).where(eq(identityProviders.id, id));
}

export async function forgetIdentities({ db, providerId }: { db: Db; providerId: string }): Promise<void> {
  await db.delete(userIdentities).where(eq(userIdentities.providerId, providerId));
}

export async function findUserBySubject({ db, providerId, subject }: { db: Db; providerId: string; subject: string }): Promise<UserRow | undefined> {
  const [row] = await db
    .select({ user: users })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(and(eq(userIdentities.providerId, providerId), eq(userIdentities.subject, subject)));
  return row?.user;
}

export async function identityOfUser({ db, providerId, userId }: { db: Db; providerId: string; userId: string }): Promise<{ subject: string } | undefined> {
  const [row] = await db.select({ subject: userIdentities.subject }).from(userIdentities).where(and(eq(userIdentities.providerId, providerId), eq(userIdentities.userId, userId)));
  return row;
}

export async function findUserByEmail({ db, organisationId, email }: { db: Db; organisationId: string; email: string }): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(and(eq(users.organisationId, organisationId), eq(users.email, email)));
  return row;
}

export async function insertIdentity({ db, provider, userId, subject, now }: { db: Db; provider: Pick<IdentityProviderRow, 'id' | 'organisationId'>; userId: string; subject: string; now: Date }): Promise<void> {
  await db.insert(userIdentities).values({ organisationId: provider.organisationId, providerId: provider.id, userId, subject, createdAt: now, lastSignedInAt: now });
}

export async function touchIdentity({ db, providerId, subject, now }: { db: Db; providerId: string; subject: string; now: Date }): Promise<void> {
  await db.update(userIdentities).set({ lastSignedInAt: now }).where(and(eq(userIdentities.providerId, providerId), eq(userIdentities.subject, subject)));
}
