import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth';
import { zodApp, type AppDeps } from '../http/deps';
import { pageQuerySchema, pageSchema } from '../pagination';
import { listAuditEvents } from './audit';

/** Who may read the audit log, through the API and on its pages: admins and viewers (auditors, the DPO), and API keys with `audit:read`. */
export const AUDIT_READERS = { roles: ['admin', 'viewer'], scopes: ['audit:read'] } as const;

const auditEventSchema = z
  .object({
    id: z.uuid(),
    seq: z.number().int(),
    actor: z.object({ type: z.enum(['user', 'api_key', 'supplier', 'system']), id: z.string() }),
    action: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }),
    details: z.record(z.string(), z.unknown()),
    createdAt: z.iso.datetime(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

export function registerAuditApi(app: FastifyInstance, { database }: AppDeps): void {
  zodApp(app).get(
    '/v1/audit-events',
    {
      config: { access: AUDIT_READERS },
      schema: {
        tags: ['audit'],
        operationId: 'listAuditEvents',
        summary: "List the organisation's audit events",
        description: 'The hash-chained, append-only record of every material decision. Newest first unless `order=asc`.',
        querystring: pageQuerySchema.extend({
          order: z.enum(['asc', 'desc']).default('desc'),
          subjectId: z.string().max(200).optional(),
        }),
        response: { 200: pageSchema(auditEventSchema) },
      },
    },
    async (request) => {
      const page = await listAuditEvents({
        db: database.db,
        organisationId: principalOf(request).organisationId,
        ...request.query,
      });
      return { ...page, items: page.items.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })) };
    },
  );
}
