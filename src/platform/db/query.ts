import type { SQL } from 'drizzle-orm';
import type { Db } from './database';

/** Raw SQL for the few statements the query builder cannot express; both engines return `{ rows }`. */
export async function queryRows<T>(db: Db, statement: SQL): Promise<T[]> {
  const result = (await db.execute(statement)) as unknown as { rows: T[] };
  return result.rows;
}
