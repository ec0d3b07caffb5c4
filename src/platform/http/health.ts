import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { zodApp, type AppDeps } from './deps';

const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    database: z.object({
      kind: z.enum(['embedded', 'postgres']).describe('`embedded` is PGlite in DATA_DIR; `postgres` is DATABASE_URL.'),
      reachable: z.boolean(),
      migrationsApplied: z.number().int(),
      migrationsExpected: z.number().int(),
    }),
  })
  .meta({ id: 'Readiness' });

/** Liveness says the process answers; readiness says it can do work (database up, schema current). */
export function registerHealth(app: FastifyInstance, { database }: AppDeps): void {
  const r = zodApp(app);
  r.get(
    '/healthz',
    {
      config: { access: 'public', rateLimit: false },
      schema: { tags: ['health'], operationId: 'getLiveness', summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  r.get(
    '/readyz',
    {
      config: { access: 'public', rateLimit: false },
      schema: { tags: ['health'], operationId: 'getReadiness', summary: 'Readiness', response: { 200: readinessSchema, 503: readinessSchema } },
    },
    async (request, reply) => {
      let reachable = false;
      let applied = 0;
      let expected = 0;
      try {
        await database.ping();
        reachable = true;
        ({ applied, expected } = await database.migrationStatus());
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
      }
      const ready = reachable && applied === expected && expected > 0;
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        database: { kind: database.kind, reachable, migrationsApplied: applied, migrationsExpected: expected },
      });
    },
  );
}
