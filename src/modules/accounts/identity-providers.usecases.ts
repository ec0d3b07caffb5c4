import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../platform/audit';
import { actorOf, type Actor, type Principal } from '../../platform/auth';
import { openSecret, sealSecret } from '../../platform/crypto';
import { inTransaction, isUniqueViolation, type Db } from '../../platform/db';
import * as accountsRepo from './accounts.repository';
import { identityProviderErrors } from './identity-providers.errors';
import { emailDomain, issuerAllowed, toIdentityProviderDto, type IdentityProviderDto, type IdentityProviderRow } from './identity-providers.models';
import * as repo from './identity-providers.repository';
import type { PutIdentityProviderBody } from './identity-providers.schemas';

type Ctx = { db: Db; now: Date };
type Scoped = Ctx & { principal: Principal };

const secretContext = (providerId: string) => `identity-provider:${providerId}`;

/** The organisation's provider as the API shows it: never the secret, only whether one is kept. */
export async function getIdentityProvider({ db, principal, publicBaseUrl }: { db: Db; principal: Principal; publicBaseUrl: string }): Promise<{ provider: IdentityProviderDto; version: number }> {
  const row = await repo.findProvider({ db, organisationId: principal.organisationId });
  if (!row) throw identityProviderErrors.notFound();
  return { provider: toIdentityProviderDto(row, await repo.providerDomains({ db, providerId: row.id }), publicBaseUrl), version: row.version };
}

/** Checks that an issuer answers as an OpenID provider; throws with a short reason when not. */
export type DiscoverIssuer = (input: { issuer: string; clientId: string; clientSecret: string | null }) => Promise<void>;

/**
 * Registers or changes the organisation's provider. The issuer is discovered before anything is
 * written (never holding a transaction open over the network). A new issuer forgets every user's
 * binding to the old one: they are bound again at their next sign-in, by verified email.
 */
export async function putIdentityProvider({
  db,
  now,
  principal,
  secretsKey,
  publicBaseUrl,
  production,
  body,
  ifMatch,
  discover,
}: Scoped & {
  secretsKey: Buffer;
  publicBaseUrl: string;
  production: boolean;
  body: PutIdentityProviderBody;
  ifMatch: number | undefined;
  discover: DiscoverIssuer;
}): Promise<{ provider: IdentityProviderDto; version: number; created: boolean }> {
  if (!issuerAllowed({ issuer: body.issuer, production })) throw identityProviderErrors.insecureIssuer();
  const organisationId = principal.organisationId;
  const before = await repo.findProvider({ db, organisationId });
  if (ifMatch !== undefined && before?.version !== ifMatch) throw identityProviderErrors.stale();
  const keptSecret = before?.clientSecretSealed ? openSecret({ key: secretsKey, sealed: before.clientSecretSealed, context: secretContext(before.id) }) : null;
  const secret = body.clientSecret === undefined ? keptSecret : body.clientSecret;
  await discover({ issuer: body.issuer, clientId: body.clientId, clientSecret: secret });

  return inTransaction(db, async (tx) => {
    const current = await repo.findProvider({ db: tx, organisationId, forUpdate: true });
    // Changed by someone else while the issuer was being checked: as stale as a wrong If-Match.
    if ((current?.version ?? null) !== (before?.version ?? null)) throw identityProviderErrors.stale();
    const taken = await repo.domainHeldElsewhere({ db: tx, organisationId, domains: body.allowedDomains });
    if (taken) throw identityProviderErrors.domainTaken(taken);

    const id = current?.id ?? randomUUID();
    // The sealed secret stays as it is unless a new one (or none) was given.
    const sealed = current && body.clientSecret === undefined ? current.clientSecretSealed : secret === null ? null : sealSecret({ key: secretsKey, plaintext: secret, context: secretContext(id) });
    let row: IdentityProviderRow;
    if (current) {
      row = await repo.updateProvider({
        db: tx,
        id,
        changes: { issuer: body.issuer, clientId: body.clientId, clientSecretSealed: sealed, createViewers: body.createViewers, version: current.version + 1, updatedAt: now },
      });
      if (current.issuer !== body.issuer) await repo.forgetIdentities({ db: tx, providerId: id });
    } else {
      row = await repo.insertProvider({
        db: tx,
        values: { id, organisationId, issuer: body.issuer, clientId: body.clientId, clientSecretSealed: sealed, createViewers: body.createViewers, version: 1, createdAt: now, updatedAt: now },
      });
    }
    const domainsBefore = current ? await repo.providerDomains({ db: tx, providerId: id }) : [];
    try {
      await repo.replaceDomains({ db: tx, provider: row, domains: body.allowedDomains });
    } catch (error) {
      // Another organisation claimed one of them since the check above.
      if (isUniqueViolation(error)) throw identityProviderErrors.domainTaken(body.allowedDomains.join(', '));
      throw error;
    }
    await recordAudit({
      db: tx,
      organisationId,
      actor: actorOf(principal),
      action: current ? 'identity_provider.updated' : 'identity_provider.created',
      subject: { type: 'identity_provider', id },
      details: {
        issuer: row.issuer,
        clientId: row.clientId,
        allowedDomains: body.allowedDomains,
        createViewers: row.createViewers,
        clientSecretChanged: body.clientSecret !== undefined && body.clientSecret !== keptSecret,
        ...(current && current.issuer !== body.issuer ? { previousIssuer: current.issuer } : {}),
        ...(current ? { previousAllowedDomains: domainsBefore } : {}),
      },
      now,
    });
    return { provider: toIdentityProviderDto(row, body.allowedDomains, publicBaseUrl), version: row.version, created: !current };
  });
}

