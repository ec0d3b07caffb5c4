import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock';
import { ensureDataDir, resolveDataDir } from './data-dir';
import { copyTemplate, findTemplate, isEmptyDataDirectory } from './embedded-template';
import { listenForNotifications, type ListenInput, type NotificationListener } from './notifications';
import { projectRoot } from '../project-root';
import { queryRows } from './query';

/** Either engine's drizzle handle, or a transaction on it: everything below a use case takes this. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT, any>;

export type DatabaseKind = 'embedded' | 'postgres';

export type Database = {
  db: Db;
  kind: DatabaseKind;
  /** Applies committed migrations; safe to call from several instances at once on PostgreSQL. */
  migrate(): Promise<void>;
  /** Applied and expected migration counts, for /readyz. */
  migrationStatus(): Promise<{ applied: number; expected: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PostgreSQL only: the pool's clients, all of them back in the pool (idle) when no request runs. */
  poolStats?(): { total: number; idle: number; waiting: number };
  /** Embedded only: the whole database as a tarball, to open copies quickly (the test suite's template). */
  snapshot?(): Promise<Blob>;
  /** PostgreSQL only: LISTEN on a channel over a connection of its own, reconnecting when it drops. */
  listen?(input: ListenInput): Promise<NotificationListener>;
};

type Logger = { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

export const MIGRATIONS_FOLDER = path.join(projectRoot(), 'migrations');
const MIGRATION_LOCK_KEY = 7_210_001; // any constant shared by every instance of this service

let expectedMigrations: number | undefined;
function countExpectedMigrations(): number {
  expectedMigrations ??= readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;
  return expectedMigrations;
}

async function appliedMigrations(db: Db): Promise<number> {
  const [exists] = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!exists?.present) return 0;
  const [result] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return result?.n ?? 0;
}

export type OpenDatabaseInput = {
  /** A postgres:// URL; when absent the embedded PGlite database is used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory` keeps nothing on disk (tests). */
  dataDir: string;
  /** Embedded only: start from a snapshot instead of an empty cluster (about 5x faster to open). */
  template?: Blob | undefined;
  /** Embedded only: who holds DATA_DIR while it is open (`server`, `cli`), named to any other opener it refuses. */
  lockRole?: string | undefined;
  logger: Logger;
  /** Told, in a line for a person, what a slow step is about to do (the server prints it at start-up). */
  progress?: ((line: string) => void) | undefined;
  poolMax?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
};

export async function openDatabase(input: OpenDatabaseInput): Promise<Database> {
  return input.url ? openPostgres({ ...input, url: input.url }) : openEmbedded(input);
}

/**
 * PGlite's start-up options, its defaults plus a smaller buffer cache. PGlite keeps PostgreSQL's
 * shared buffers inside its WebAssembly memory, and the default 128 MB is mostly resident from the
 * start: an empty database opened and queried used 330 MB of RSS with it and 245 MB with 32 MB
 * (16 MB saved little more). The pages also stay in the operating system's file cache, and one
 * council's working set fits easily.
 */
const EMBEDDED_OPTIONS = { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'] };

async function openEmbedded({ dataDir, template, lockRole, progress }: OpenDatabaseInput): Promise<Database> {
  let client: PGlite;
  let lock: DataDirLock | undefined;
  if (dataDir === 'memory') {
    client = new PGlite({ ...EMBEDDED_OPTIONS, ...(template ? { loadDataDir: template } : {}) });
    await client.waitReady;
  } else {
    // Checked and locked before PGlite touches it: a second PGlite on the same files loses writes.
    const directory = resolveDataDir(dataDir);
    ensureDataDir(directory);
    lock = await acquireDataDirLock({ directory, role: lockRole });
    try {
      const pgdata = path.join(directory, 'pgdata');
      if (isEmptyDataDirectory(pgdata)) {
        const prepared = findTemplate({ migrationsFolder: MIGRATIONS_FOLDER });
        if (prepared) {
          progress?.(`new embedded database in ${directory}: copying the prepared empty one`);
          copyTemplate({ template: prepared, pgdata });
        } else {
          progress?.(`new embedded database in ${directory}: creating it (initdb takes several seconds; \`npm install\` prepares one to copy instead)`);
        }
      } else {
        progress?.(`opening the embedded database in ${directory}`);
      }
      ensureDataDir(pgdata);
      client = new PGlite(pgdata, EMBEDDED_OPTIONS);
      await client.waitReady;
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  const db = drizzlePglite({ client, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'embedded',
    migrate: async () => {
      await migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    migrationStatus: async () => ({ applied: await appliedMigrations(db), expected: countExpectedMigrations() }),
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      if (!client.closed) await client.close();
      lock?.release();
    },
    snapshot: async () => client.dumpDataDir('none'),
  };
}

async function openPostgres(input: OpenDatabaseInput & { url: string }): Promise<Database> {
  const statementTimeout = input.statementTimeoutMs ?? 15_000;
  const pool = new pg.Pool({
    connectionString: input.url,
    max: input.poolMax ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 1_000,
    idle_in_transaction_session_timeout: 60_000,
    application_name: input.applicationName ?? 'aidd',
  });
  // Without this listener an idle client losing its connection (a restart, a failover) kills the process.
  pool.on('error', (error) => input.logger.error({ err: error }, 'idle database connection failed'));
  // The pool's listener is taken off a client while it is checked out, so a connection cut between a
  // transaction's statements would be an unhandled 'error' event: each client gets its own, for life.
  // The query in flight fails on its own, and the request answers 503.
  pool.on('connect', (client) => client.on('error', (error) => input.logger.warn({ err: error }, 'database connection lost')));

  const db = drizzleNodePg({ client: pool, casing: 'snake_case' }) as unknown as Db;
  // drizzle sends BEGIN on a pooled client before its try/finally, so a connection cut just then
  // never went back to the pool; after ten such cuts every request waited for a client. Here the
  // client is checked out and always released by us (the pool drops it if it is broken).
  const onClient = new WeakMap<pg.PoolClient, Db>();
  type Transaction = Db['transaction'];
  db.transaction = (async (work: Parameters<Transaction>[0], config?: Parameters<Transaction>[1]) => {
    const client = await pool.connect();
    try {
      let clientDb = onClient.get(client);
      if (!clientDb) onClient.set(client, (clientDb = drizzleNodePg({ client, casing: 'snake_case' }) as unknown as Db));
      return await clientDb.transaction(work, config);
    } finally {
      client.release();
    }
  }) as Transaction;
  return {
    db,
    kind: 'postgres',
    migrate: async () => {
      const client = await pool.connect();
      try {
        // Several instances may start together: one migrates, the others wait and then find nothing to do.
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migrateNodePg(drizzleNodePg({ client, casing: 'snake_case' }), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
        client.release();
      }
    },
    migrationStatus: async () => ({ applied: await appliedMigrations(db), expected: countExpectedMigrations() }),
    ping: async () => {
      await pool.query('select 1');
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    listen: (options) => listenForNotifications({ ...options, url: input.url, applicationName: `${input.applicationName ?? 'aidd'}-listen` }),
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  };
}
