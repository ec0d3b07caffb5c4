import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const at = () => timestamp({ withTimezone: true, precision: 3 });

/**
 * A council's webhook endpoint. The signing secret is kept encrypted (AES-256-GCM under
 * SECRETS_KEY), not hashed like our tokens, because every delivery must be signed with it.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    url: text().notNull(),
    description: text().notNull(),
    events: text().array().notNull(),
    secretSealed: text().notNull(),
    /** The first characters of the secret, so a person can tell which one a receiver holds. */
    secretPrefix: text().notNull(),
    /** After a rotation, the old secret keeps signing beside the new one until it expires. */
    previousSecretSealed: text(),
    previousSecretExpiresAt: at(),
    status: text().$type<'enabled' | 'disabled'>().notNull(),
    disabledReason: text(),
    /** Deliveries that ran out of retries since the last success; too many disables the endpoint. */
    consecutiveFailures: integer().notNull().default(0),
    createdBy: text().notNull(),
    createdAt: at().notNull(),
    updatedAt: at().notNull(),
    deletedAt: at(),
  },
  (t) => [index('webhook_endpoints_list').on(t.organisationId, t.createdAt, t.id)],
);

/**
 * One event for one endpoint: the message the receiver gets, with its own id (`webhook-id`),
 * retried on a growing schedule until it succeeds or runs out. A worker owns a delivery while
 * `leaseUntil` is in the future; a worker that dies simply lets the lease run out.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    endpointId: uuid()
      .notNull()
      .references(() => webhookEndpoints.id),
    eventId: uuid().notNull(),
    eventType: text().notNull(),
    /** The exact JSON body sent, so every retry signs and sends the same bytes. */
    payload: text().notNull(),
    /** `skipped`: pending when an admin enabled the endpoint again and chose to skip what was missed. */
    status: text().$type<'pending' | 'delivering' | 'succeeded' | 'failed' | 'skipped'>().notNull(),
    /**
     * A manual redelivery is a new message (its own `webhook-id`, so a receiver that drops repeats by
     * id still takes it) naming the delivery it repeats; a test event has no event and names none.
     */
    redeliveryOf: uuid(),
    attempts: integer().notNull().default(0),
    nextAttemptAt: at().notNull(),
    leaseUntil: at(),
    createdAt: at().notNull(),
    completedAt: at(),
  },
  (t) => [
    // One first delivery per event and endpoint (the dispatch inserts with ON CONFLICT DO NOTHING);
    // redeliveries of the same event are further rows.
    uniqueIndex('webhook_deliveries_event_endpoint').on(t.eventId, t.endpointId).where(sql`redelivery_of is null`),
    index('webhook_deliveries_due').on(t.nextAttemptAt).where(sql`status in ('pending', 'delivering')`),
    index('webhook_deliveries_log').on(t.endpointId, t.createdAt, t.id),
  ],
);

/** Every attempt, for the delivery log: what we sent when, and what came back. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid().primaryKey().defaultRandom(),
    deliveryId: uuid()
      .notNull()
      .references(() => webhookDeliveries.id),
    attempt: integer().notNull(),
    startedAt: at().notNull(),
    durationMs: integer().notNull(),
    /** The receiver's HTTP status; null when no response came (refused address, timeout, network). */
    statusCode: integer(),
    outcome: text().$type<'succeeded' | 'failed' | 'interrupted'>().notNull(),
    error: text(),
    /** The start of the receiver's answer, for diagnosis; at most 256 characters. */
    responseExcerpt: text(),
  },
  (t) => [index('webhook_attempts_delivery').on(t.deliveryId, t.attempt)],
);
