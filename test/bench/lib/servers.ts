import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../../src/platform/db';

const root = path.resolve(import.meta.dirname, '../../..');
export const BENCH_SETUP_TOKEN = 'bench-setup-token-0123456789';

/** `pid` is the started process's (under tsx, the parent of the node process that serves). */
export type RunningServer = { url: string; pid?: number; stop: () => Promise<void> };

/** Starts a server script in its own process (so the load generator never shares its event loop). */
export async function startProcess({ script, env }: { script: string; env: Record<string, string> }): Promise<RunningServer> {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") runs the servers under node with
  // those flags, to profile them under load; node refuses --cpu-prof in NODE_OPTIONS.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean);
  const [command, args] = nodeArgs ? [process.execPath, [...nodeArgs, '--import', 'tsx', script]] : [path.join(root, 'node_modules/.bin/tsx'), [script]];
  const child: ChildProcess = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

export function startHelloWorld(): Promise<RunningServer> {
  return startProcess({ script: 'test/bench/lib/hello-server.ts', env: {} });
}

export type Engine = 'embedded' | 'postgres';

/** A brand-new, empty database of the engine: a data directory, and on PostgreSQL a database of its own. */
export async function createBenchDatabase({ engine, prefix = 'aidd_bench' }: { engine: Engine; prefix?: string }): Promise<{ dataDir: string; databaseUrl?: string; cleanUp: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `${prefix.replace(/_/g, '-')}-`));
  let databaseUrl: string | undefined;
  let dropDatabase = async () => undefined as void;
  if (engine === 'postgres') {
    const server = benchPostgresUrl();
    const name = `${prefix}_${Date.now()}_${process.pid}`;
    const admin = await openDatabase({ url: server, dataDir: 'memory', logger: console, poolMax: 1 });
    await admin.db.execute(sql.raw(`create database "${name}"`));
    const parsed = new URL(server);
    parsed.pathname = `/${name}`;
    databaseUrl = parsed.toString();
    dropDatabase = async () => {
      await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      await admin.close();
    };
  }
  const cleanUp = async () => {
    await dropDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { dataDir, ...(databaseUrl ? { databaseUrl } : {}), cleanUp };
}

/** The environment every bench runs the service with: no rate limit to speak of, a bigger pool. */
export function serviceEnvironment({ dataDir, databaseUrl }: { dataDir: string; databaseUrl?: string | undefined }): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    SETUP_TOKEN: BENCH_SETUP_TOKEN,
    RATE_LIMIT_PER_MINUTE: '100000000',
    DB_POOL_MAX: process.env.BENCH_DB_POOL_MAX ?? '20',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}

/** The service on a brand-new database of the given engine, set up with one organisation. */
export async function startService({ engine, env = {} }: { engine: Engine; env?: Record<string, string> }): Promise<RunningServer & { adminToken: string; databaseUrl?: string }> {
  const { dataDir, databaseUrl, cleanUp } = await createBenchDatabase({ engine });
  // A server that never starts must not leave its bench database behind.
  const server = await startProcess({
    script: 'src/server.ts',
    env: { ...serviceEnvironment({ dataDir, databaseUrl }), ...env },
  }).catch(async (error: unknown) => {
    await cleanUp();
    throw error;
  });
  const response = await fetch(`${server.url}/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-setup-token': BENCH_SETUP_TOKEN },
    body: JSON.stringify({ organisationName: 'Bench Council', adminEmail: 'bench@example.gov.uk', adminName: 'Bench' }),
  });
  if (response.status !== 201) throw new Error(`setup failed: ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  return {
    url: server.url,
    pid: server.pid,
    adminToken: token,
    ...(databaseUrl ? { databaseUrl } : {}),
    stop: async () => {
      await server.stop();
      await cleanUp();
    },
  };
}

export function benchPostgresUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}
