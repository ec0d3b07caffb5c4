import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type Database } from '../../src/platform/db';

const quietLogger = { warn: () => undefined, error: () => undefined };

/** The PostgreSQL server the suite runs against, or undefined for the embedded default. */
export function testPostgresUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export type TestDatabase = {
  database: Database;
  /** The PostgreSQL URL of this database; undefined on the embedded engine. */
  url: string | undefined;
  /** Empties every table, keeping the schema: call between tests. */
  truncate(): Promise<void>;
  close(): Promise<void>;
};

/** Connects to the same server as `url`, in another database. */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * A migrated, empty database for one test file: PGlite in memory by default, or, with DATABASE_URL
 * set, a fresh PostgreSQL database on that server, dropped afterwards.
 */
export async function createTestDatabase({ migrate = true }: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = testPostgresUrl();
  let database: Database;
  let drop: () => Promise<void> = async () => undefined;
  let url: string | undefined;
  if (serverUrl) {
    const name = `aidd_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = await openDatabase({ url: serverUrl, dataDir: 'memory', logger: quietLogger, poolMax: 1 });
    await admin.db.execute(sql.raw(`create database "${name}"`));
    url = withDatabaseName(serverUrl, name);
    database = await openDatabase({ url, dataDir: 'memory', logger: quietLogger, poolMax: 10 });
    drop = async () => {
      await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      await admin.close();
    };
  } else {
    const templateFile = migrate ? process.env.AIDD_TEST_PGLITE_TEMPLATE : undefined;
    const template = templateFile ? new Blob([readFileSync(templateFile)]) : undefined;
    database = await openDatabase({ dataDir: 'memory', logger: quietLogger, template });
  }
  // From a template this finds nothing to do, and proves the template is current.
  if (migrate) await database.migrate();

  return {
    database,
    url,
    truncate: async () => {
      const tables = await queryRows<{ tablename: string }>(database.db, sql`select tablename from pg_tables where schemaname = 'public'`);
      if (tables.length === 0) return;
      await database.db.execute(sql.raw(`truncate ${tables.map((t) => `"${t.tablename}"`).join(', ')} cascade`));
    },
    close: async () => {
      await database.close();
      await drop();
    },
  };
}
