import { boolean, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { organisations, users } from './accounts.table';

const at = () => timestamp({ withTimezone: true, precision: 3 });

/**
 * An organisation's OpenID Connect provider (Entra ID, Google Workspace, any other): at most one
 * each. The client secret is sealed (AES-256-GCM under SECRETS_KEY), not hashed, because every
 * sign-in sends it to the provider's token endpoint; null for a public client (PKCE alone).
 */
export const identityProviders = pgTable('identity_providers', {
  id: uuid().primaryKey().defaultRandom(),
  organisationId: uuid()
    .notNull()
    .unique('identity_providers_organisation')
    .references(() => organisations.id),
  issuer: text().notNull(),
  clientId: text().notNull(),
  clientSecretSealed: text(),
  /** An unknown person from an allowed domain becomes a viewer on first sign-in, instead of being refused. */
  createViewers: boolean().notNull().default(false),
  version: integer().notNull().default(1),
  createdAt: at().notNull(),
  updatedAt: at().notNull(),
});

/**
 * The email domains whose people sign in through an organisation's provider. The domain is the
 * key, so the database itself keeps one domain to one organisation, whoever registers it first.
 */
export const identityProviderDomains = pgTable(
  'identity_provider_domains',
  {
    domain: text().primaryKey(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    providerId: uuid()
      .notNull()
      .references(() => identityProviders.id, { onDelete: 'cascade' }),
  },
  (t) => [index('identity_provider_domains_provider').on(t.providerId)],
);

/**
 * Which person at the provider (issuer and `sub`, the identifier that never changes) a user is,
 * bound at their first sign-in by verified email. Later sign-ins must come from the same person:
 * an address handed on to someone else does not hand on the account. Goes with the provider.
 */
export const userIdentities = pgTable(
  'user_identities',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    providerId: uuid()
      .notNull()
      .references(() => identityProviders.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    subject: text().notNull(),
    createdAt: at().notNull(),
    lastSignedInAt: at().notNull(),
  },
  (t) => [unique('user_identities_subject').on(t.providerId, t.subject), unique('user_identities_user').on(t.providerId, t.userId)],
);
