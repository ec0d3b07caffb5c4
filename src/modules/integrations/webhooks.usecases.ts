import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import { recordAudit } from '../../platform/audit';
import { actorOf, type Principal } from '../../platform/auth';
import { sealSecret } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import type { EventType } from '../../platform/events';
import type { MailMessage, QueuedMail } from '../../platform/mail';
import { adminContacts } from '../accounts';
import { afterCreatedAtId, beforeCreatedAtId, createdAtIdKey, toPage, type Page } from '../../platform/pagination';
import { integrationsErrors } from './integrations.errors';
import { AddressNotAllowed, checkedAddress, resolveWithDns, type ResolveHost } from './webhooks.address';
import { webhookErrors } from './webhooks.errors';
import { newSigningSecret, redeliveryPayload, SECRET_OVERLAP_MS, TEST_EVENT_TYPE, testEventPayload } from './webhooks.models';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './webhooks.table';

type Ctx = { db: Db; now: Date; principal: Principal };
export type UrlPolicy = { allowLoopback: boolean; requireHttps: boolean; resolve: ResolveHost };

/** Where deliveries may go, from the configuration: the same for the API and the console. */
export const urlPolicyOf = (config: { env: string; webhooks: { allowLoopback: boolean } }): UrlPolicy => ({
  allowLoopback: config.webhooks.allowLoopback,
  requireHttps: config.env === 'production',
  resolve: resolveWithDns,
});

type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export type EndpointDto = {
  id: string;
  url: string;
  description: string;
  events: EventType[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  secretPrefix: string;
  createdAt: string;
  updatedAt: string;
};

export type DeliveryDto = {
  id: string;
  eventId: string;
  eventType: string;
  /** The delivery this one sends again (a manual redelivery, with its own `webhook-id`); null for a first delivery. */
  redeliveryOf: string | null;
  status: DeliveryRow['status'];
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  completedAt: string | null;
  log: Array<{ attempt: number; startedAt: string; durationMs: number; statusCode: number | null; outcome: 'succeeded' | 'failed' | 'interrupted'; error: string | null; responseExcerpt: string | null }>;
};

const toEndpoint = (row: EndpointRow): EndpointDto => ({
  id: row.id,
  url: row.url,
  description: row.description,
  events: row.events as EventType[],
  status: row.status,
  disabledReason: row.disabledReason,
  secretPrefix: row.secretPrefix,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const audit = (ctx: Ctx, action: string, id: string, details: Record<string, unknown> = {}) =>
  recordAudit({ db: ctx.db, organisationId: ctx.principal.organisationId, actor: actorOf(ctx.principal), action, subject: { type: 'webhook_endpoint', id }, details, now: ctx.now });

/**
 * What happens when the delivery worker disables an endpoint: an audit event by the system, and an
 * email to each of the organisation's admins saying which endpoint, why, and where to enable it.
 * Runs in the worker's transaction, so the notice and the change commit together.
 */
export async function noticeEndpointDisabled({
  db,
  endpoint,
  reason,
  at,
  send,
  publicBaseUrl,
}: {
  db: Db;
  endpoint: EndpointRow;
  reason: string;
  at: Date;
  send: (input: { organisationId: string; message: MailMessage }) => Promise<QueuedMail>;
  publicBaseUrl: string;
}): Promise<void> {
  await recordAudit({ db, organisationId: endpoint.organisationId, actor: { type: 'system', id: 'webhook delivery' }, action: 'webhook.disabled', subject: { type: 'webhook_endpoint', id: endpoint.id }, details: { reason, url: endpoint.url }, now: at });
  for (const admin of await adminContacts({ db, organisationId: endpoint.organisationId })) {
    await send({
      organisationId: endpoint.organisationId,
      message: {
        to: admin.email,
        kind: 'webhook.disabled',
        about: { type: 'webhook_endpoint', id: endpoint.id },
        subject: 'A webhook endpoint was disabled',
        text: [
          `Dear ${admin.name},`,
          `We stopped sending events to the webhook endpoint ${endpoint.url} (${endpoint.description}). ${reason}`,
          'Events that happen while it is disabled wait for it. When the receiver works again, enable the endpoint here:',
          `${publicBaseUrl}/webhooks/${endpoint.id}`,
        ].join('\n\n'),
      },
    });
  }
}

/** Refuses a URL we would never deliver to; the same check runs again before every delivery. */
export async function assertDeliverableUrl({ url, policy }: { url: string; policy: UrlPolicy }): Promise<void> {
  const parsed = new URL(url);
  if (policy.requireHttps && parsed.protocol !== 'https:') throw integrationsErrors.httpsRequired();
  try {
    await checkedAddress({ hostname: parsed.hostname, allowLoopback: policy.allowLoopback, resolve: policy.resolve });
  } catch (error) {
    if (error instanceof AddressNotAllowed) throw integrationsErrors.addressNotAllowed(error.message);
    throw error;
  }
}

export async function createEndpoint(
  ctx: Ctx & { url: string; events: EventType[]; description: string; policy: UrlPolicy; secretsKey: Buffer },
): Promise<EndpointDto & { secret: string }> {
  await assertDeliverableUrl({ url: ctx.url, policy: ctx.policy });
  const id = randomUUID();
  const secret = newSigningSecret();
  return inTransaction(ctx.db, async (tx) => {
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({
        id,
        organisationId: ctx.principal.organisationId,
        url: ctx.url,
        description: ctx.description,
        events: [...new Set(ctx.events)].sort(),
        secretSealed: sealSecret({ key: ctx.secretsKey, plaintext: secret, context: `webhook:${id}` }),
        secretPrefix: secret.slice(0, 12),
        status: 'enabled',
        createdBy: actorOf(ctx.principal).id,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    await audit({ ...ctx, db: tx }, 'webhook.created', id, { url: ctx.url, events: row!.events });
    return { ...toEndpoint(row!), secret };
  });
}

/** How long a deleted endpoint's delivery log stays readable; after that the endpoint is not found at all. */
export const DELETED_LOG_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** The organisation's endpoint; a deleted one only with `deleted` (then for 30 days after its deletion), so its log can still be read. */
async function findEndpoint(ctx: Ctx, id: string, { deleted = false }: { deleted?: boolean } = {}): Promise<EndpointRow> {
  const live = deleted ? or(isNull(webhookEndpoints.deletedAt), gt(webhookEndpoints.deletedAt, new Date(ctx.now.getTime() - DELETED_LOG_RETENTION_MS))) : isNull(webhookEndpoints.deletedAt);
  const [row] = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.organisationId, ctx.principal.organisationId), eq(webhookEndpoints.id, id), live));
  if (!row) throw integrationsErrors.webhookNotFound();
  return row;
}

export async function getEndpoint(ctx: Ctx & { id: string }): Promise<EndpointDto> {
  return toEndpoint(await findEndpoint(ctx, ctx.id));
}

export async function listEndpoints(ctx: Ctx & { limit: number; cursor?: string | undefined }): Promise<Page<EndpointDto>> {
  const rows = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.organisationId, ctx.principal.organisationId),
        isNull(webhookEndpoints.deletedAt),
        afterCreatedAtId({ cursor: ctx.cursor, createdAt: webhookEndpoints.createdAt, id: webhookEndpoints.id }),
      ),
    )
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id))
    .limit(ctx.limit + 1);
  return toPage({ rows, limit: ctx.limit, keyOf: createdAtIdKey, toItem: toEndpoint });
}

