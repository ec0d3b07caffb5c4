import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { documentErrors, withExample } from '../../platform/http/openapi';
import { approvalErrors } from './approvals.errors';
import * as s from './approvals.schemas';
import * as usecases from './approvals.usecases';
import { EVALUATION_READERS } from './scoring.access';

/** People only: an approval is a person's sign-off, so no API key scope reaches it (403 `auth.forbidden`). */
const PEOPLE = { roles: ['admin', 'officer', 'evaluator', 'viewer'] } as const;
const idParams = z.object({ id: z.uuid() });

/** `POST` and `GET /v1/procurements/{id}/approvals`: the sign-offs the evaluation report's decision summary prints. */
export function registerApprovalsApi(app: FastifyInstance, { database, now }: AppDeps): void {
  const r = zodApp(app);
  const ctx = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request) });
  documentErrors(app, approvalErrors);

  r.post(
    '/v1/procurements/:id/approvals',
    {
      config: { access: PEOPLE },
      schema: {
        tags: ['evaluation'],
        operationId: 'recordApproval',
        summary: 'Sign off the evaluation in a role (people only)',
        description:
          '`evaluator`: an evaluator on the panel; `moderator`: the moderator (both after declaring); `data_protection_officer`, `equality_lead`, `approver`: an officer or admin (403 `approvals.role_not_allowed` otherwise). While the procurement is evaluating or decided (409 `approvals.not_evaluating` before). Signing again in the same role replaces your earlier comment and date: one line per person per role in the evaluation report’s sign-off block; every sign-off stays in the audit trail.',
        params: idParams,
        body: withExample(s.approvalBodySchema, { role: 'data_protection_officer', comment: 'DPIA reviewed; residual risks accepted with the conditions listed.' }),
        response: { 201: s.approvalSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => reply.code(201).send(await usecases.recordApproval({ ...ctx(request), procurementId: request.params.id, ...request.body })),
  );
  r.get(
    '/v1/procurements/:id/approvals',
    {
      config: { access: EVALUATION_READERS },
      schema: {
        tags: ['evaluation'],
        operationId: 'listApprovals',
        summary: 'The sign-offs recorded on a procurement’s evaluation',
        description: 'Oldest first, one per person per role. Council staff, the procurement’s panel, and keys with `scores:read`.',
        params: idParams,
        response: { 200: s.approvalsSchema },
      },
    },
    async (request) => usecases.listApprovals({ ...ctx(request), procurementId: request.params.id }),
  );
}
