import { and, asc, eq, gte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../platform/db';
import { decodeCursor, encodeCursor } from '../../platform/pagination';
import { scoreFeed, type ScoreFeedItem } from '../scoring';
import type { CsvColumn } from './csv';

export type FeedItem = ScoreFeedItem & { updatedAt: string };

export type FeedFilter = { organisationId: string; updatedSince?: Date | undefined; procurementId?: string | undefined };

export type FeedPage = {
  items: FeedItem[];
  /** The next page now; null when this page reaches the end of the feed. */
  nextCursor: string | null;
  /** Where to resume later, to get only what changes after this page: keep it between polls. */
  resumeCursor: string | null;
};

const feedCursor = z.tuple([z.iso.datetime(), z.uuid()]);
type Position = { updatedAt: string; responseId: string };

const positionOf = (cursor: string | undefined): Position | undefined => {
  if (!cursor) return undefined;
  const [updatedAt, responseId] = decodeCursor(cursor, feedCursor);
  return { updatedAt, responseId };
};

function feedConditions({ filter, after }: { filter: FeedFilter; after: Position | undefined }): SQL | undefined {
  return and(
    eq(scoreFeed.organisationId, filter.organisationId),
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
  return rows.map((row): FeedItem => ({ ...row.item, updatedAt: row.updatedAt.toISOString() }));
}

const cursorOf = (item: FeedItem) => encodeCursor([item.updatedAt, item.responseId]);

export async function feedPage({ db, filter, cursor, limit }: { db: Db; filter: FeedFilter; cursor?: string | undefined; limit: number }): Promise<FeedPage> {
  const rows = await rowsAfter({ db, filter, after: positionOf(cursor), limit: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const resumeCursor = last ? cursorOf(last) : (cursor ?? null);
  return { items, nextCursor: rows.length > limit ? resumeCursor : null, resumeCursor };
}

/** One CSV row of the feed: the item's fields, with the section scores as `ref=score` pairs in one cell. */
export type FeedCsvRow = Omit<FeedItem, 'sections'> & { sectionScores: string };

const field = (name: keyof ScoreFeedItem) => sql<string | null>`${scoreFeed.item}->>${name}`;

// The CSV takes only its columns from the database, section scores already joined, instead of
// every item whole: a tenth of the bytes to move and no JSON to parse.
const csvSelection = {
  responseId: scoreFeed.responseId,
  procurementId: scoreFeed.procurementId,
  procurementReference: field('procurementReference'),
  supplierName: sql<string>`${scoreFeed.item}->>'supplierName'`,
  companyNumber: field('companyNumber'),
  status: sql<FeedItem['status']>`${scoreFeed.item}->>'status'`,
  overallScore: sql<number | null>`(${scoreFeed.item}->>'overallScore')::float8`,
  rating: field('rating'),
  riskTier: sql<string>`${scoreFeed.item}->>'riskTier'`,
  gatewaysPassed: sql<boolean | null>`(${scoreFeed.item}->>'gatewaysPassed')::boolean`,
  final: sql<boolean>`(${scoreFeed.item}->>'final')::boolean`,
  sectionScores: sql<string>`(select coalesce(string_agg(coalesce(s->>'ref', s->>'key') || '=' || coalesce(s->>'score', ''), '; ' order by n), '') from jsonb_array_elements(${scoreFeed.item}->'sections') with ordinality as t(s, n))`,
  questionnaireKey: sql<string>`${scoreFeed.item}->>'questionnaireKey'`,
  questionnaireVersion: sql<string>`${scoreFeed.item}->>'questionnaireVersion'`,
  scoringMethodVersion: sql<string>`${scoreFeed.item}->>'scoringMethodVersion'`,
  updatedAt: scoreFeed.updatedAt,
};

/** Every CSV row from the cursor on, in feed order, a batch at a time so memory stays flat. */
export async function* feedCsvRows({ db, filter, cursor, batch = 2000 }: { db: Db; filter: FeedFilter; cursor?: string | undefined; batch?: number }): AsyncGenerator<FeedCsvRow> {
  let after = positionOf(cursor);
  for (;;) {
    const rows = await db.select(csvSelection).from(scoreFeed).where(feedConditions({ filter, after })).orderBy(asc(scoreFeed.updatedAt), asc(scoreFeed.responseId)).limit(batch);
    for (const row of rows) yield { ...row, updatedAt: row.updatedAt.toISOString() };
    const last = rows[rows.length - 1];
    if (!last || rows.length < batch) return;
    after = { updatedAt: last.updatedAt.toISOString(), responseId: last.responseId };
  }
}

/** The CSV columns: the JSON item's fields, in the same order, under the same names. */
export const FEED_CSV_COLUMNS: CsvColumn<FeedCsvRow>[] = (
  [
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
  ] as const
).map((name) => ({ header: name, value: (row: FeedCsvRow) => row[name] }));