/** Deletes the endpoint; what it was sent stays in the log, and nothing more goes out. */
export async function deleteEndpoint(ctx: Ctx & { id: string }): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const row = await findEndpoint({ ...ctx, db: tx }, ctx.id);
    await tx.update(webhookEndpoints).set({ deletedAt: ctx.now, updatedAt: ctx.now }).where(eq(webhookEndpoints.id, row.id));
    // What was still waiting will never be sent: say so in the log rather than leave it pending.
    await tx
      .update(webhookDeliveries)
      .set({ status: 'failed', completedAt: ctx.now, leaseUntil: null })
      .where(and(eq(webhookDeliveries.endpointId, row.id), eq(webhookDeliveries.status, 'pending')));
    await audit({ ...ctx, db: tx }, 'webhook.deleted', row.id, { url: row.url });
  });
}

/**
 * A new signing secret, shown once. The old one keeps signing beside it for a day, so a receiver
 * can change over without rejecting a message; after that only the new one signs.
 */
export async function rotateSecret(ctx: Ctx & { id: string; secretsKey: Buffer }): Promise<EndpointDto & { secret: string; previousSecretExpiresAt: string }> {
  return inTransaction(ctx.db, async (tx) => {
    const row = await findEndpoint({ ...ctx, db: tx }, ctx.id);
    const secret = newSigningSecret();
    const previousSecretExpiresAt = new Date(ctx.now.getTime() + SECRET_OVERLAP_MS);
    const [updated] = await tx
      .update(webhookEndpoints)
      .set({
        secretSealed: sealSecret({ key: ctx.secretsKey, plaintext: secret, context: `webhook:${row.id}` }),
        secretPrefix: secret.slice(0, 12),
        previousSecretSealed: row.secretSealed,
        previousSecretExpiresAt,
        updatedAt: ctx.now,
      })
      .where(eq(webhookEndpoints.id, row.id))
      .returning();
    await audit({ ...ctx, db: tx }, 'webhook.secret_rotated', row.id, { previousSecretPrefix: row.secretPrefix, secretPrefix: updated!.secretPrefix, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() });
    return { ...toEndpoint(updated!), secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
  });
}

/**
 * Turns a disabled endpoint back on. Deliveries that were waiting go out again, oldest first at the
 * worker's rate bound; with `skipMissed` they are marked `skipped` instead and never sent, so the
 * receiver gets only what happens from now on. Either way the choice is in the audit log.
 */
export async function enableEndpoint(ctx: Ctx & { id: string; policy: UrlPolicy; skipMissed?: boolean }): Promise<EndpointDto & { skipped: number }> {
  return inTransaction(ctx.db, async (tx) => {
    const row = await findEndpoint({ ...ctx, db: tx }, ctx.id);
    await assertDeliverableUrl({ url: row.url, policy: ctx.policy });
    const [updated] = await tx
      .update(webhookEndpoints)
      .set({ status: 'enabled', disabledReason: null, consecutiveFailures: 0, updatedAt: ctx.now })
      .where(eq(webhookEndpoints.id, row.id))
      .returning();
    const skipped = ctx.skipMissed
      ? await tx
          .update(webhookDeliveries)
          .set({ status: 'skipped', completedAt: ctx.now, leaseUntil: null })
          .where(and(eq(webhookDeliveries.endpointId, row.id), eq(webhookDeliveries.status, 'pending')))
          .returning({ id: webhookDeliveries.id })
      : [];
    await audit({ ...ctx, db: tx }, 'webhook.enabled', row.id, { previousStatus: row.status, previousReason: row.disabledReason, skipMissed: ctx.skipMissed ?? false, skipped: skipped.length });
    return { ...toEndpoint(updated!), skipped: skipped.length };
  });
}

/**
 * Turns an endpoint off until it is enabled again, as the worker does after too many failures:
 * events are still queued for it and go out once it is enabled; nothing is sent meanwhile.
 */
export async function disableEndpoint(ctx: Ctx & { id: string; reason: string }): Promise<EndpointDto> {
  return inTransaction(ctx.db, async (tx) => {
    const row = await findEndpoint({ ...ctx, db: tx }, ctx.id);
    if (row.status === 'disabled') return toEndpoint(row);
    const [updated] = await tx
      .update(webhookEndpoints)
      .set({ status: 'disabled', disabledReason: ctx.reason, updatedAt: ctx.now })
      .where(eq(webhookEndpoints.id, row.id))
      .returning();
    await audit({ ...ctx, db: tx }, 'webhook.disabled', row.id, { reason: ctx.reason });
    return toEndpoint(updated!);
  });
}

export type LastDelivery = { status: DeliveryRow['status']; eventType: string; createdAt: string; completedAt: string | null };

/** Each endpoint's latest delivery (by when it was queued), for the list of endpoints. */
export async function lastDeliveries(ctx: Ctx & { endpointIds: string[] }): Promise<Map<string, LastDelivery>> {
  if (ctx.endpointIds.length === 0) return new Map();
  const rows = await ctx.db
    .selectDistinctOn([webhookDeliveries.endpointId])
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.organisationId, ctx.principal.organisationId), inArray(webhookDeliveries.endpointId, ctx.endpointIds)))
    .orderBy(webhookDeliveries.endpointId, desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id));
  return new Map(rows.map((row) => [row.endpointId, { status: row.status, eventType: row.eventType, createdAt: row.createdAt.toISOString(), completedAt: row.completedAt?.toISOString() ?? null }]));
}

