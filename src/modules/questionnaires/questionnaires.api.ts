import type { FastifyInstance, FastifyReply, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { documentErrors } from '../../platform/http/openapi';
import { pageQuerySchema, pageSchema } from '../../platform/pagination';
import { questionnairesErrors } from './questionnaires.errors';
import * as s from './questionnaires.schemas';
import * as usecases from './questionnaires.usecases';

const READ = { roles: ['admin', 'officer', 'evaluator', 'viewer'], scopes: ['questionnaires:read'] } as const;
const WRITE = { roles: ['admin', 'officer'] } as const;
const idParams = z.object({ id: z.uuid() });

// The definition is checked as a whole by validateDefinition (every problem at once, with paths),
// so the route's own validator lets the body through; the schema still documents it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const definitionBodyValidator: FastifySchemaCompiler<any> = (route) =>
  route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : zodValidatorCompiler(route);

const created = (reply: FastifyReply, body: ReturnType<typeof detail>) => reply.code(201).header('location', `/v1/questionnaires/${body.id}`).send(body);

const detail = (d: usecases.QuestionnaireDetail) => {
  const { definition, ...summary } = d;
  return { ...summary, ...definition };
};

export function registerQuestionnairesApi(app: FastifyInstance, { database, now }: AppDeps): void {
  documentErrors(app, questionnairesErrors);
  const r = zodApp(app);
  const ctx = (request: Parameters<typeof principalOf>[0]) => ({ db: database.db, now: now(), principal: principalOf(request) });

  r.get(
    '/v1/questionnaires',
    {
      config: { access: READ },
      schema: {
        tags: ['questionnaires'],
        operationId: 'listQuestionnaires',
        summary: 'List questionnaires',
        description: 'The built-in questionnaires and your organisation’s own. Archived ones only with includeArchived=true.',
        querystring: pageQuerySchema.extend(s.listQuerySchema.shape),
        response: { 200: pageSchema(s.questionnaireSummarySchema) },
      },
    },
    async (request) => usecases.listQuestionnaires({ db: database.db, principal: principalOf(request), ...request.query }),
  );

  r.get(
    '/v1/questionnaires/:id',
    {
      config: { access: READ },
      schema: { tags: ['questionnaires'], operationId: 'getQuestionnaire', summary: 'Get a questionnaire with its full definition', params: idParams, response: { 200: s.questionnaireDetailSchema } },
    },
    async (request) => detail(await usecases.getQuestionnaire({ db: database.db, principal: principalOf(request), id: request.params.id })),
  );

  r.post(
    '/v1/questionnaires',
    {
      config: { access: WRITE },
      validatorCompiler: definitionBodyValidator,
      schema: {
        tags: ['questionnaires'],
        operationId: 'importQuestionnaire',
        summary: 'Import a questionnaire definition as a draft',
        description: 'An invalid definition answers 422 `questionnaires.invalid_definition` listing every problem with its JSON path.',
        body: s.questionnaireDefinitionDoc,
        responseHeaders: { 201: ['Location'] },
        response: { 201: s.questionnaireDetailSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => created(reply, detail(await usecases.importQuestionnaire({ ...ctx(request), input: request.body }))),
  );

  r.put(
    '/v1/questionnaires/:id',
    {
      config: { access: WRITE },
      validatorCompiler: definitionBodyValidator,
      schema: {
        tags: ['questionnaires'],
        operationId: 'replaceQuestionnaireDraft',
        summary: 'Replace a draft’s definition',
        description: 'Drafts only: a published version answers 409 `questionnaires.version_locked`; clone it to make the next version.',
        params: idParams,
        body: s.questionnaireDefinitionDoc,
        response: { 200: s.questionnaireDetailSchema, ...problemResponses(409) },
      },
    },
    async (request) => detail(await usecases.replaceDraft({ ...ctx(request), id: request.params.id, input: request.body })),
  );

  r.post(
    '/v1/questionnaires/:id/publish',
    {
      config: { access: WRITE },
      schema: { tags: ['questionnaires'], operationId: 'publishQuestionnaire', summary: 'Publish a draft, making it immutable', params: idParams, response: { 200: s.questionnaireDetailSchema, ...problemResponses(409) } },
    },
    async (request) => detail(await usecases.publish({ ...ctx(request), id: request.params.id })),
  );

  r.post(
    '/v1/questionnaires/:id/clone',
    {
      config: { access: WRITE },
      schema: {
        tags: ['questionnaires'],
        operationId: 'cloneQuestionnaire',
        summary: 'Copy a questionnaire into your organisation as a draft',
        description: 'Works on built-in questionnaires too. This is how a published version gets its next version.',
        params: idParams,
        body: s.cloneBodySchema.nullish(),
        responseHeaders: { 201: ['Location'] },
        response: { 201: s.questionnaireDetailSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => created(reply, detail(await usecases.clone({ ...ctx(request), id: request.params.id, ...(request.body ?? {}) }))),
  );

  r.post(
    '/v1/questionnaires/:id/archive',
    {
      config: { access: WRITE },
      schema: { tags: ['questionnaires'], operationId: 'archiveQuestionnaire', summary: 'Archive a questionnaire so new procurements cannot use it', params: idParams, response: { 200: s.questionnaireDetailSchema, ...problemResponses(409) } },
    },
    async (request) => detail(await usecases.archive({ ...ctx(request), id: request.params.id })),
  );

  r.get(
    '/v1/questionnaires/:id/export',
    {
      config: { access: READ },
      schema: {
        tags: ['questionnaires'],
        operationId: 'exportQuestionnaire',
        summary: 'Export the definition as a JSON file',
        description: 'Byte-stable: the same version always exports the same bytes, and importing the file gives the same definition.',
        params: idParams,
        responseHeaders: { 200: ['Content-Disposition'] },
        response: { 200: s.questionnaireDefinitionDoc },
      },
    },
    async (request, reply) => {
      const found = await usecases.getQuestionnaire({ db: database.db, principal: principalOf(request), id: request.params.id });
      const body = usecases.exportDefinition(found.definition);
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${found.key}-${found.version}.json"`)
        .serializer((payload: unknown) => payload as string)
        .send(body as never);
    },
  );

  r.get(
    '/v1/questionnaires/:id/methodology',
    {
      config: { access: READ },
      schema: {
        tags: ['questionnaires'],
        operationId: 'getQuestionnaireMethodology',
        summary: 'The scoring methodology to publish to bidders',
        description: 'Sections and weights per tier, the gateways and which answers disqualify, the marking scale and descriptors, and the evidence rule (Procurement Act 2023 s.23).',
        params: idParams,
        response: { 200: s.methodologySchema },
      },
    },
    async (request) => usecases.getMethodology({ db: database.db, principal: principalOf(request), id: request.params.id }),
  );
}
