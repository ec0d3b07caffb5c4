import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { and, asc, eq, gt, inArray, isNull, lte, not, or, sql } from 'drizzle-orm';
import { openSecret } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import { events } from '../../platform/events';
import { createOutboxMailer, transactionWithMail, type MailMessage, type Mailer, type QueuedMail } from '../../platform/mail';
import { AddressNotAllowed, checkedAddress, resolveWithDns, type ResolveHost } from './webhooks.address';
import { eventPayload, messageIdOf, retryDelay, signatureHeaders } from './webhooks.models';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './webhooks.table';

type Logger = { warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
type DeliveryRow = typeof webhookDeliveries.$inferSelect;
type EndpointRow = typeof webhookEndpoints.$inferSelect;
/** An event as dispatched: a merged `evaluation.updated` carries how many it stands for. */
type EventRow = Omit<typeof events.$inferSelect, 'data'> & { data: Record<string, string | number | boolean | null> };

export type WebhookWorkerInput = {
  db: Db;
  now: () => Date;
  publicBaseUrl: string;
  secretsKey: Buffer;
  timeoutMs: number;
  allowLoopback: boolean;
  pollMs: number;
  resolve?: ResolveHost;
  logger?: Logger;
  /**
   * How long an `evaluation.updated` waits for further updates of the same evaluation (a moderator
   * working down a response makes dozens): one delivery, the newest, then stands for them all and
   * says how many (`coalesced`). 0 sends each at once.
   */
  coalesceMs?: number;
  /** Attempts this worker has in flight at most, over all endpoints. */
  batch?: number;
  /**
   * Attempts in flight at most per endpoint (per worker). A slow or dead endpoint fills only its
   * own slots; the others' deliveries are claimed and sent beside it.
   */
  perEndpoint?: number;
  /**
   * Attempts started at most per endpoint per second, by this worker: starts are spaced 1000/n ms
   * apart, so an endpoint enabled again with a backlog gets it oldest first at a steady pace rather
   * than all at once. Unset: no bound beyond `perEndpoint` (the app passes WEBHOOK_RATE_PER_SECOND).
   */
  ratePerSecond?: number;
  /**
   * Told, after each dispatch commits, of the events it dispatched (other work that follows changes:
   * storing a procurement's OCDS release when it changes stage). Its failure is logged, never retried
   * here: what it does must also happen lazily elsewhere.
   */
  onDispatched?: (dispatched: Array<{ type: string; organisationId: string; subjectId: string }>) => Promise<unknown>;
  /** Runs first in every pass: work that makes events on a clock (closing procurements at their deadline). */
  sweep?: () => Promise<number>;
  /** Sends the email that `onDisabled` queues, once its transaction has committed; by default it stays in the outbox. */
  mailer?: Mailer;
  /**
   * Runs in the transaction that disables an endpoint (410 Gone, or a delivery that failed every retry,
   * about a day): the audit event and the admins' email, so nobody finds out only from silence.
   */
  onDisabled?: (input: { db: Db; endpoint: EndpointRow; reason: string; at: Date; send: (input: { organisationId: string; message: MailMessage }) => Promise<QueuedMail> }) => Promise<void>;
  /** How long a claim holds without a heartbeat; by default the attempt timeout plus 2 s. */
  leaseMs?: number;
  /** How often the leases of attempts in flight are extended; by default a third of the lease. */
  heartbeatMs?: number;
};

export type WebhookWorker = {
  /** One pass: the sweep, then fan new events out to endpoints, then claim and send what is due, and wait for those attempts. */
  runOnce(): Promise<{ swept: number; dispatched: number; attempted: number }>;
  /**
   * Passes every `pollMs`, at once again while there is work or when an attempt ends. A pass does
   * not wait for the attempts it starts: each endpoint's attempts run on their own, so a hanging
   * receiver holds only its own slots.
   */
  start(): void;
  /**
   * Claims nothing more at once; attempts in flight go on for up to `drainMs` (default 0) and are
   * recorded; any still running then are abandoned and go out again at once on the next start.
   */
  stop(input?: { drainMs?: number }): Promise<void>;
};

type AttemptResult = { outcome: 'succeeded' | 'failed' | 'interrupted'; statusCode: number | null; error: string | null; excerpt: string | null; gone: boolean };

const EXCERPT_CHARS = 256;
const LEASE_MARGIN_MS = 2_000;
const EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** One POST, to the address that was checked (not a second DNS answer), following no redirect. */
function post({ url, address, headers, body, signal }: { url: URL; address: { address: string; family: number }; headers: Record<string, string>; body: string; signal: AbortSignal }) {
  return new Promise<{ statusCode: number; excerpt: string }>((resolve, reject) => {
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [address]);
      else callback(null, address.address, address.family);
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, lookup, signal, agent: false });
    request.on('response', (response) => {
      let excerpt = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (excerpt.length < EXCERPT_CHARS) excerpt += chunk.slice(0, EXCERPT_CHARS - excerpt.length);
        else response.destroy(); // we have what we keep; do not download the rest
      });
      const done = () => resolve({ statusCode: response.statusCode ?? 0, excerpt });
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** `work`, or the signal's reason once it aborts: a DNS answer that never comes must not hold an attempt. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function createWebhookWorker(input: WebhookWorkerInput): WebhookWorker {
  const { db, now, publicBaseUrl, secretsKey, timeoutMs, allowLoopback, pollMs, resolve = resolveWithDns, logger, batch = 32, perEndpoint = 4, coalesceMs = 0, sweep, onDisabled, ratePerSecond, onDispatched } = input;
  const mailer = input.mailer ?? createOutboxMailer();
  // Short, so a crashed instance's claims go out again soon; a live worker's heartbeat keeps its own,
  // and even without one an attempt (bounded by the timeout, DNS included) ends before its lease.
  const leaseMs = input.leaseMs ?? timeoutMs + LEASE_MARGIN_MS;
  const heartbeatMs = input.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 3));
  /** Aborts the attempts in flight once a stop's grace is over. */
  const abandon = new AbortController();
  let halted = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let lastPruned = Number.NEGATIVE_INFINITY;
  /** Deliveries this worker is sending, each with the attempt number it claimed it under (its fence) and its endpoint. */
  const inFlight = new Map<string, { attempts: number; endpointId: string }>();
  /** The attempts running, so a stop can wait for them. */
  const sending = new Set<Promise<void>>();
  let heartbeat: NodeJS.Timeout | undefined;
  let beating = false;
  /** The rate bound: the gap between two starts for one endpoint, and when (performance.now()) each endpoint may start its next. */
  const spacingMs = ratePerSecond && ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
  const nextStartAt = new Map<string, number>();
  /** The soonest an endpoint held back by the rate bound may start again; the loop looks again then. */
  let heldUntil: number | undefined;

  /** Rows still `delivering` under the claim this worker made: another worker's claim never matches. */
  const claimedByUs = (claims: Array<[string, number]>) =>
    and(eq(webhookDeliveries.status, 'delivering'), or(...claims.map(([id, attempts]) => and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.attempts, attempts)))));

  /** Extends the lease of every attempt in flight; one that is no longer ours is logged, never taken back. */
  async function extendLeases(): Promise<void> {
    const claims = [...inFlight].map(([id, { attempts }]): [string, number] => [id, attempts]);
    if (claims.length === 0 || beating) return;
    beating = true;
    try {
      const kept = await db
        .update(webhookDeliveries)
        .set({ leaseUntil: new Date(now().getTime() + leaseMs) })
        .where(claimedByUs(claims))
        .returning({ id: webhookDeliveries.id });
      if (kept.length < claims.length) logger?.warn({ lost: claims.map(([id]) => id).filter((id) => !kept.some((k) => k.id === id)) }, 'webhook delivery lease lost during an attempt');
    } catch (error) {
      logger?.warn({ err: error }, 'webhook lease heartbeat failed');
    } finally {
      beating = false;
    }
  }

  function track(delivery: DeliveryRow): void {
    inFlight.set(delivery.id, { attempts: delivery.attempts, endpointId: delivery.endpointId });
    if (!heartbeat) {
      heartbeat = setInterval(() => void extendLeases(), heartbeatMs);
      heartbeat.unref();
    }
  }

  function untrack(delivery: DeliveryRow): void {
    inFlight.delete(delivery.id);
    if (inFlight.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  }

  /**
   * Merges bursts of `evaluation.updated`: each released one (older than `coalesceMs`) is replaced by
   * the newest undispatched update of the same evaluation, young ones included, and all of that
   * evaluation's undispatched updates are marked dispatched with it. So the first update of a burst
   * waits at most `coalesceMs` and the delivery that goes out is the latest state's.
   */
  async function coalesced(tx: Db, pending: EventRow[]): Promise<{ deliver: EventRow[]; dispatched: string[] }> {
    const updates = pending.filter((e) => e.type === 'evaluation.updated');
    if (updates.length === 0) return { deliver: pending, dispatched: pending.map((e) => e.id) };
    const all = await tx
      .select()
      .from(events)
      .where(and(isNull(events.dispatchedAt), eq(events.type, 'evaluation.updated'), inArray(events.subjectId, [...new Set(updates.map((e) => e.subjectId))])))
      .for('update', { skipLocked: true });
    const key = (e: EventRow) => `${e.organisationId}/${e.subjectId}`;
    const groups = new Map<string, EventRow[]>();
    for (const e of [...all, ...updates]) {
      const group = groups.get(key(e)) ?? [];
      if (!group.some((g) => g.id === e.id)) group.push(e);
      groups.set(key(e), group);
    }
    const newest = (group: EventRow[]) => group.reduce((a, b) => (b.occurredAt > a.occurredAt || (b.occurredAt.getTime() === a.occurredAt.getTime() && b.id > a.id) ? b : a));
    const merged = [...new Set(updates.map(key))].map((k) => {
      const group = groups.get(k)!;
      const latest = newest(group);
      return { ...latest, data: { ...latest.data, coalesced: group.length } };
    });
    return {
      deliver: [...pending.filter((e) => e.type !== 'evaluation.updated'), ...merged],
      dispatched: [...pending.filter((e) => e.type !== 'evaluation.updated').map((e) => e.id), ...[...new Set(updates.map(key))].flatMap((k) => groups.get(k)!.map((e) => e.id))],
    };
  }

  /** Turns each new event into one delivery per subscribed endpoint, in one transaction. */
  async function dispatch(): Promise<number> {
    const done: Array<{ type: string; organisationId: string; subjectId: string }> = [];
    const count = await inTransaction(db, async (tx) => {
      const at = now();
      // An `evaluation.updated` younger than the window waits for the rest of its burst.
      const held = coalesceMs > 0 ? and(eq(events.type, 'evaluation.updated'), gt(events.occurredAt, new Date(at.getTime() - coalesceMs))) : undefined;
      const pending = await tx
        .select()
        .from(events)
        .where(and(isNull(events.dispatchedAt), held ? not(held) : undefined))
        .orderBy(asc(events.occurredAt), asc(events.id))
        .limit(100)
        .for('update', { skipLocked: true });
      // Dispatched events are kept a while for diagnosis, then let go (each delivery holds its own
      // payload); an hourly look is plenty for a thirty-day rule.
      if (at.getTime() - lastPruned >= 3_600_000) {
        lastPruned = at.getTime();
        await tx.delete(events).where(lte(events.dispatchedAt, new Date(at.getTime() - EVENT_RETENTION_MS)));
      }
      if (pending.length === 0) return 0;
      const { deliver, dispatched } = coalesceMs > 0 ? await coalesced(tx, pending) : { deliver: pending, dispatched: pending.map((e) => e.id) };
      // One read of the endpoints of every organisation in the batch, one insert of every delivery.
      const endpoints = await tx
        .select({ id: webhookEndpoints.id, organisationId: webhookEndpoints.organisationId, events: webhookEndpoints.events, createdAt: webhookEndpoints.createdAt })
        .from(webhookEndpoints)
        .where(and(inArray(webhookEndpoints.organisationId, [...new Set(deliver.map((e) => e.organisationId))]), isNull(webhookEndpoints.deletedAt)));
      const deliveries = deliver.flatMap((event) => {
        // Only endpoints that existed when it happened, so a new endpoint is not sent history.
        const subscribed = endpoints.filter((e) => e.organisationId === event.organisationId && e.events.includes(event.type) && e.createdAt <= event.occurredAt);
        const payload = eventPayload({ event, publicBaseUrl });
        // Due since it happened: a claim takes the oldest due first, so a backlog goes out in the order of its events.
        const due = event.occurredAt < at ? event.occurredAt : at;
        return subscribed.map((e) => ({ organisationId: event.organisationId, endpointId: e.id, eventId: event.id, eventType: event.type, payload, status: 'pending' as const, nextAttemptAt: due, createdAt: at }));
      });
      if (deliveries.length > 0) await tx.insert(webhookDeliveries).values(deliveries).onConflictDoNothing();
      await tx.update(events).set({ dispatchedAt: at }).where(inArray(events.id, dispatched));
      done.push(...pending.map((e) => ({ type: e.type, organisationId: e.organisationId, subjectId: e.subjectId })));
      return pending.length;
    });
    if (onDispatched && done.length > 0) {
      try {
        await onDispatched(done);
      } catch (error) {
        logger?.error({ err: error }, 'work after dispatching events failed');
      }
    }
    return count;
  }

  /**
   * Takes due deliveries for this worker, at most `perEndpoint` per endpoint counting the attempts it
   * already has in flight, and at most `batch` in flight in all. The window keeps one endpoint's
   * backlog from filling the claim: each endpoint offers only its oldest few. SKIP LOCKED lets several
   * workers claim at once without waiting on or taking each other's rows, and the lease keeps a
   * claimed row out of every other claim until this worker records the outcome, or dies and the
   * lease runs out.
   */
  async function claim(): Promise<Array<{ delivery: DeliveryRow; endpoint: EndpointRow }>> {
    heldUntil = undefined;
    const room = batch - inFlight.size;
    if (room <= 0) return [];
    const at = now();
    const clock = performance.now();
    if (nextStartAt.size > 1000) for (const [id, next] of nextStartAt) if (next <= clock) nextStartAt.delete(id);
    const busy = new Map<string, number>();
    for (const { endpointId } of inFlight.values()) busy.set(endpointId, (busy.get(endpointId) ?? 0) + 1);
    const claimed = await inTransaction(db, async (tx) => {
      const offered = tx
        .select({ id: webhookDeliveries.id, rank: sql<number>`row_number() over (partition by ${webhookDeliveries.endpointId} order by ${webhookDeliveries.nextAttemptAt}, ${webhookDeliveries.id})`.as('rank') })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(
          and(
            eq(webhookEndpoints.status, 'enabled'),
            isNull(webhookEndpoints.deletedAt),
            or(
              and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, at)),
              and(eq(webhookDeliveries.status, 'delivering'), lte(webhookDeliveries.leaseUntil, at)),
            ),
          ),
        )
        .as('offered');
      const due = await tx
        .select({ id: webhookDeliveries.id, endpointId: webhookDeliveries.endpointId })
        .from(webhookDeliveries)
        .where(inArray(webhookDeliveries.id, tx.select({ id: offered.id }).from(offered).where(lte(offered.rank, perEndpoint))))
        .orderBy(asc(webhookDeliveries.nextAttemptAt), asc(webhookDeliveries.id))
        .for('update', { skipLocked: true });
      const chosen: string[] = [];
      for (const d of due) {
        if (chosen.length >= room) break;
        const held = busy.get(d.endpointId) ?? 0;
        if (held >= perEndpoint) continue;
        if (spacingMs > 0) {
          const next = nextStartAt.get(d.endpointId) ?? Number.NEGATIVE_INFINITY;
          if (next > clock) {
            heldUntil = Math.min(heldUntil ?? next, next);
            continue;
          }
          nextStartAt.set(d.endpointId, clock + spacingMs);
        }
        busy.set(d.endpointId, held + 1);
        chosen.push(d.id);
      }
      if (chosen.length === 0) return [];
      return tx
        .update(webhookDeliveries)
        .set({ status: 'delivering', attempts: sql`${webhookDeliveries.attempts} + 1`, leaseUntil: new Date(at.getTime() + leaseMs) })
        .where(inArray(webhookDeliveries.id, chosen))
        .returning();
    });
    if (claimed.length === 0) return [];
    const endpoints = await db.select().from(webhookEndpoints).where(inArray(webhookEndpoints.id, [...new Set(claimed.map((d) => d.endpointId))]));
    return claimed.map((delivery) => ({ delivery, endpoint: endpoints.find((e) => e.id === delivery.endpointId)! }));
  }

  async function attempt(delivery: DeliveryRow, endpoint: EndpointRow): Promise<AttemptResult> {
    const url = new URL(endpoint.url);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([abandon.signal, timeout]);
    try {
      // Checked again at every attempt: DNS may have changed since the endpoint was registered.
      const address = await untilAborted(checkedAddress({ hostname: url.hostname, allowLoopback, resolve }), signal);
      const at = now();
      const context = `webhook:${endpoint.id}`;
      const secrets = [openSecret({ key: secretsKey, sealed: endpoint.secretSealed, context })];
      if (endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > at) secrets.push(openSecret({ key: secretsKey, sealed: endpoint.previousSecretSealed, context }));
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'aidd-webhooks/1',
        ...signatureHeaders({ secrets, messageId: messageIdOf(delivery), timestamp: at, body: delivery.payload }),
      };
      const { statusCode, excerpt } = await post({ url, address, headers, body: delivery.payload, signal });
      if (statusCode >= 200 && statusCode < 300) return { outcome: 'succeeded', statusCode, error: null, excerpt, gone: false };
      const error = statusCode >= 300 && statusCode < 400 ? 'redirects are not followed' : `receiver answered ${statusCode}`;
      return { outcome: 'failed', statusCode, error, excerpt, gone: statusCode === 410 };
    } catch (error) {
      if (error instanceof AddressNotAllowed) return { outcome: 'failed', statusCode: null, error: error.message, excerpt: null, gone: false };
      if (abandon.signal.aborted) return { outcome: 'interrupted', statusCode: null, error: 'the service stopped during the attempt', excerpt: null, gone: false };
      const message = timeout.aborted ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
      return { outcome: 'failed', statusCode: null, error: message, excerpt: null, gone: false };
    }
  }

  /**
   * Records the attempt and what happens next, in one transaction. The delivery changes only while
   * it is still this worker's claim; if the lease was lost, the attempt is logged and the delivery
   * left to the worker that holds it now.
   */
  async function record(delivery: DeliveryRow, endpoint: EndpointRow, result: AttemptResult, startedAt: Date, durationMs: number): Promise<void> {
    const at = now();
    await transactionWithMail({ db, mailer, now: at }, async (tx, send) => {
      await tx.insert(webhookAttempts).values({
        deliveryId: delivery.id,
        attempt: delivery.attempts,
        startedAt,
        durationMs,
        statusCode: result.statusCode,
        outcome: result.outcome,
        error: result.error,
        responseExcerpt: result.excerpt,
      });
      const settle = async (values: Partial<DeliveryRow> | { attempts: ReturnType<typeof sql> }) => {
        const [owned] = await tx.update(webhookDeliveries).set(values).where(claimedByUs([[delivery.id, delivery.attempts]])).returning({ id: webhookDeliveries.id });
        if (!owned) logger?.warn({ deliveryId: delivery.id, outcome: result.outcome }, 'webhook delivery lease lost before its outcome was recorded');
        return Boolean(owned);
      };
      const done = { leaseUntil: null, completedAt: at };
      if (result.outcome === 'succeeded') {
        if (await settle({ status: 'succeeded', ...done })) await tx.update(webhookEndpoints).set({ consecutiveFailures: 0 }).where(eq(webhookEndpoints.id, endpoint.id));
        return;
      }
      if (result.outcome === 'interrupted') {
        // Not the receiver's fault: the attempt does not count, and it goes again at once.
        await settle({ status: 'pending', attempts: sql`${webhookDeliveries.attempts} - 1`, nextAttemptAt: at, leaseUntil: null });
        return;
      }
      const delay = retryDelay(delivery.attempts);
      const exhausted = result.gone || delay === null;
      const owned = exhausted ? await settle({ status: 'failed', ...done }) : await settle({ status: 'pending', nextAttemptAt: new Date(at.getTime() + delay), leaseUntil: null });
      if (!owned) return;
      // 410 Gone says the receiver is no more; a delivery that failed every retry (about a day) says it is broken.
      const disabledReason = result.gone ? 'The receiver answered 410 Gone.' : exhausted ? `A delivery failed ${delivery.attempts} attempts in a row (last: ${result.error}).` : null;
      await tx
        .update(webhookEndpoints)
        .set({ consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1` })
        .where(eq(webhookEndpoints.id, endpoint.id));
      if (!disabledReason) return;
      // Only the attempt that turns it off tells anyone: two failing at once notify once.
      const [turnedOff] = await tx
        .update(webhookEndpoints)
        .set({ status: 'disabled', disabledReason, updatedAt: at })
        .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.status, 'enabled')))
        .returning({ id: webhookEndpoints.id });
      if (!turnedOff) return;
      logger?.warn({ endpointId: endpoint.id, deliveryId: delivery.id }, 'webhook endpoint disabled');
      await onDisabled?.({ db: tx, endpoint, reason: disabledReason, at, send });
    });
  }

  /** Puts back deliveries claimed just as the worker stopped, unsent and uncounted. */
  async function release(claimed: Array<{ delivery: DeliveryRow }>): Promise<void> {
    await db
      .update(webhookDeliveries)
      .set({ status: 'pending', attempts: sql`${webhookDeliveries.attempts} - 1`, leaseUntil: null })
      .where(claimedByUs(claimed.map(({ delivery }) => [delivery.id, delivery.attempts])));
  }

  async function send(delivery: DeliveryRow, endpoint: EndpointRow): Promise<void> {
    track(delivery);
    try {
      const startedAt = now();
      const started = performance.now();
      let result: AttemptResult;
      try {
        result = await attempt(delivery, endpoint);
      } catch (error) {
        result = { outcome: 'failed', statusCode: null, error: error instanceof Error ? error.message : String(error), excerpt: null, gone: false };
      }
      await record(delivery, endpoint, result, startedAt, Math.round(performance.now() - started));
    } finally {
      untrack(delivery);
    }
  }

  /** Starts the claimed attempts; each is tracked until its outcome is recorded, and wakes the loop when it ends. */
  function startAll(claimed: Array<{ delivery: DeliveryRow; endpoint: EndpointRow }>): Promise<void>[] {
    return claimed.map(({ delivery, endpoint }) => {
      const attempt = send(delivery, endpoint).finally(() => {
        sending.delete(attempt);
        wake();
      });
      sending.add(attempt);
      return attempt;
    });
  }

  async function pass({ wait }: { wait: boolean }): Promise<{ swept: number; dispatched: number; attempted: number }> {
    const swept = sweep ? await sweep() : 0;
    const dispatched = await dispatch();
    if (halted) return { swept, dispatched, attempted: 0 };
    const claimed = await claim();
    if (halted && claimed.length > 0) {
      // Stopping began while the claim was being made: nothing new starts once it has.
      await release(claimed);
      return { swept, dispatched, attempted: 0 };
    }
    const started = startAll(claimed);
    if (wait) await Promise.all(started);
    return { swept, dispatched, attempted: claimed.length };
  }

  const runOnce = () => pass({ wait: true });

  let looping = false;
  let passing = false;
  let again = false;
  /** An attempt ended, so its endpoint has room: look again now rather than at the next poll. */
  function wake(): void {
    if (!looping || halted) return;
    if (passing) again = true;
    else schedule(0);
  }

  function schedule(delay: number): void {
    if (halted) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      passing = true;
      again = false;
      const current = pass({ wait: false }).then(
        (done) => {
          passing = false;
          const delay = again || done.swept + done.dispatched + done.attempted > 0 ? 0 : pollMs;
          // An endpoint held back by the rate bound is looked at again as soon as it may start.
          schedule(heldUntil === undefined ? delay : Math.min(delay, Math.max(0, Math.ceil(heldUntil - performance.now()))));
        },
        (error: unknown) => {
          passing = false;
          logger?.error({ err: error }, 'webhook delivery pass failed');
          schedule(pollMs);
        },
      );
      running = current;
    }, delay);
    timer.unref();
  }

  return {
    runOnce,
    start: () => {
      looping = true;
      schedule(0);
    },
    async stop({ drainMs = 0 } = {}) {
      halted = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      const attempts = () => Promise.all([...sending]).then(() => undefined);
      if (sending.size > 0) {
        let grace: NodeJS.Timeout | undefined;
        const finished = await Promise.race([attempts().then(() => true), new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(false), drainMs)))]);
        clearTimeout(grace);
        if (!finished) logger?.warn({ inFlight: inFlight.size, drainMs }, 'webhook attempts still in flight when the shutdown grace ran out: abandoned, they go out again at the next start');
      }
      abandon.abort();
      await attempts();
    },
  };
}
