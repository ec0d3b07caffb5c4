import { sql } from 'drizzle-orm';
import type { Db } from './database';

/**
 * Serialises the writers of one organisation's ordered records (the audit chain, the scores feed)
 * until the caller's transaction ends. Every such writer takes this one lock, never a second, so
 * two of them can never wait on each other in opposite orders.
 */
export async function lockOrganisation({ db, organisationId }: { db: Db; organisationId: string }): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`organisation:${organisationId}`}))`);
}
