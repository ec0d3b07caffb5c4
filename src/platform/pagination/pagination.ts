import { and, eq, gt, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { AppError } from '../errors';
import { instantSchema } from '../http/instant';

/** `limit` and `cursor` as every list endpoint accepts them. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Items per page, 1 to 100.'),
  cursor: z.string().max(512).optional().describe('The `nextCursor` of the previous page.'),
});

export type PageQuery = z.infer<typeof pageQuerySchema>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page.'),
  });
}

export type Page<T> = { items: T[]; nextCursor: string | null };

/** Cursors are opaque to clients: base64url JSON of the sort key of the last item. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

const invalidCursor = () =>
  new AppError({ status: 400, code: 'pagination.invalid_cursor', title: 'Invalid cursor', detail: 'Use the nextCursor value from a previous page, unchanged.' });

/** Decodes a cursor and checks it has the shape the endpoint expects; anything else is a 400, never a 500. */
export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = shape.safeParse(raw);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells us there is a next page.
 */
export function toPage<Row, Item>({
  rows,
  limit,
  keyOf,
  toItem,
}: {
  rows: Row[];
  limit: number;
  keyOf: (row: Row) => readonly (string | number)[];
  toItem: (row: Row) => Item;
}): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

const createdAtIdCursor = z.tuple([instantSchema(), z.uuid()]);

/**
 * The keyset condition for lists ordered by (createdAt, id): rows strictly after the cursor's row.
 * Unlike OFFSET it costs the same on page 1 and page 1,000, and never skips or repeats a row.
 */
export function afterCreatedAtId({ cursor, createdAt, id }: { cursor: string | undefined; createdAt: PgColumn; id: PgColumn }): SQL | undefined {
  if (!cursor) return undefined;
  const [at, lastId] = decodeCursor(cursor, createdAtIdCursor);
  const when = new Date(at);
  return or(gt(createdAt, when), and(eq(createdAt, when), gt(id, lastId)));
}

/** The same, for lists ordered newest first (createdAt, id descending): rows strictly before the cursor's row. */
export function beforeCreatedAtId({ cursor, createdAt, id }: { cursor: string | undefined; createdAt: PgColumn; id: PgColumn }): SQL | undefined {
  if (!cursor) return undefined;
  const [at, lastId] = decodeCursor(cursor, createdAtIdCursor);
  const when = new Date(at);
  return or(lt(createdAt, when), and(eq(createdAt, when), lt(id, lastId)));
}

export const createdAtIdKey = (row: { createdAt: Date; id: string }) => [row.createdAt.toISOString(), row.id] as const;
