import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { etagOf, versionFromIfMatch } from '../../platform/http/etag';
import { documentErrors, withExample } from '../../platform/http/openapi';
import { pageQuerySchema, pageSchema } from '../../platform/pagination';
import { PROCUREMENT_READERS, PROCUREMENT_WRITERS } from './procurements.access';
import { PROCUREMENT_STATUSES, TRANSITIONS, type TransitionName } from './procurements.models';
import { procurementsErrors } from './procurements.errors';
import * as s from './procurements.schemas';
import * as usecases from './procurements.usecases';
import { procurementsAuditNames } from './procurements.audit-names';

const READ = PROCUREMENT_READERS;
const WRITE = PROCUREMENT_WRITERS;
const idParams = z.object({ id: z.uuid() });
const ifMatchHeader = z.object({ 'if-match': z.string().max(100).optional() });

const TRANSITION_OPERATIONS: Record<TransitionName, string> = {
  open: 'openProcurement',
  close: 'closeProcurement',
  'start-evaluation': 'startProcurementEvaluation',
  decide: 'decideProcurement',
  cancel: 'cancelProcurement',
};

const TRANSITION_SUMMARIES: Record<TransitionName, string> = {
  open: 'Open the procurement to suppliers',
  close: 'Close it to answers before the deadline',
  'start-evaluation': 'Start evaluating the submitted responses',
  decide: 'Record that the evaluation is complete and a decision made',
  cancel: 'Cancel the procurement',
};

function withEtag(reply: FastifyReply, procurement: usecases.ProcurementDto) {
  reply.header('etag', etagOf(procurement.version));
  return procurement;
}

export function registerProcurementsApi(app: FastifyInstance, { database, now, hooks }: AppDeps): void {
  hooks.auditNames.push(procurementsAuditNames);
  const r = zodApp(app);
  const ctx = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request) });
  documentErrors(app, procurementsErrors);

  r.post(
    '/v1/procurements',
    {
      config: { access: WRITE },
      schema: {
        tags: ['procurements'],
        operationId: 'createProcurement',
        summary: 'Create a procurement (draft)',
        description: 'Pins a published questionnaire version; the inherent risk tier comes from the triage answers by the questionnaire’s rules.',
        body: withExample(s.createProcurementSchema, {
          title: 'AI triage of adult social care referrals',
          reference: 'ASC-2027-014',
          questionnaireId: '6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d',
          deadline: '2027-03-31T17:00:00Z',
          triage: { 'triage.decision_role': 'decision_supporting', 'triage.access_decisions': 'yes', 'triage.data_categories': ['personal', 'special_category'] },
        }),
        responseHeaders: { 201: ['ETag', 'Location'] },
        response: { 201: s.procurementSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      const created = await usecases.createProcurement({ ...ctx(request), input: request.body });
      return withEtag(reply.code(201).header('location', `/v1/procurements/${created.id}`), created);
    },
  );

  r.get(
    '/v1/procurements',
    {
      config: { access: READ },
      schema: {
        tags: ['procurements'],
        operationId: 'listProcurements',
        summary: 'List procurements',
        querystring: pageQuerySchema.extend({ status: z.enum(PROCUREMENT_STATUSES).optional() }),
        response: { 200: pageSchema(s.procurementSchema) },
      },
    },
    async (request) => usecases.listProcurements({ ...ctx(request), ...request.query }),
  );

  r.get(
    '/v1/procurements/:id',
    {
      config: { access: READ },
      schema: { tags: ['procurements'], operationId: 'getProcurement', summary: 'Get a procurement', params: idParams, responseHeaders: { 200: ['ETag'] }, response: { 200: s.procurementSchema } },
    },
    async (request, reply) => withEtag(reply, await usecases.getProcurement({ ...ctx(request), id: request.params.id })),
  );

  r.patch(
    '/v1/procurements/:id',
    {
      config: { access: WRITE },
      schema: {
        tags: ['procurements'],
        operationId: 'updateProcurement',
        summary: 'Change a draft procurement',
        description: 'Drafts only (409 `procurements.not_draft` otherwise), except `ocdsDisclosure` given alone, which may change at any stage. Honours If-Match (412 when stale). New triage answers recompute the tier and reset the weights to that tier’s defaults unless weights are given.',
        params: idParams,
        headers: ifMatchHeader,
        body: s.updateProcurementSchema,
        response: { 200: s.procurementSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) =>
      withEtag(reply, await usecases.updateDraft({ ...ctx(request), id: request.params.id, ifMatch: versionFromIfMatch(request.headers['if-match']), changes: request.body })),
  );

  // A decision is recorded with its outcome and rationale through POST /v1/procurements/{id}/decision.
  for (const name of (Object.keys(TRANSITIONS) as TransitionName[]).filter((n) => n !== 'decide')) {
    r.post(
      `/v1/procurements/:id/${name}`,
      {
        config: { access: WRITE },
        schema: {
          tags: ['procurements'],
          operationId: TRANSITION_OPERATIONS[name],
          summary: TRANSITION_SUMMARIES[name],
          description: `Allowed from: ${TRANSITIONS[name].from.join(', ')}. Any other status answers 409 \`procurements.invalid_transition\`.`,
          params: idParams,
          headers: ifMatchHeader,
          body: s.transitionBodySchema,
          response: { 200: s.procurementSchema, ...problemResponses(409) },
        },
      },
      async (request, reply) =>
        withEtag(
          reply,
          await usecases.transition({ ...ctx(request), id: request.params.id, transition: name, ifMatch: versionFromIfMatch(request.headers['if-match']), reason: request.body?.reason }),
        ),
    );
  }
}
