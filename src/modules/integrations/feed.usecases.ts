import { and, asc, eq, gte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../platform/db';
import { instantSchema } from '../../platform/http/instant';
import { decodeCursor, encodeCursor } from '../../platform/pagination';
import type { Principal } from '../../platform/auth';
import { scoreFeed, scoreFeedVisibleTo, type ScoreFeedItem } from '../scoring';
import type { CsvColumn } from './csv';

export type FeedItem = ScoreFeedItem & { updatedAt: string };

/** What a caller asks for; who they are (`principal`) narrows it to what they may see. */
export type FeedFilter = { principal: Principal; updatedSince?: Date | undefined; procurementId?: string | undefined };

export type FeedPage = {
  items: FeedItem[];
  /** The next page now; null when this page reaches the end of the feed. */
  nextCursor: string | null;
  /** Where to resume later, to get only what changes after this page: keep it between polls. */
  resumeCursor: string | null;
};

const feedCursor = z.tuple([instantSchema(), z.uuid()]);
type Position = { updatedAt: string; responseId: string };

const positionOf = (cursor: string | undefined): Position | undefined => {
  if (!cursor) return undefined;
  const [updatedAt, responseId] = decodeCursor(cursor, feedCursor);
  return { updatedAt, responseId };
};

function feedConditions({ filter, after }: { filter: FeedFilter; after: Position | undefined }): SQL | undefined {
  return and(
    eq(scoreFeed.organisationId, filter.principal.organisationId),
    scoreFeedVisibleTo(filter.principal),
    filter.updatedSince ? gte(scoreFeed.updatedAt, filter.updatedSince) : undefined,
    filter.procurementId ? eq(scoreFeed.procurementId, filter.procurementId) : undefined,
    // A row comparison, which PostgreSQL answers from the (organisation, updatedAt, responseId) index.
    after ? sql`(${scoreFeed.updatedAt}, ${scoreFeed.responseId}) > (${after.updatedAt}::timestamptz, ${after.responseId}::uuid)` : undefined,
  );
}

/**
 * Rows strictly after `after` in (updatedAt, responseId) order. A changed item moves to the end
 * of the feed, and the writers' organisation lock makes `updatedAt` grow in commit order, so a
 * client that walks to the end sees every item's final state, whatever changed during the walk.
 */
async function rowsAfter({ db, filter, after, limit }: { db: Db; filter: FeedFilter; after: Position | undefined; limit: number }) {
  const rows = await db
    .select({ item: scoreFeed.item, updatedAt: scoreFeed.updatedAt })
    .from(scoreFeed)
    .where(feedConditions({ filter, after }))
    .orderBy(asc(scoreFeed.updatedAt), asc(scoreFeed.responseId))
    .limit(limit);
  // Items published before the conditions register existed carry none until their next change.
  return rows.map((row): FeedItem => ({ ...row.item, conditions: row.item.conditions ?? [], updatedAt: row.updatedAt.toISOString() }));
}

const cursorOf = (item: FeedItem) => encodeCursor([item.updatedAt, item.responseId]);

export async function feedPage({ db, filter, cursor, limit }: { db: Db; filter: FeedFilter; cursor?: string | undefined; limit: number }): Promise<FeedPage> {
  const rows = await rowsAfter({ db, filter, after: positionOf(cursor), limit: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const resumeCursor = last ? cursorOf(last) : (cursor ?? null);
  return { items, nextCursor: rows.length > limit ? resumeCursor : null, resumeCursor };
}

/** The CSV's columns: the JSON item's fields in the same order under the same names, sections as `ref=score` pairs. */
const CSV_FIELDS = [
  'responseId',
  'procurementId',
  'procurementReference',
  'supplierName',
  'companyNumber',
  'status',
  'overallScore',
  'rating',
  'riskTier',
  'gatewaysPassed',
  'final',
  'sectionScores',
  'questionnaireKey',
  'questionnaireVersion',
  'scoringMethodVersion',
  'updatedAt',
] as const;

/** One CSV row of the feed: the values of CSV_FIELDS, in that order. */
export type FeedCsvRow = ReadonlyArray<string | number | boolean | null>;

const item = (name: keyof ScoreFeedItem) => sql`${scoreFeed.item}->${name}`;

// The database hands over each CSV row as one JSON array, its columns already picked out of the
// item and the section scores already joined: per row, one value to move and one JSON.parse,
// instead of the whole item, or sixteen values each decoded on its own.
const csvRow = sql<string>`json_build_array(
  ${scoreFeed.responseId}, ${scoreFeed.procurementId}, ${item('procurementReference')}, ${item('supplierName')}, ${item('companyNumber')},
  ${item('status')}, ${item('overallScore')}, ${item('rating')}, ${item('riskTier')}, ${item('gatewaysPassed')}, ${item('final')},
  (select coalesce(string_agg(coalesce(s->>'ref', s->>'key') || '=' || coalesce(s->>'score', ''), '; ' order by n), '') from jsonb_array_elements(${item('sections')}) with ordinality as t(s, n)),
  ${item('questionnaireKey')}, ${item('questionnaireVersion')}, ${item('scoringMethodVersion')},
  to_char(${scoreFeed.updatedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
)::text`;

/** A page of the CSV: the rows, and the same cursors as the JSON page of the same query. */
export type FeedCsvPage = { rows: FeedCsvRow[]; nextCursor: string | null; resumeCursor: string | null };

/**
 * The page of CSV rows that `feedPage` would return as items for the same filter, cursor and
 * limit, projected in SQL. Its cursors are the JSON page's: both take the last row's
 * (updatedAt, responseId), formatted alike, so a client may switch between the two mid-walk.
 */
export async function feedCsvPage({ db, filter, cursor, limit }: { db: Db; filter: FeedFilter; cursor?: string | undefined; limit: number }): Promise<FeedCsvPage> {
  const fetched = await db
    .select({ row: csvRow })
    .from(scoreFeed)
    .where(feedConditions({ filter, after: positionOf(cursor) }))
    .orderBy(asc(scoreFeed.updatedAt), asc(scoreFeed.responseId))
    .limit(limit + 1);
  const rows = fetched.slice(0, limit).map(({ row }) => JSON.parse(row) as FeedCsvRow);
  const last = rows[rows.length - 1];
  const resumeCursor = last ? encodeCursor([String(last[CSV_FIELDS.length - 1]), String(last[0])]) : (cursor ?? null);
  return { rows, nextCursor: fetched.length > limit ? resumeCursor : null, resumeCursor };
}

export const FEED_CSV_COLUMNS: CsvColumn<FeedCsvRow>[] = CSV_FIELDS.map((header, index) => ({ header, value: (row) => row[index] }));
