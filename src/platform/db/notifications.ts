import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Db } from './database';

type Logger = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

export type NotificationListener = {
  /** True while the LISTEN connection is up; notifications sent while it is down are lost. */
  readonly listening: boolean;
  close(): Promise<void>;
};

export type ListenInput = {
  channel: string;
  onNotification(payload: string): void;
  /** Called each time LISTEN is in place, the first time and after every reconnection. */
  onListening?(): void;
  logger: Logger;
  /** First wait before reconnecting; doubles on each failure, up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** How often the idle connection is checked: a connection lost without a word (a partition) is found by this. */
  heartbeatMs?: number;
};

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * LISTENs on `channel` over a connection of its own, never one from the pool (a pooled client goes
 * back after each query, and with it the LISTEN). When that connection drops it is opened again,
 * with a log line each way. Resolves once the first attempt has succeeded or failed.
 */
export async function listenForNotifications({
  url,
  applicationName,
  channel,
  onNotification,
  onListening,
  logger,
  retryMs = 250,
  maxRetryMs = 10_000,
  heartbeatMs = 30_000,
}: ListenInput & { url: string; applicationName: string }): Promise<NotificationListener> {
  if (!identifier.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = retryMs;
  let lost = false;

  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, maxRetryMs);
  };

  /** The live connection failed or ended: let it go and open another. */
  const drop = (candidate: pg.Client, error?: Error) => {
    if (client !== candidate) return;
    client = undefined;
    candidate.end().catch(() => undefined);
    if (closed) return;
    logger.warn({ err: error, channel }, 'database notifications lost: listening again as soon as the database answers');
    lost = true;
    retry();
  };

  async function connect(): Promise<void> {
    const candidate = new pg.Client({ connectionString: url, application_name: applicationName, connectionTimeoutMillis: 5_000, query_timeout: 5_000, keepAlive: true });
    // Set before connecting: an error on this client must never be an unhandled 'error' event.
    candidate.on('error', (error) => drop(candidate, error));
    candidate.on('end', () => drop(candidate));
    candidate.on('notification', (message) => {
      if (message.channel === channel && message.payload) onNotification(message.payload);
    });
    try {
      await candidate.connect();
      await candidate.query(`listen ${channel}`);
    } catch (error) {
      if (!lost && !closed) logger.warn({ err: error, channel }, 'cannot listen for database notifications yet: trying again');
      lost = true;
      candidate.end().catch(() => undefined);
      retry();
      return;
    }
    if (closed) {
      await candidate.end().catch(() => undefined);
      return;
    }
    client = candidate;
    delay = retryMs;
    if (lost) logger.info({ channel }, 'listening for database notifications again');
    lost = false;
    onListening?.();
  }

  const heartbeat = setInterval(() => {
    const current = client;
    current?.query('select 1').catch((error: unknown) => drop(current, error instanceof Error ? error : new Error(String(error))));
  }, heartbeatMs);
  heartbeat.unref();
  await connect();
  return {
    get listening() {
      return client !== undefined;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(heartbeat);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}

/** Queues a notification in `db`'s transaction: PostgreSQL sends it when (and only if) that commits. */
export async function notify({ db, channel, payload }: { db: Db; channel: string; payload: string }): Promise<void> {
  await db.execute(sql`select pg_notify(${channel}, ${payload})`);
}
