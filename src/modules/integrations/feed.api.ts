import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { instantSchema, isStorableInstant } from '../../platform/http/instant';
import { acceptsCsv, csvContentType, csvFormatSchema, csvProfileOf, csvStream } from './csv';
import { FEED_CSV_COLUMNS, feedCsvPage, feedPage } from './feed.usecases';
import { feedItemSchema } from './integrations.schemas';

// Council users read the feed (an evaluator only what blind marking allows, see scoreFeedVisibleTo); an API key needs scores:read.
const FEED_READERS = { roles: ['admin', 'officer', 'evaluator', 'viewer'], scopes: ['scores:read'] } as const;

/**
 * A calendar date means from 00:00 UTC that day: `updatedAt` is an instant written in UTC, and a
 * date that meant Europe/London would move by an hour with the clocks. A date-time with an offset
 * says any other midnight exactly.
 */
const updatedSinceSchema = z
  .union([z.iso.date().refine((date) => isStorableInstant(`${date}T00:00:00Z`), 'Must be between the years 1 and 9999'), instantSchema({ offset: true })])
  .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value));

const feedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Items (or CSV rows) per page, 1 to 500.'),
  cursor: z.string().max(512).optional().describe('`nextCursor` (or a kept `resumeCursor`) of an earlier page, or the cursor of a CSV page’s `Link: rel="next"`.'),
  updatedSince: updatedSinceSchema
    .optional()
    .describe('Only items whose `updatedAt` is at or after this: a date-time (`2026-12-01T09:00:00Z`, any offset) or a date (`2026-12-01`, from 00:00 UTC that day). To resume a walk, prefer the cursor.'),
  procurementId: z.uuid().optional().describe('Only the responses to this procurement.'),
  format: csvFormatSchema.optional().describe('Sends the page as CSV whatever `Accept` says: `csv` for machines, `excel` for people (a UTF-8 BOM, formula-like text prefixed with `\'`).'),
});

// Loose: Fastify replaces request.headers with what this schema returns, and the app's onSend hook
// still needs Authorization to mark an error answer no-store.
const feedHeaders = z.looseObject({
  accept: z.string().max(1000).optional().describe('`text/csv` for the page as CSV for machines, `text/csv; profile=excel` for people; anything else, JSON.'),
  'if-none-match': z.string().max(1000).optional().describe('The ETag of a copy of this page you hold: 304, without a body, while the page is unchanged.'),
});

function nextLink(request: FastifyRequest, cursor: string): string {
  const url = new URL(request.url, 'http://x');
  url.searchParams.set('cursor', cursor);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

/**
 * A weak ETag of a page as sent: what it holds (items or rows, and the cursors), in which
 * representation, for which organisation. Weak, because it stands for the page's content, not for
 * the bytes (a JSON serialiser may lay the same page out differently); the organisation is in the
 * hash so another council's page never shares a validator with this one, even when both are empty.
 */
function pageEtag({ organisationId, representation, page }: { organisationId: string; representation: string; page: unknown }): string {
  const hash = createHash('sha256').update(JSON.stringify([organisationId, representation, page])).digest('base64url');
  return `W/"${hash.slice(0, 32)}"`;
}

/** If-None-Match by the weak comparison (RFC 9110 §13.1.2): `*`, or any listed tag with the same opaque value. */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/** The headers of a page, and 304 when the client's copy is current; false when the body is still to send. */
function notModified({ request, ifNoneMatch, reply, etag, next }: { request: FastifyRequest; ifNoneMatch: string | undefined; reply: FastifyReply; etag: string; next: string | null }): boolean {
  reply.header('etag', etag).header('vary', 'Accept').header('cache-control', 'private, no-store');
  if (next) reply.header('link', nextLink(request, next));
  if (!noneMatch(ifNoneMatch, etag)) return false;
  void reply.code(304).send();
  return true;
}

export function registerFeedApi(app: FastifyInstance, { database }: AppDeps): void {
  zodApp(app).get(
    '/v1/scores',
    {
      config: { access: FEED_READERS },
      schema: {
        tags: ['integrations'],
        operationId: 'listScores',
        summary: 'The scores feed: every evaluated response, oldest change first',
        description: [
          'One item per response that has been evaluated, in order of `updatedAt` then `responseId`. A change to an item (a moderated mark, a gateway decision, a withdrawal) moves it to the end with a later `updatedAt`, so a client that follows `nextCursor` (or the `Link: rel="next"` header) to the end has every item in its latest state, having missed none.',
          'Marking is blind: an evaluator sees only responses to procurements whose panel they sit on, each once their own marks for it are submitted (the moderator sees them all). Staff and keys with `scores:read` see every item.',
          'To poll: keep the last page’s `resumeCursor` and call again with it; you get only what changed since. A withdrawn response stays in the feed with `status: withdrawn` and no scores.',
          'Every page has a weak `ETag` (of its items, its cursors, its representation and your organisation): send it back in `If-None-Match` to get 304 with no body while the page is unchanged.',
          'As CSV (`Accept: text/csv`, or `format=csv`): the same page, `limit` rows after a header row, the columns the item’s fields (`sectionScores` holds `ref=score` pairs separated by `; `), and the next page in `Link: rel="next"` with the same cursor as `nextCursor`. For machines the values are as stored, without a BOM (`Content-Type: text/csv; charset=utf-8`). For people (`Accept: text/csv; profile=excel`, or `format=excel`) the file starts with a UTF-8 BOM and text a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, a tab or carriage return, full-width `＝`, `|` or `;`) is prefixed with `\'` (`Content-Type: text/csv; charset=utf-8; profile=excel`).',
        ].join('\n\n'),
        querystring: feedQuery,
        headers: feedHeaders,
        response: {
          200: z.object({
            items: z.array(feedItemSchema),
            nextCursor: z.string().nullable().describe('The next page; null when this page reaches the end of the feed.'),
            resumeCursor: z.string().nullable().describe('Keep it, and pass it as `cursor` to get what changes after this page.'),
          }),
          304: z.null().describe('Not modified (If-None-Match matched)'),
        },
        responseHeaders: { 200: ['ETag', 'Link'], 304: ['ETag', 'Link'] },
        alsoAs: { 200: ['text/csv'] },
      },
    },
    async (request, reply) => {
      const { limit, cursor, updatedSince, procurementId, format } = request.query;
      const principal = principalOf(request);
      const filter = { principal, updatedSince, procurementId };
      const organisationId = principal.organisationId;
      const ifNoneMatch = request.headers['if-none-match'];
      if (format || acceptsCsv(request.headers.accept)) {
        const profile = csvProfileOf({ format, accept: request.headers.accept });
        const page = await feedCsvPage({ db: database.db, filter, cursor, limit });
        const etag = pageEtag({ organisationId, representation: `csv:${profile}`, page: { rows: page.rows, nextCursor: page.nextCursor } });
        if (notModified({ request, ifNoneMatch, reply, etag, next: page.nextCursor })) return reply;
        reply.header('content-type', csvContentType(profile)).header('content-disposition', 'attachment; filename="scores.csv"');
        // A stream is sent as it is; the JSON schema above describes the default representation.
        return reply.send(csvStream({ columns: FEED_CSV_COLUMNS, rows: page.rows, profile }) as never);
      }
      const page = await feedPage({ db: database.db, filter, cursor, limit });
      if (notModified({ request, ifNoneMatch, reply, etag: pageEtag({ organisationId, representation: 'json', page }), next: page.nextCursor })) return reply;
      return page;
    },
  );
}
