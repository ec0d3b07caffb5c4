import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../../src/platform/db';
import { memoryRateLimitStore, type RateLimitStore } from '../../src/platform/http/rate-limit';
import { databaseRateLimitStore } from '../../src/platform/http/rate-limit-store';
import { createClock } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

// The store every instance shares on PostgreSQL keeps the memory store's fixed windows, on the
// app's clock. It runs on both engines (the app picks it on PostgreSQL only, but the SQL is the same).

const WINDOW = 60_000;
type Count = { current: number; ttl: number };

const open = (Store: FastifyRateLimitStoreCtor) => new Store({}) as RateLimitStore;
const incr = (store: RateLimitStore, key: string) =>
  new Promise<Count>((resolve, reject) => store.incr(key, (error, result) => (error ? reject(error) : resolve(result!)), WINDOW, 10));
const read = (store: RateLimitStore, key: string) =>
  new Promise<Count>((resolve, reject) => store.read(key, (error, result) => (error ? reject(error) : resolve(result!)), WINDOW, 10));

describe('the database rate-limit store', () => {
  let testDb: TestDatabase;
  const clock = createClock();
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  beforeEach(async () => {
    await testDb.truncate();
    clock.set(new Date('2026-11-26T12:00:00.000Z'));
  });
  afterAll(async () => testDb?.close());

  const stores = {
    memory: () => open(memoryRateLimitStore({ now: clock.now })),
    database: () => open(databaseRateLimitStore({ db: testDb.database.db, now: clock.now })),
  };

  it.each(Object.keys(stores) as Array<keyof typeof stores>)('%s: a window starts at the first hit, counts every hit, and rolls over on the app’s clock', async (kind) => {
    const store = stores[kind]();
    expect(await incr(store, 'principal:user:1')).toEqual({ current: 1, ttl: 60_000 });
    clock.advance(20_000);
    expect(await incr(store, 'principal:user:1')).toEqual({ current: 2, ttl: 40_000 });
    expect(await incr(store, 'principal:user:1')).toEqual({ current: 3, ttl: 40_000 });
    // Another key has its own window.
    expect(await incr(store, 'address:198.51.100.7')).toEqual({ current: 1, ttl: 60_000 });
    clock.advance(39_999);
    expect(await incr(store, 'principal:user:1')).toEqual({ current: 4, ttl: 1 });
    clock.advance(1);
    expect(await incr(store, 'principal:user:1')).toEqual({ current: 1, ttl: 60_000 });
    // A clock set back before the window began starts a new one, as the memory store does.
    clock.advance(-30_000);
    expect(await incr(store, 'principal:user:1')).toEqual({ current: 1, ttl: 60_000 });
  });

  it.each(Object.keys(stores) as Array<keyof typeof stores>)('%s: a read counts nothing, and says nothing of a window that is over', async (kind) => {
    const store = stores[kind]();
    expect(await read(store, 'failed:198.51.100.8')).toEqual({ current: 0, ttl: 0 });
    await incr(store, 'failed:198.51.100.8');
    await incr(store, 'failed:198.51.100.8');
    clock.advance(15_000);
    expect(await read(store, 'failed:198.51.100.8')).toEqual({ current: 2, ttl: 45_000 });
    expect(await read(store, 'failed:198.51.100.8')).toEqual({ current: 2, ttl: 45_000 });
    clock.advance(45_000);
    expect(await read(store, 'failed:198.51.100.8')).toEqual({ current: 0, ttl: 0 });
  });

  it('keeps its counters in an UNLOGGED table: a hit writes no WAL and waits for no disk flush', async () => {
    const [table] = await queryRows<{ persistence: string }>(testDb.database.db, sql`select relpersistence as persistence from pg_class where relname = 'rate_limit_windows'`);
    expect(table?.persistence).toBe('u');
  });

  it('counts concurrent hits from two connection pools exactly, each count given once', async () => {
    // On PostgreSQL the second store has a pool of its own, as another instance would.
    const second: Database = testDb.url ? await openDatabase({ url: testDb.url, dataDir: 'memory', logger: { warn: () => undefined, error: () => undefined } }) : testDb.database;
    try {
      const a = open(databaseRateLimitStore({ db: testDb.database.db, now: clock.now }));
      const b = open(databaseRateLimitStore({ db: second.db, now: clock.now }));
      const counts = await Promise.all(Array.from({ length: 200 }, (_, i) => incr(i % 2 ? b : a, 'principal:api_key:busy')));
      expect(counts.map((c) => c.current).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const fresh = open(databaseRateLimitStore({ db: testDb.database.db, now: clock.now, readFreshMs: 0 }));
      expect(await read(fresh, 'principal:api_key:busy')).toEqual({ current: 200, ttl: 60_000 });
    } finally {
      if (second !== testDb.database) await second.close();
    }
  });

  it('a statement that fails answers every hit waiting on it with the error, and the key counts again after', async () => {
    const store = open(databaseRateLimitStore({ db: testDb.database.db, now: clock.now }));
    await incr(store, 'principal:user:full');
    // The counter cannot go higher: the next statement fails (integer out of range).
    await testDb.database.db.execute(sql`update rate_limit_windows set count = 2147483647 where key = 'principal:user:full'`);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => incr(store, 'principal:user:full')));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    await testDb.database.db.execute(sql`update rate_limit_windows set count = 1 where key = 'principal:user:full'`);
    expect(await incr(store, 'principal:user:full')).toEqual({ current: 2, ttl: 60_000 });
  });

  it('answers a read from what this instance saw lately, its own hits at once, another instance’s after readFreshMs', async () => {
    // Freshness is real time; a minute here and none there keeps the test off the wall clock.
    const patient = open(databaseRateLimitStore({ db: testDb.database.db, now: clock.now, readFreshMs: 60_000 }));
    const eager = open(databaseRateLimitStore({ db: testDb.database.db, now: clock.now, readFreshMs: 0 }));
    const other = open(databaseRateLimitStore({ db: testDb.database.db, now: clock.now }));
    expect(await read(patient, 'failed:198.51.100.9')).toEqual({ current: 0, ttl: 0 });
    await incr(other, 'failed:198.51.100.9');
    await incr(other, 'failed:198.51.100.9');
    // Another instance's hits: not yet seen by the patient store, seen at once by the eager one.
    expect(await read(patient, 'failed:198.51.100.9')).toEqual({ current: 0, ttl: 0 });
    expect(await read(eager, 'failed:198.51.100.9')).toEqual({ current: 2, ttl: 60_000 });
    // Its own hit tells it everything the database knows, the others' hits included.
    expect(await incr(patient, 'failed:198.51.100.9')).toEqual({ current: 3, ttl: 60_000 });
    expect(await read(patient, 'failed:198.51.100.9')).toEqual({ current: 3, ttl: 60_000 });
    // What it remembers still ends with its window, on the app's clock.
    clock.advance(60_000);
    expect(await read(patient, 'failed:198.51.100.9')).toEqual({ current: 0, ttl: 0 });
  });

  it('deletes windows long over, at most once a minute, and keeps the live ones', async () => {
    const rows = async () => (await queryRows<{ key: string }>(testDb.database.db, sql`select key from rate_limit_windows order by key`)).map((r) => r.key);
    const store = open(databaseRateLimitStore({ db: testDb.database.db, now: clock.now }));
    await incr(store, 'address:198.51.100.1');
    await incr(store, 'address:198.51.100.2');
    clock.advance(3 * 60_000);
    await incr(store, 'address:198.51.100.3');
    // The deletion runs after the hit has been answered: wait for it.
    const deadline = Date.now() + 10_000;
    while ((await rows()).length > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await rows()).toEqual(['address:198.51.100.3']);
    expect(await read(store, 'address:198.51.100.3')).toEqual({ current: 1, ttl: 60_000 });
  });
});
