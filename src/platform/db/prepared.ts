import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from './database';

const cache = new WeakMap<object, Map<string, unknown>>();

/**
 * A prepared statement built once per database handle and reused: on hot paths drizzle's query
 * builder costs about half the throughput of raw `pg`; a prepared statement costs almost nothing.
 */
export function prepared<T>(db: Db, name: string, build: (db: Db) => T): T {
  let statements = cache.get(db);
  if (!statements) {
    statements = new Map();
    cache.set(db, statements);
  }
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(db);
    statements.set(name, statement);
  }
  return statement;
}

// Turns SQL into text and parameters; the same for both engines (no casing rules apply to raw SQL).
const dialect = new PgDialect();

type RawPrepared = { execute(values: Record<string, unknown>): Promise<unknown> };

/**
 * Raw SQL (for what the query builder cannot express) as a named prepared statement: `db.execute`
 * sends it unnamed, so PostgreSQL parses and plans it on every call. Its values are
 * `sql.placeholder(name)`s, filled from `values` on each call; `build` runs once per handle.
 */
export async function preparedRows<T>({ db, name, build, values }: { db: Db; name: string; build: () => SQL; values: Record<string, unknown> }): Promise<T[]> {
  const statement = prepared<RawPrepared>(db, name, (handle) => handle._.session.prepareQuery(dialect.sqlToQuery(build()), undefined, name, false));
  const result = (await statement.execute(values)) as { rows: T[] };
  return result.rows;
}
