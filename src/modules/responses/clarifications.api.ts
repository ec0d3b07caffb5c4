import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf, type SupplierPrincipal } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { runResponseChanged, zodApp, type AppDeps } from '../../platform/http/deps';
import * as clarifications from './clarifications.usecases';
import { RESPONSE_READERS } from './responses.access';
import * as s from './responses.schemas';

const OFFICERS = { roles: ['admin', 'officer'] } as const;
const SUPPLIER = { supplier: true } as const;
const list = z.object({ items: z.array(s.clarificationSchema) });

export function registerClarificationsApi(app: FastifyInstance, { database, now, mailer, hooks }: AppDeps): void {
  const r = zodApp(app);

  r.post(
    '/v1/responses/:id/clarifications',
    {
      config: { access: OFFICERS },
      schema: {
        tags: ['clarifications'],
        operationId: 'askClarification',
        summary: 'Ask the supplier about one answer',
        description: 'For a submitted response. The submitted answer is kept beside the question; with `allowAmend` the supplier may change that answer in its reply. The supplier is emailed and the question is audited.',
        params: z.object({ id: z.uuid() }),
        body: s.askClarificationSchema,
        response: { 201: s.clarificationSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      const { replyBy, ...body } = request.body;
      const created = await clarifications.askClarification({
        db: database.db,
        now: now(),
        principal: principalOf(request),
        mailer,
        responseId: request.params.id,
        ...body,
        replyBy: replyBy ? new Date(replyBy) : undefined,
      });
      return reply.code(201).send(created);
    },
  );

  r.get(
    '/v1/responses/:id/clarifications',
    {
      config: { access: RESPONSE_READERS },
      schema: {
        tags: ['clarifications'],
        operationId: 'listResponseClarifications',
        summary: 'The clarifications asked of one response, with replies',
        description:
          'For an API key without `responses:read-confidential`, a clarification about an answer the supplier marked confidential (as submitted or as amended) is withheld: `redacted: true`, the question replaced by a notice, the reply null and the answers quoted withheld as in the response.',
        params: z.object({ id: z.uuid() }),
        response: { 200: list },
      },
    },
    async (request) => ({ items: await clarifications.listClarificationsForOfficer({ db: database.db, principal: principalOf(request), responseId: request.params.id }) }),
  );

  r.get(
    '/v1/supplier/response/clarifications',
    { config: { access: SUPPLIER }, schema: { tags: ['supplier'], operationId: 'listSupplierClarifications', summary: 'Questions the council has asked you', response: { 200: list } } },
    async (request) => ({ items: await clarifications.listOwnClarifications({ db: database.db, principal: principalOf(request) as SupplierPrincipal }) }),
  );

  const params = z.object({ clarificationId: z.uuid() });
  r.get(
    '/v1/supplier/response/clarifications/:clarificationId',
    { config: { access: SUPPLIER }, schema: { tags: ['supplier'], operationId: 'getSupplierClarification', summary: 'One question the council has asked you', params, response: { 200: s.clarificationSchema } } },
    async (request) => clarifications.getOwnClarification({ db: database.db, principal: principalOf(request) as SupplierPrincipal, id: request.params.clarificationId }),
  );

  r.post(
    '/v1/supplier/response/clarifications/:clarificationId/reply',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        operationId: 'replyToClarification',
        summary: 'Reply to a clarification',
        description: 'Once per clarification (409 `clarifications.already_replied`). `amendedAnswer` only when the council allowed it (422 `clarifications.amend_not_allowed`); it is checked like any answer.',
        params,
        body: s.replyClarificationSchema,
        response: { 200: s.clarificationSchema, ...problemResponses(409) },
      },
    },
    async (request) =>
      clarifications.replyToClarification({
        db: database.db,
        now: now(),
        principal: principalOf(request) as SupplierPrincipal,
        id: request.params.clarificationId,
        ...request.body,
        onChanged: runResponseChanged(hooks.responseChanged),
      }),
  );
}
