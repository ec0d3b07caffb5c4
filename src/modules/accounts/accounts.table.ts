import { boolean, index, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { Role, Scope } from '../../platform/auth';

const timestamps = {
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
};

/** A tenant: a council (later a consortium). Every other row belongs to exactly one. */
export const organisations = pgTable('organisations', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  ...timestamps,
});

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    /** Stored lower-cased, so the same address cannot be added twice in different case. */
    email: text().notNull(),
    name: text().notNull(),
    role: text().$type<Role>().notNull(),
    active: boolean().notNull().default(true),
    ...timestamps,
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  // By email alone too: signing in finds a person's accounts in every organisation.
  (t) => [unique('users_organisation_email').on(t.organisationId, t.email), index('users_organisation_created').on(t.organisationId, t.createdAt, t.id), index('users_email').on(t.email)],
);

/**
 * Personal access tokens (kind `pat`, belong to a user, act with the user's role) and organisation
 * API keys (kind `key`, carry scopes). Only the SHA-256 of the secret is kept.
 */
export const accessTokens = pgTable(
  'access_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    kind: text().$type<'pat' | 'key'>().notNull(),
    userId: uuid().references(() => users.id),
    name: text().notNull(),
    scopes: jsonb().$type<Scope[]>().notNull().default([]),
    displayPrefix: text().notNull(),
    tokenHash: text().notNull().unique('access_tokens_token_hash'),
    createdBy: uuid(),
    ...timestamps,
    expiresAt: timestamp({ withTimezone: true, precision: 3 }),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
    lastUsedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [index('access_tokens_organisation_kind_created').on(t.organisationId, t.kind, t.createdAt, t.id)],
);

/**
 * A council user's browser session in the console. The cookie holds a 256-bit random secret; only
 * its SHA-256 is kept, with the CSRF token every form posts back. Idle expiry is measured from
 * `lastSeenAt` (moved on by activity), so a change of the configured idle time applies at once;
 * `absoluteExpiresAt` never moves. An ended session keeps its row until the user next signs in.
 */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    tokenHash: text().notNull().unique('staff_sessions_token_hash'),
    csrfToken: text().notNull(),
    method: text().$type<'link' | 'oidc' | 'setup'>().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    lastSeenAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    absoluteExpiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    endedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [index('staff_sessions_user').on(t.userId, t.createdAt)],
);

/**
 * A one-time sign-in link emailed to a user (or printed by the CLI): 256-bit secret, only its
 * SHA-256 kept, single use (`usedAt` is set once, atomically), short-lived. Bound to the user and
 * so to one organisation: an address used in several organisations gets one link for each.
 */
export const staffSignInLinks = pgTable(
  'staff_sign_in_links',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    tokenHash: text().notNull().unique('staff_sign_in_links_token_hash'),
    /** The address it was sent to (the user's at the time). */
    email: text().notNull(),
    /** Where to go once signed in: a path on this service, checked when the link was made. */
    returnTo: text(),
    issuedBy: text().$type<'email' | 'cli'>().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [index('staff_sign_in_links_user').on(t.userId, t.createdAt)],
);