async function withLog(db: Db, rows: DeliveryRow[]): Promise<DeliveryDto[]> {
  const attempts = rows.length === 0 ? [] : await db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, rows.map((r) => r.id))).orderBy(asc(webhookAttempts.attempt), asc(webhookAttempts.startedAt));
  return rows.map((row) => ({
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    redeliveryOf: row.redeliveryOf,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    log: attempts
      .filter((a) => a.deliveryId === row.id)
      .map((a) => ({ attempt: a.attempt, startedAt: a.startedAt.toISOString(), durationMs: a.durationMs, statusCode: a.statusCode, outcome: a.outcome, error: a.error, responseExcerpt: a.responseExcerpt })),
  }));
}

/**
 * The endpoint's deliveries, oldest first unless `newestFirst` (follow `nextCursor`), each with every
 * attempt. A deleted endpoint's log stays readable for 30 days after its deletion.
 */
export async function listDeliveries(ctx: Ctx & { id: string; limit: number; cursor?: string | undefined; newestFirst?: boolean }): Promise<Page<DeliveryDto>> {
  const endpoint = await findEndpoint(ctx, ctx.id, { deleted: true });
  const keyset = { cursor: ctx.cursor, createdAt: webhookDeliveries.createdAt, id: webhookDeliveries.id };
  const rows = await ctx.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.organisationId, ctx.principal.organisationId), eq(webhookDeliveries.endpointId, endpoint.id), ctx.newestFirst ? beforeCreatedAtId(keyset) : afterCreatedAtId(keyset)))
    .orderBy(...(ctx.newestFirst ? [desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id)] : [asc(webhookDeliveries.createdAt), asc(webhookDeliveries.id)]))
    .limit(ctx.limit + 1);
  const page = toPage({ rows, limit: ctx.limit, keyOf: createdAtIdKey, toItem: (row) => row });
  return { items: await withLog(ctx.db, page.items), nextCursor: page.nextCursor };
}

