import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Db } from './database';

/**
 * Runs `work` in a transaction, reusing the caller's one when `db` already is a transaction,
 * so a use case can call another use case and both commit or roll back together.
 */
export async function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  if (db instanceof PgTransaction) return work(db as Db);
  return db.transaction(async (tx) => work(tx as unknown as Db));
}
