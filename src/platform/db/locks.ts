import { sql } from 'drizzle-orm';
import type { Db } from './database';
import { queryRows } from './query';

/**
 * Serialises the writers of one organisation's ordered records (the audit chain, the scores feed)
 * until the caller's transaction ends. Every such writer takes this one lock, never a second, so
 * two of them can never wait on each other in opposite orders.
 */
export async function lockOrganisation({ db, organisationId }: { db: Db; organisationId: string }): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`organisation:${organisationId}`}))`);
}

/**
 * Takes the advisory lock on `key` (within `namespace`, so no other kind of lock can collide with it)
 * until the caller's transaction ends, if no other session holds it; never waits. PostgreSQL only.
 */
export async function tryLockForTransaction({ db, namespace, key }: { db: Db; namespace: number; key: string }): Promise<boolean> {
  const [row] = await queryRows<{ locked: boolean }>(db, sql`select pg_try_advisory_xact_lock(${namespace}::int, hashtext(${key})) as locked`);
  return row?.locked === true;
}
