import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { instantSchema } from '../../platform/http/instant';
import { csvStream } from './csv';
import { FEED_CSV_COLUMNS, feedCsvRows, feedPage } from './feed.usecases';
import { feedItemSchema } from './integrations.schemas';

// Council users read the feed (an evaluator only what blind marking allows, see scoreFeedVisibleTo); an API key needs scores:read.
const FEED_READERS = { roles: ['admin', 'officer', 'viewer', 'evaluator'], scopes: ['scores:read'] } as const;

const feedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Items per page, 1 to 500.'),
  cursor: z.string().max(512).optional().describe('`nextCursor` (or a kept `resumeCursor`) of an earlier page.'),
  updatedSince: instantSchema({ offset: true }).optional().describe('Only items whose `updatedAt` is at or after this instant. To resume a walk, prefer the cursor.'),
  procurementId: z.uuid().optional().describe('Only the responses to this procurement.'),
});

function nextLink(request: FastifyRequest, cursor: string): string {
  const url = new URL(request.url, 'http://x');
  url.searchParams.set('cursor', cursor);
  return `<${url.pathname}${url.search}>; rel="next"`;
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
          'With `Accept: text/csv`, the whole feed from the cursor on (no paging) streams as CSV, with a header row; cells that a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, a tab or carriage return, full-width `＝`, `|` or `;`) are prefixed with `\'`. `sectionScores` holds `ref=score` pairs separated by `; `.',
        ].join('\n\n'),
        querystring: feedQuery,
        response: {
          200: z.object({
            items: z.array(feedItemSchema),
            nextCursor: z.string().nullable().describe('The next page; null when this page reaches the end of the feed.'),
            resumeCursor: z.string().nullable().describe('Keep it, and pass it as `cursor` to get what changes after this page.'),
          }),
        },
        responseHeaders: { 200: ['Link'] },
        alsoAs: { 200: ['text/csv'] },
      },
    },
    async (request, reply) => {
      const { limit, cursor, updatedSince, procurementId } = request.query;
      const filter = { principal: principalOf(request), updatedSince: updatedSince ? new Date(updatedSince) : undefined, procurementId };
      if (/\btext\/csv\b/.test(request.headers.accept ?? '')) {
        const rows = feedCsvRows({ db: database.db, filter, cursor });
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="scores.csv"').header('cache-control', 'private, no-store');
        // A stream is sent as it is; the JSON schema above describes the default representation.
        return reply.send(csvStream({ columns: FEED_CSV_COLUMNS, rows }) as never);
      }
      const page = await feedPage({ db: database.db, filter, cursor, limit });
      if (page.nextCursor) reply.header('link', nextLink(request, page.nextCursor));
      return page;
    },
  );
}