/**
 * Sends a delivery again as a new message: a new delivery of the same event with its own `webhook-id`
 * (a receiver that drops ids it has seen would drop a repeat of the old one) and, in its body,
 * `redeliveryOf` naming the first delivery. The one asked for keeps its own state and log.
 */
export async function redeliver(ctx: Ctx & { id: string; deliveryId: string }): Promise<DeliveryDto> {
  return inTransaction(ctx.db, async (tx) => {
    const endpoint = await findEndpoint({ ...ctx, db: tx }, ctx.id, { deleted: true });
    const [row] = await tx
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.organisationId, ctx.principal.organisationId), eq(webhookDeliveries.endpointId, endpoint.id), eq(webhookDeliveries.id, ctx.deliveryId)));
    if (!row) throw integrationsErrors.deliveryNotFound();
    if (endpoint.deletedAt) throw webhookErrors.endpointDeleted();
    if (row.status === 'delivering' && row.leaseUntil && row.leaseUntil > ctx.now) throw integrationsErrors.deliveryInProgress();
    // A redelivery of a redelivery names the first delivery too: that is what a receiver has on record.
    const original = row.redeliveryOf ?? row.id;
    const [created] = await tx
      .insert(webhookDeliveries)
      .values({ organisationId: row.organisationId, endpointId: endpoint.id, eventId: row.eventId, eventType: row.eventType, payload: redeliveryPayload({ payload: row.payload, redeliveryOf: original }), status: 'pending', redeliveryOf: original, nextAttemptAt: ctx.now, createdAt: ctx.now })
      .returning();
    await audit({ ...ctx, db: tx }, 'webhook.redelivery_requested', endpoint.id, { deliveryId: created!.id, redeliveryOf: original, requested: row.id, eventId: row.eventId, previousStatus: row.status });
    return (await withLog(tx, [created!]))[0]!;
  });
}

/**
 * Queues a `webhook.test` message to this endpoint only, to check that the receiver is reached and
 * verifies our signature. It has no event behind it (its `eventId` is its own) and shows in the log.
 */
export async function sendTestEvent(ctx: Ctx & { id: string; publicBaseUrl: string }): Promise<DeliveryDto> {
  return inTransaction(ctx.db, async (tx) => {
    const endpoint = await findEndpoint({ ...ctx, db: tx }, ctx.id);
    const eventId = randomUUID();
    const payload = testEventPayload({ eventId, organisationId: endpoint.organisationId, endpointId: endpoint.id, at: ctx.now, publicBaseUrl: ctx.publicBaseUrl });
    const [created] = await tx
      .insert(webhookDeliveries)
      .values({ organisationId: endpoint.organisationId, endpointId: endpoint.id, eventId, eventType: TEST_EVENT_TYPE, payload, status: 'pending', nextAttemptAt: ctx.now, createdAt: ctx.now })
      .returning();
    await audit({ ...ctx, db: tx }, 'webhook.test_requested', endpoint.id, { deliveryId: created!.id });
    return (await withLog(tx, [created!]))[0]!;
  });
}
