// The service under fuzz: `src/server.ts` in a child process on loopback, on a database of its own
// (a temporary DATA_DIR for the embedded engine; with DATABASE_URL, a fresh PostgreSQL database on
// that server, dropped afterwards, as test/helpers/db.ts makes them for tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/platform/db';
import { testPostgresUrl, withDatabaseName } from '../helpers/db';

const root = path.resolve(import.meta.dirname, '../..');
export const FUZZ_SETUP_TOKEN = 'fuzz-setup-token-0123456789abcdef';

const quietLogger = { warn: () => undefined, error: () => undefined };

/**
 * The environment of the child: limits raised so the fuzz reaches the handlers instead of a wall of
 * 429s (those still counted apart), no webhook deliveries (fuzzed URLs must never be called) and no
 * SMTP (mail goes to the outbox). Unknown variables are ignored by an older config.
 */
const FUZZ_ENVIRONMENT: Record<string, string> = {
  // As deployed (production requires a secrets key and https webhooks), on loopback.
  NODE_ENV: 'production',
  SECRETS_KEY: randomBytes(32).toString('base64url'),
  LOG_LEVEL: 'error',
  SETUP_TOKEN: FUZZ_SETUP_TOKEN,
  RATE_LIMIT_PER_MINUTE: '100000000',
  AUTH_FAILURE_LIMIT_PER_MINUTE: '100000000',
  SETUP_LIMIT_PER_MINUTE: '100000000',
  LINK_OPEN_LIMIT_PER_MINUTE: '100000000',
  WEBHOOK_DELIVERY: 'false',
  // Small enough that the fuzz's oversized bodies are refused quickly, big enough for a questionnaire.
  BODY_LIMIT_BYTES: String(1024 * 1024),
  EVIDENCE_MAX_BYTES: String(256 * 1024),
  REPORT_WORKERS: '1',
};

export type FuzzServer = {
  url: string;
  port: number;
  /** Everything the child wrote to stdout and stderr so far (its error log among it). */
  output: () => string;
  /** The exit code and signal once the child has exited, else undefined. */
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /**
   * Runs `work` on the child's database from this process. The embedded database belongs to one
   * process, so there the child is stopped (gracefully) first and started again after.
   */
  withDatabase: <T>(work: (database: Database) => Promise<T>) => Promise<T>;
  /** Stops the child and removes its database. */
  close: () => Promise<void>;
};

type Child = { process: ChildProcess; port: number; exit: { code: number | null; signal: NodeJS.Signals | null } | undefined };

async function createDatabase(): Promise<{ dataDir: string; databaseUrl: string | undefined; drop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aidd-fuzz-'));
  const serverUrl = testPostgresUrl();
  if (!serverUrl) return { dataDir, databaseUrl: undefined, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const name = `aidd_fuzz_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ url: serverUrl, dataDir: 'memory', logger: quietLogger, poolMax: 1 });
  await admin.db.execute(sql.raw(`create database "${name}"`));
  return {
    dataDir,
    databaseUrl: withDatabaseName(serverUrl, name),
    drop: async () => {
      await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      await admin.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts the service in a child process; resolves once it says where it listens. */
export async function startFuzzServer({ env = {} }: { env?: Record<string, string> } = {}): Promise<FuzzServer> {
  const database = await createDatabase();
  let output = '';
  const environment = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: database.dataDir,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...FUZZ_ENVIRONMENT,
    ...env,
  };

  const spawnChild = (): Promise<Child> =>
    new Promise((resolve, reject) => {
      const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/server.ts'], { cwd: root, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
      const state: Child = { process: child, port: 0, exit: undefined };
      // A run cut short (a test timeout, Ctrl-C) must not leave the server behind.
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      child.once('exit', () => process.removeListener('exit', killOnExit));
      let own = '';
      const timer = setTimeout(() => reject(new Error(`the server did not start within 120 s:\n${output.slice(-4000)}`)), 120_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.length > 2_000_000) output = output.slice(-1_000_000);
        if (state.port !== 0) return;
        own += chunk.toString();
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(own);
        if (match) {
          state.port = Number(match[1]);
          clearTimeout(timer);
          resolve(state);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code, signal) => {
        state.exit = { code, signal };
        clearTimeout(timer);
        if (state.port === 0) reject(new Error(`the server exited with ${code ?? signal} before listening:\n${output.slice(-4000)}`));
      });
    });

  const stop = (child: Child) =>
    new Promise<void>((resolve) => {
      if (child.exit) return resolve();
      child.process.once('exit', () => resolve());
      child.process.kill('SIGTERM');
      setTimeout(() => child.process.kill('SIGKILL'), 15_000).unref();
    });

  let current = await spawnChild().catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  return {
    get url() {
      return `http://127.0.0.1:${current.port}`;
    },
    get port() {
      return current.port;
    },
    output: () => output,
    exited: () => current.exit,
    withDatabase: async <T>(work: (database: Database) => Promise<T>): Promise<T> => {
      const embedded = !database.databaseUrl;
      if (embedded) await stop(current);
      const opened = await openDatabase({ url: database.databaseUrl, dataDir: database.dataDir, logger: quietLogger, poolMax: 2 });
      try {
        return await work(opened);
      } finally {
        await opened.close();
        if (embedded) current = await spawnChild();
      }
    },
    close: async () => {
      await stop(current);
      await database.drop();
    },
  } as FuzzServer;
}
