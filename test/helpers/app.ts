import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { buildApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { seedBuiltInQuestionnaires } from '../../src/modules/questionnaires';
import type { Database } from '../../src/platform/db';
import { createContractRecorder, logContract } from './contract';
import { createTestDatabase, type TestDatabase } from './db';

export const TEST_SETUP_TOKEN = 'test-setup-token-0123456789';

/** A clock tests can move; the app and the use cases read it. */
export function createClock(start = new Date('2026-11-26T12:00:00.000Z')) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    set: (date: Date) => {
      current = date.getTime();
    },
    advance: (ms: number) => {
      current += ms;
    },
  };
}

/**
 * Where this test file's apps keep uploaded files: one temporary directory per test process, shared
 * by every app in it (as instances share a volume), removed when the process ends; never `./data`.
 */
let blobDir: string | undefined;
function testBlobDir(): string {
  if (!blobDir) {
    const dir = mkdtempSync(path.join(tmpdir(), 'aidd-test-blobs-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    blobDir = dir;
  }
  return blobDir;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SETUP_TOKEN: TEST_SETUP_TOKEN, BLOB_DIR: testBlobDir(), RATE_LIMIT_PER_MINUTE: '100000', AUTH_FAILURE_LIMIT_PER_MINUTE: '100000', SETUP_LIMIT_PER_MINUTE: '100000', LINK_OPEN_LIMIT_PER_MINUTE: '100000', WEBHOOK_DELIVERY: 'false', WEBHOOK_COALESCE_MS: '0', ...overrides });
}

export type TestContext = {
  app: FastifyInstance;
  database: Database;
  clock: ReturnType<typeof createClock>;
  testDb: TestDatabase;
};

/**
 * One database and one app for the whole test file, emptied before each test.
 * Returns a holder whose fields are filled in `beforeAll`. `config` may be a function, read in that
 * `beforeAll`, when it depends on something an earlier `beforeAll` starts (a port, say).
 * Every answer the app gives is checked against its OpenAPI document; any mismatch fails the file.
 */
export function useTestApp({ config, truncate = true }: { config?: Record<string, string> | (() => Record<string, string>); truncate?: boolean } = {}): TestContext {
  const ctx = {} as TestContext;
  const contract = createContractRecorder();
  beforeAll(async () => {
    ctx.testDb = await createTestDatabase();
    ctx.database = ctx.testDb.database;
    await seedBuiltInQuestionnaires({ db: ctx.database.db, now: new Date('2026-11-01T09:00:00.000Z') });
    ctx.clock = createClock();
    ctx.app = await buildApp({ config: testConfig(typeof config === 'function' ? config() : config), database: ctx.database, now: () => ctx.clock.now(), logger: process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false, observe: contract.observe });
  });
  if (truncate) {
    beforeEach(async () => {
      await ctx.testDb.truncate();
      await seedBuiltInQuestionnaires({ db: ctx.database.db, now: new Date('2026-11-01T09:00:00.000Z') });
      ctx.clock.set(new Date('2026-11-26T12:00:00.000Z'));
    });
  }
  afterAll(async () => {
    const mismatches = contract.mismatches();
    logContract({ file: expect.getState().testPath, recorder: contract });
    await ctx.app?.close();
    await ctx.testDb?.close();
    if (mismatches.length > 0) throw new Error(`Answers that do not match /openapi.json:\n${mismatches.join('\n')}`);
  });
  return ctx;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Parses a problem+json response and checks the envelope every error shares. */
export function problemOf(response: LightMyRequestResponse): { status: number; code: string; title: string; detail?: string; errors?: { path: string; message: string; code?: string }[] } {
  if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${response.headers['content-type']}: ${response.body.slice(0, 200)}`);
  }
  return response.json();
}
