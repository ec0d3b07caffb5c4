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
  (t) => [unique('users_organisation_email').on(t.organisationId, t.email), index('users_organisation_created').on(t.organisationId, t.createdAt, t.id)],
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
