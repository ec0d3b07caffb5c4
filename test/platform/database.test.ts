import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { inTransaction, queryRows } from '../../src/platform/db';
import { testConfig } from '../helpers/app';
import { createTestDatabase, testPostgresUrl } from '../helpers/db';

const engine = testPostgresUrl() ? 'postgres' : 'embedded';

describe(`the database (${engine})`, () => {
  it('applies every migration to an empty database, and a second run changes nothing', async () => {
    const testDb = await createTestDatabase({ migrate: false });
    try {
      expect(await testDb.database.migrationStatus()).toMatchObject({ applied: 0 });
      await testDb.database.migrate();
      const status = await testDb.database.migrationStatus();
      expect(status.applied).toBe(status.expected);
      expect(status.expected).toBeGreaterThanOrEqual(2);
      await testDb.database.migrate();
      expect(await testDb.database.migrationStatus()).toEqual(status);
      const tables = await queryRows<{ tablename: string }>(testDb.database.db, sql`select tablename from pg_tables where schemaname = 'public' order by 1`);
      expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['access_tokens', 'audit_events', 'organisations', 'users']));
    } finally {
      await testDb.close();
    }
  });

  it.skipIf(engine !== 'embedded')('opens the embedded engine with a 32 MB buffer cache, not the 128 MB default that held 100 MB more memory from the start', async () => {
    const testDb = await createTestDatabase({ migrate: false });
    try {
      const [row] = await queryRows<{ shared_buffers: string }>(testDb.database.db, sql`show shared_buffers`);
      expect(row?.shared_buffers).toBe('32MB');
    } finally {
      await testDb.close();
    }
  });

  it('/readyz reports the engine in use, and not ready until migrations are applied', async () => {
    const testDb = await createTestDatabase({ migrate: false });
    const app = await buildApp({ config: testConfig(), database: testDb.database, logger: false });
    try {
      const before = await app.inject({ method: 'GET', url: '/readyz' });
      expect(before.statusCode).toBe(503);
      expect(before.json()).toMatchObject({ status: 'not_ready', database: { kind: engine, reachable: true, migrationsApplied: 0 } });
      await testDb.database.migrate();
      const after = await app.inject({ method: 'GET', url: '/readyz' });
      expect(after.statusCode).toBe(200);
      expect(after.json()).toMatchObject({ status: 'ready', database: { kind: engine, reachable: true } });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    } finally {
      await app.close();
      await testDb.close();
    }
  });

  it('a nested transaction joins the outer one, so a failure rolls back both', async () => {
    const testDb = await createTestDatabase();
    const { db } = testDb.database;
    try {
      await expect(
        inTransaction(db, async (outer) => {
          await outer.execute(sql`insert into organisations (name) values ('outer')`);
          await inTransaction(outer, async (inner) => {
            await inner.execute(sql`insert into organisations (name) values ('inner')`);
          });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const rows = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from organisations`);
      expect(rows[0]!.n).toBe(0);
    } finally {
      await testDb.close();
    }
  });
});