/** Removes the provider: its people sign in by emailed link again, and their bindings are forgotten. */
export async function deleteIdentityProvider({ db, now, principal, ifMatch }: Scoped & { ifMatch: number | undefined }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const current = await repo.findProvider({ db: tx, organisationId: principal.organisationId, forUpdate: true });
    if (!current) throw identityProviderErrors.notFound();
    if (ifMatch !== undefined && current.version !== ifMatch) throw identityProviderErrors.stale();
    await repo.deleteProvider({ db: tx, id: current.id });
    await recordAudit({
      db: tx,
      organisationId: principal.organisationId,
      actor: actorOf(principal),
      action: 'identity_provider.deleted',
      subject: { type: 'identity_provider', id: current.id },
      details: { issuer: current.issuer, clientId: current.clientId },
      now,
    });
  });
}

/** A provider as a sign-in uses it: its client settings (secret opened) and its allowed domains. */
export type SignInProvider = {
  id: string;
  organisationId: string;
  version: number;
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  allowedDomains: string[];
  createViewers: boolean;
};

async function toSignInProvider({ db, row, secretsKey }: { db: Db; row: IdentityProviderRow; secretsKey: Buffer }): Promise<SignInProvider> {
  return {
    id: row.id,
    organisationId: row.organisationId,
    version: row.version,
    issuer: row.issuer,
    clientId: row.clientId,
    clientSecret: row.clientSecretSealed ? openSecret({ key: secretsKey, sealed: row.clientSecretSealed, context: secretContext(row.id) }) : null,
    allowedDomains: await repo.providerDomains({ db, providerId: row.id }),
    createViewers: row.createViewers,
  };
}

/** The provider that signs in people with this email address, or null (they use an emailed link). */
export async function providerForEmail({ db, email, secretsKey }: { db: Db; email: string; secretsKey: Buffer }): Promise<SignInProvider | null> {
  const domain = emailDomain(email);
  if (!domain) return null;
  const row = await repo.findProviderByDomain({ db, domain });
  return row ? toSignInProvider({ db, row, secretsKey }) : null;
}

/** The organisation's provider at the end of a sign-in, if it is still the one the sign-in began with. */
export async function providerForCallback({ db, organisationId, providerId, secretsKey }: { db: Db; organisationId: string; providerId: string; secretsKey: Buffer }): Promise<SignInProvider | null> {
  const row = await repo.findProvider({ db, organisationId });
  return row && row.id === providerId ? toSignInProvider({ db, row, secretsKey }) : null;
}

export type OidcMatch =
  | { ok: true; userId: string; created: boolean }
  | { ok: false; reason: 'unknown_user' | 'deactivated' | 'identity_mismatch' };

const PROVIDER_ACTOR: Actor = { type: 'system', id: 'identity-provider' };

/**
 * Finds the user a verified sign-in stands for, in the provider's organisation only. The person at
 * the provider (`sub`) is bound to the user at their first sign-in; afterwards that binding decides,
 * and an address now held by someone else at the provider does not open the account. An unknown
 * address becomes a viewer only when the organisation allows it.
 */
export async function matchOidcUser({
  db,
  now,
  provider,
  subject,
  email,
  name,
}: Ctx & { provider: SignInProvider; subject: string; email: string; name: string | null }): Promise<OidcMatch> {
  return inTransaction(db, async (tx) => {
    const bound = await repo.findUserBySubject({ db: tx, providerId: provider.id, subject });
    if (bound) {
      if (!bound.active) return { ok: false, reason: 'deactivated' };
      await repo.touchIdentity({ db: tx, providerId: provider.id, subject, now });
      return { ok: true, userId: bound.id, created: false };
    }
    const user = await repo.findUserByEmail({ db: tx, organisationId: provider.organisationId, email });
    if (user) {
      if (!user.active) return { ok: false, reason: 'deactivated' };
      if (await repo.identityOfUser({ db: tx, providerId: provider.id, userId: user.id })) return { ok: false, reason: 'identity_mismatch' };
      await bind({ db: tx, now, provider, userId: user.id, subject });
      return { ok: true, userId: user.id, created: false };
    }
    if (!provider.createViewers) return { ok: false, reason: 'unknown_user' };
    const created = await accountsRepo.insertUser({ db: tx, organisationId: provider.organisationId, email, name: name ?? email, role: 'viewer', now });
    await recordAudit({ db: tx, organisationId: provider.organisationId, actor: PROVIDER_ACTOR, action: 'user.created', subject: { type: 'user', id: created.id }, details: { role: 'viewer', via: 'identity_provider', issuer: provider.issuer }, now });
    await bind({ db: tx, now, provider, userId: created.id, subject });
    return { ok: true, userId: created.id, created: true };
  });
}

async function bind({ db, now, provider, userId, subject }: Ctx & { provider: SignInProvider; userId: string; subject: string }): Promise<void> {
  await repo.insertIdentity({ db, provider, userId, subject, now });
  await recordAudit({ db, organisationId: provider.organisationId, actor: { type: 'user', id: userId }, action: 'user.identity_linked', subject: { type: 'user', id: userId }, details: { issuer: provider.issuer }, now });
}
