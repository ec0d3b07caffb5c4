import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../platform/http/deps';
import { hideFromOpenApi, page, registerWeb } from '../../platform/web';
import { publishedMethodology } from './published.usecases';

const params = z.object({ id: z.uuid() });

/**
 * Pages anyone may read without signing in: a procurement's published methodology, the address an
 * assessment summary names. Read-only; 404 for an unknown id, another form of id, or a draft.
 */
export function registerPublishedPages(app: FastifyInstance, { database, now }: AppDeps): void {
  app.register(async (web) => {
    hideFromOpenApi(web);
    await registerWeb(web);
    web.get<{ Params: { id: string } }>('/published/procurements/:id/methodology', { config: { access: 'public' } }, async (request, reply) => {
      const parsed = params.safeParse(request.params);
      const published = parsed.success ? await publishedMethodology({ db: database.db, now: now(), id: parsed.data.id }) : null;
      if (!published) return page(request, reply, 'published/not-found.njk', { title: 'Page not found' }, 404);
      // The same for everyone, and fixed once the procurement is open.
      reply.header('cache-control', 'public, max-age=300');
      return page(request, reply, 'published/methodology.njk', {
        title: 'How tenders are assessed',
        pageTitle: `How tenders are assessed: ${published.procurement.title}`,
        ...published,
      });
    });
  });
}
