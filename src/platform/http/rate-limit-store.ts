import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { prepared, type Db } from '../db';
import type { RateLimitStore } from './rate-limit';
import { rateLimitWindows } from './rate-limit.table';

type Count = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Count) => void;
type Logger = { warn(obj: object, msg: string): void };

/** Windows that ended this long ago are deleted: long enough that no instance's clock still counts in them. */
const PRUNE_AFTER_MS = 60_000;
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 5_000;
/** How long a read (the lockout check on every request) may be answered from what this instance last saw. */
export const READ_FRESH_MS = 100;
const READ_CAPACITY = 10_000;

type Window = { count: number; startedAt: number; endsAt: number; seenAt: number };

/**
 * The same fixed windows as `memoryRateLimitStore`, kept in PostgreSQL so every instance counts
 * against one allowance. At most one statement per hit: an upsert that starts a new window when the
 * stored one is over (or not yet begun) on the app's clock, else adds the hits, and returns the
 * count. Hits on a key that arrive while its statement is under way go together in the next one,
 * each given its own count, so a busy key costs one statement per round trip, not one per hit.
 * A read is answered from what this instance saw of the key in the last `READ_FRESH_MS` (its own
 * hits included, so it is exact on one instance): another instance's hits show within that time.
 */
export function databaseRateLimitStore({ db, now, logger, readFreshMs = READ_FRESH_MS }: { db: Db; now: () => Date; logger?: Logger; readFreshMs?: number }): FastifyRateLimitStoreCtor {
  const t = rateLimitWindows;
  // `excluded` is this hit: its window starts now. The stored window still counts if it holds now.
  const live = sql`${t.startedAt} <= excluded.started_at and excluded.started_at < ${t.endsAt}`;
  const hit = prepared(db, 'rate_limit_hit', (handle) =>
    handle
      .insert(t)
      .values({ key: sql.placeholder('key'), count: sql.placeholder('hits'), startedAt: sql.placeholder('at'), endsAt: sql.placeholder('until') })
      .onConflictDoUpdate({
        target: t.key,
        set: {
          count: sql`case when ${live} then ${t.count} + excluded.count else excluded.count end`,
          startedAt: sql`case when ${live} then ${t.startedAt} else excluded.started_at end`,
          endsAt: sql`case when ${live} then ${t.endsAt} else excluded.ends_at end`,
        },
      })
      .returning({ count: t.count, startedAt: t.startedAt, endsAt: t.endsAt })
      .prepare('rate_limit_hit'),
  );
  const peek = prepared(db, 'rate_limit_read', (handle) =>
    handle
      .select({ count: t.count, startedAt: t.startedAt, endsAt: t.endsAt })
      .from(t)
      .where(eq(t.key, sql.placeholder('key')))
      .prepare('rate_limit_read'),
  );

  let lastPruned = Number.NEGATIVE_INFINITY;
  /** At most once a minute per instance, after a hit and off its path: windows long over are deleted. */
  function prune(at: number): void {
    // Either way round: a clock set back (as tests do) must not stop the pruning for good.
    if (Math.abs(at - lastPruned) < PRUNE_EVERY_MS) return;
    lastPruned = at;
    const over = db.select({ key: t.key }).from(t).where(lt(t.endsAt, new Date(at - PRUNE_AFTER_MS))).limit(PRUNE_BATCH);
    db.delete(t)
      .where(and(inArray(t.key, over), lt(t.endsAt, new Date(at - PRUNE_AFTER_MS))))
      .catch((error: unknown) => logger?.warn({ err: error }, 'old rate-limit windows could not be deleted'));
  }

  // Real time, not the app's clock: freshness is about how long ago the database said so.
  const seen = new Map<string, Window>();
  // No row is remembered too (as an empty window): most reads are of addresses that never failed.
  const remember = (key: string, row: { count: number; startedAt: Date; endsAt: Date } | undefined) => {
    const before = seen.get(key);
    const startedAt = row?.startedAt.getTime() ?? 0;
    // Answers to concurrent hits arrive in any order: a window's count only goes up.
    const count = Math.max(row?.count ?? 0, before?.startedAt === startedAt ? before.count : 0);
    seen.delete(key);
    seen.set(key, { count, startedAt, endsAt: row?.endsAt.getTime() ?? 0, seenAt: performance.now() });
    if (seen.size > READ_CAPACITY) seen.delete(seen.keys().next().value!);
  };
  const answer = (window: Window, at: number): Count => (window.startedAt <= at && at < window.endsAt ? { current: window.count, ttl: window.endsAt - at } : { current: 0, ttl: 0 });

  const failed = (callback: Callback) => (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)));

  // Per key: the hits waiting for the statement under way to finish.
  const waiting = new Map<string, Callback[]>();
  const busy = new Set<string>();
  function send(key: string, timeWindow: number): void {
    const callbacks = waiting.get(key);
    waiting.delete(key);
    if (!callbacks) {
      busy.delete(key);
      return;
    }
    busy.add(key);
    const at = now().getTime();
    hit
      .execute({ key, hits: callbacks.length, at: new Date(at), until: new Date(at + timeWindow) })
      .then(
        ([row]) => {
          remember(key, row!);
          const first = row!.count - callbacks.length + 1;
          callbacks.forEach((callback, i) => callback(null, { current: first + i, ttl: row!.endsAt.getTime() - at }));
          prune(at);
        },
        (error: unknown) => {
          for (const callback of callbacks) failed(callback)(error);
        },
      )
      // Whatever happened, the key's next hits go: a key left busy would hold its requests for ever.
      .finally(() => send(key, timeWindow))
      .catch((error: unknown) => logger?.warn({ err: error }, 'a rate-limit answer could not be given'));
  }

  return class DatabaseRateLimitStore implements RateLimitStore {
    incr(key: string, callback: Callback, timeWindow: number): void {
      const queue = waiting.get(key);
      if (queue) queue.push(callback);
      else waiting.set(key, [callback]);
      if (!busy.has(key)) send(key, timeWindow);
    }

    read(key: string, callback: Callback): void {
      const at = now().getTime();
      const known = seen.get(key);
      if (known && performance.now() - known.seenAt < readFreshMs) {
        callback(null, answer(known, at));
        return;
      }
      peek.execute({ key }).then(([row]) => {
        remember(key, row);
        callback(null, answer(seen.get(key)!, at));
      }, failed(callback));
    }

    child(): RateLimitStore {
      return this;
    }
  };
}
