import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { withExample } from '../../platform/http/openapi';
import { pageQuerySchema, pageSchema } from '../../platform/pagination';
import * as invitations from './invitations.usecases';
import * as s from './responses.schemas';

const OFFICERS = { roles: ['admin', 'officer'] } as const;
const READERS = { roles: ['admin', 'officer', 'viewer'], scopes: ['procurements:read'] } as const;
const idParams = z.object({ id: z.uuid() });

export function registerInvitationsApi(app: FastifyInstance, { database, now, config, principalCache, accessChanges, mailer }: AppDeps): void {
  const r = zodApp(app);
  const ctx = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request), mailer });

  r.post(
    '/v1/procurements/:id/invitations',
    {
      config: { access: OFFICERS },
      schema: {
        tags: ['invitations'],
        operationId: 'inviteSupplier',
        summary: 'Invite a supplier',
        description: 'Creates the invitation and the supplier’s empty response. The token (256 bits) is returned once and stored only as a hash.',
        params: idParams,
        body: withExample(s.createInvitationSchema, { supplierName: 'Acme Insight Ltd', contactEmail: 'bids@acme-insight.co.uk', companyNumber: '01234567' }),
        response: { 201: s.invitationCreatedSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      const result = await invitations.inviteSupplier({ ...ctx(request), procurementId: request.params.id, ...request.body, publicBaseUrl: config.publicBaseUrl });
      return reply.code(201).send({ id: result.invitation.id, responseId: result.invitation.responseId, token: result.token, respondUrl: result.respondUrl, emailed: result.emailed, invitation: result.invitation });
    },
  );

  r.get(
    '/v1/procurements/:id/invitations',
    {
      config: { access: READERS },
      schema: { tags: ['invitations'], operationId: 'listInvitations', summary: 'List the suppliers invited', params: idParams, querystring: pageQuerySchema, response: { 200: pageSchema(s.invitationSchema) } },
    },
    async (request) => invitations.listInvitations({ ...ctx(request), procurementId: request.params.id, ...request.query }),
  );

  r.post(
    '/v1/invitations/:id/revoke',
    {
      config: { access: OFFICERS },
      schema: { tags: ['invitations'], operationId: 'revokeInvitation', summary: 'Revoke an invitation: its link stops working', params: idParams, response: { 200: s.invitationSchema } },
    },
    async (request) => {
      const principal = principalOf(request);
      // Every instance forgets this organisation's cached access once the revocation commits.
      return accessChanges.apply({ db: database.db, organisationId: principal.organisationId }, (tx) => invitations.revokeInvitation({ ...ctx(request), db: tx, id: request.params.id }));
    },
  );

  r.post(
    '/v1/invitations/:id/resend',
    {
      config: { access: OFFICERS },
      schema: {
        tags: ['invitations'],
        operationId: 'resendInvitation',
        summary: 'Issue a new link for the same invitation',
        description: 'The old token stops working at once; the supplier keeps its answers.',
        params: idParams,
        response: { 200: s.invitationCreatedSchema, ...problemResponses(409) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const result = await invitations.resendInvitation({ ...ctx(request), id: request.params.id, publicBaseUrl: config.publicBaseUrl });
      principalCache.forgetOrganisation(principal.organisationId);
      // After commit, not inside: the new link's email goes out after its own transaction.
      await accessChanges.announce({ db: database.db, organisationId: principal.organisationId });
      return { id: result.invitation.id, responseId: result.invitation.responseId, token: result.token, respondUrl: result.respondUrl, emailed: result.emailed, invitation: result.invitation };
    },
  );

  r.post(
    '/v1/invitations/:id/remind',
    {
      config: { access: OFFICERS },
      schema: {
        tags: ['invitations'],
        operationId: 'remindSupplier',
        summary: 'Remind the supplier of its deadline and what is left to do',
        description: 'Emails the supplier (no link: its token is known only to it). 409 `invitations.cannot_remind` once it has submitted or withdrawn, past its deadline, or when the procurement is not open.',
        params: idParams,
        response: { 200: z.object({ invitation: s.invitationSchema, outboxId: z.uuid() }), ...problemResponses(409) },
      },
    },
    async (request) => invitations.remindSupplier({ ...ctx(request), id: request.params.id }),
  );
}
