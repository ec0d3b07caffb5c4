import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth';
import { zodApp, type AppDeps } from '../http/deps';
import { pageQuerySchema, pageSchema } from '../pagination';
import { listOutbox } from './mail';

const outboxItemSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    about: z.object({ type: z.string(), id: z.string() }),
    to: z.string(),
    subject: z.string(),
    text: z.string().describe('As sent, with any token in a link replaced by [REDACTED].'),
    status: z.enum(['held', 'sent', 'failed']).describe('held: no SMTP server is configured, so the message waits here.'),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'OutboxMessage' });

export function registerOutboxApi(app: FastifyInstance, { database }: AppDeps): void {
  zodApp(app).get(
    '/v1/outbox',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['outbox'],
        operationId: 'listOutboxMessages',
        summary: 'Email the service has sent or is holding',
        description: 'Oldest first. Without SMTP_URL, messages are held here rather than sent. Secrets in links are never stored.',
        querystring: pageQuerySchema,
        response: { 200: pageSchema(outboxItemSchema) },
      },
    },
    async (request) => {
      const page = await listOutbox({ db: database.db, organisationId: principalOf(request).organisationId, ...request.query });
      return {
        ...page,
        items: page.items.map((row) => ({
          id: row.id,
          kind: row.kind,
          about: { type: row.subjectType, id: row.subjectId },
          to: row.to,
          subject: row.subject,
          text: row.text,
          status: row.status,
          error: row.error,
          createdAt: row.createdAt.toISOString(),
          sentAt: row.sentAt?.toISOString() ?? null,
        })),
      };
    },
  );
}
