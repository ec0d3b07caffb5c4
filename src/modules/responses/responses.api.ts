import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf, type SupplierPrincipal } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { runResponseChanged, zodApp, type AppDeps } from '../../platform/http/deps';
import { etagOf, versionFromIfMatch } from '../../platform/http/etag';
import { documentErrors, withExample } from '../../platform/http/openapi';
import * as s from './responses.schemas';
import * as answers from './answers.usecases';
import { registerClarificationsApi } from './clarifications.api';
import { registerEvidenceApi } from './evidence.api';
import { registerInvitationsApi } from './invitations.api';
import { registerReceiptApi } from './receipt.api';
import { answerErrors, clarificationErrors, evidenceErrors, receiptErrors, responsesErrors, submitErrors, teamErrors } from './responses.errors';
import * as usecases from './responses.usecases';
import { listTeamForOfficer } from './team.usecases';
import { PROGRESS_READERS, RESPONSE_READERS } from './responses.access';
import { supplierCounts } from './procurement-facts.usecases';

const SUPPLIER = { supplier: true } as const;
const idParams = z.object({ id: z.uuid() });

function registerSupplier(app: FastifyInstance, { database, now }: AppDeps): void {
  zodApp(app).get(
    '/v1/supplier/response',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        operationId: 'getSupplierResponse',
        summary: 'Your response and the questions you need to answer',
        description: 'Supplier invitation token only. The questionnaire as you see it now: visible sections and questions given the council’s triage and your answers.',
        responseHeaders: { 200: ['ETag'] },
        response: { 200: s.supplierResponseSchema },
      },
    },
    async (request, reply) => {
      const view = await usecases.getSupplierResponse({ db: database.db, now: now(), principal: principalOf(request) as SupplierPrincipal });
      reply.header('etag', etagOf(view.response.version));
      return view;
    },
  );
}

function registerAnswers(app: FastifyInstance, { database, now }: AppDeps): void {
  const r = zodApp(app);
  const params = z.object({ questionKey: z.string().min(1).max(80) });
  const headers = z.object({ 'if-match': z.string().max(100).optional() });

  r.put(
    '/v1/supplier/response/answers/:questionKey',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        operationId: 'saveSupplierAnswer',
        summary: 'Save one answer',
        description:
          'The value is checked against the question’s type and limits (422 `answers.invalid_value`). Send the ETag of your last GET in If-Match to avoid overwriting a change made elsewhere (412 when stale). After submission: 409 `responses.already_submitted`; after the deadline: 409 `responses.deadline_passed`.',
        params,
        headers,
        body: withExample(s.saveAnswerSchema, {
          value: 'Our DPIA was reviewed by the council’s DPO in March; the summary is attached as evidence.',
          comment: 'Full DPIA available under NDA.',
          confidential: true,
          confidentialReason: 'Names our hosting sub-processors, which our contracts keep confidential.',
        }),
        response: { 200: s.savedAnswerSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      const result = await answers.saveAnswer({
        db: database.db,
        now: now(),
        principal: principalOf(request) as SupplierPrincipal,
        questionKey: request.params.questionKey,
        input: request.body,
        ifMatch: versionFromIfMatch(request.headers['if-match']),
      });
      reply.header('etag', etagOf(result.responseVersion));
      return { questionKey: request.params.questionKey, ...result };
    },
  );

  r.patch(
    '/v1/supplier/response/answers',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        operationId: 'saveSupplierAnswers',
        summary: 'Save many answers at once, all or nothing',
        description:
          'Every answer is checked first; if any is invalid the answer is 422 `answers.invalid_values` listing every problem (each problem’s `code` is the question key) and nothing is saved. An answer identical to the stored one is reported as unchanged. If-Match as for one answer.',
        headers,
        body: withExample(s.saveAnswersSchema, {
          answers: {
            'purpose.product_description': { value: 'Reads incoming referrals and suggests a priority; a social worker decides.' },
            'purpose.ai_techniques': { value: ['machine_learning'], comment: 'A classifier trained on structured referral fields.' },
            'data_protection.dpia_support': { value: 'yes' },
          },
        }),
        response: { 200: s.bulkResultSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      const result = await answers.saveAnswers({
        db: database.db,
        now: now(),
        principal: principalOf(request) as SupplierPrincipal,
        answers: request.body.answers,
        ifMatch: versionFromIfMatch(request.headers['if-match']),
        unknownKeys: 'reject',
        pathPrefix: '/body/answers',
      });
      reply.header('etag', etagOf(result.responseVersion));
      return result;
    },
  );

  r.get(
    '/v1/supplier/response/export',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        operationId: 'exportSupplierAnswers',
        summary: 'Download your answers as JSON, keyed by question key',
        description: 'Keep it as your answer library; `PUT /v1/supplier/response/import` takes it back, here or in another procurement.',
        responseHeaders: { 200: ['Content-Disposition'] },
        response: { 200: s.answersExportSchema },
      },
    },
    async (request, reply) => {
      const document = await answers.exportAnswers({ db: database.db, now: now(), principal: principalOf(request) as SupplierPrincipal });
      reply.header('content-disposition', 'attachment; filename="answers.json"');
      return document;
    },
  );

  r.put(
    '/v1/supplier/response/import',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        operationId: 'importSupplierAnswers',
        summary: 'Fill your answers from an answer library',
        description:
          'Takes an export document (or any `{answers: {questionKey: {value, comment?, confidential?, confidentialReason?}}}`). Every answer is checked and every problem reported (422 `answers.invalid_values`); nothing is saved unless all are valid. Keys this questionnaire does not have are listed in `ignored`.',
        headers,
        body: s.answersImportSchema,
        response: { 200: s.bulkResultSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      const result = await answers.importAnswers({
        db: database.db,
        now: now(),
        principal: principalOf(request) as SupplierPrincipal,
        answers: request.body.answers,
        ifMatch: versionFromIfMatch(request.headers['if-match']),
      });
      reply.header('etag', etagOf(result.responseVersion));
      return result;
    },
  );

  r.delete(
    '/v1/supplier/response/answers/:questionKey',
    {
      config: { access: SUPPLIER },
      schema: { tags: ['supplier'], operationId: 'clearSupplierAnswer', summary: 'Clear one answer', description: 'Its history keeps what it was.', params, headers, response: { 204: z.undefined(), ...problemResponses(409) } },
    },
    async (request, reply) => {
      const result = await answers.clearAnswer({
        db: database.db,
        now: now(),
        principal: principalOf(request) as SupplierPrincipal,
        questionKey: request.params.questionKey,
        ifMatch: versionFromIfMatch(request.headers['if-match']),
      });
      return reply.header('etag', etagOf(result.responseVersion)).code(204).send();
    },
  );
}

function registerSubmission(app: FastifyInstance, { database, now, hooks }: AppDeps): void {
  const r = zodApp(app);
  r.post(
    '/v1/supplier/response/submit',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        operationId: 'submitSupplierResponse',
        summary: 'Submit your response',
        description:
          'Refused with 422 `responses.incomplete` listing every visible required question left unanswered. Otherwise your answers are frozen as submitted. Send an Idempotency-Key to retry safely: a retry with the same key returns the first result.',
        headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
        body: z.object({ declaration: z.literal(true).describe('You confirm the answers are true and complete to the best of your knowledge.') }).strict(),
        response: { 200: s.submissionSchema, ...problemResponses(409) },
      },
    },
    async (request) =>
      usecases.submitResponse({
        db: database.db,
        now: now(),
        principal: principalOf(request) as SupplierPrincipal,
        idempotencyKey: request.headers['idempotency-key'],
        onChanged: runResponseChanged(hooks.responseChanged),
      }),
  );
  r.post(
    '/v1/supplier/response/withdraw',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        operationId: 'withdrawSupplierResponse',
        summary: 'Withdraw from the procurement',
        description: 'Before you submit, at any time. Once submitted, only while the procurement is open: afterwards the answer is 409 `responses.cannot_withdraw`, and you should contact the council. Withdrawing again changes nothing.',
        body: z.object({ reason: z.string().trim().max(2000).optional() }).strict().nullish(),
        response: { 200: z.object({ responseId: z.uuid(), status: z.literal('withdrawn') }), ...problemResponses(409) },
      },
    },
    async (request) => usecases.withdrawResponse({ db: database.db, now: now(), principal: principalOf(request) as SupplierPrincipal, reason: request.body?.reason, onChanged: runResponseChanged(hooks.responseChanged) }),
  );
}

function registerOfficerView(app: FastifyInstance, { database, now, mailer, principalCache, accessChanges }: AppDeps): void {
  const r = zodApp(app);
  r.get(
    '/v1/procurements/:id/responses',
    {
      config: { access: PROGRESS_READERS },
      schema: {
        tags: ['responses'],
        operationId: 'listProcurementResponses',
        summary: 'Each invited supplier’s status and progress',
        params: idParams,
        response: { 200: z.object({ items: z.array(s.responseProgressSchema) }) },
      },
    },
    async (request) => ({ items: await usecases.listResponsesOfProcurement({ db: database.db, now: now(), principal: principalOf(request), procurementId: request.params.id }) }),
  );
  r.get(
    '/v1/responses/:id',
    {
      config: { access: RESPONSE_READERS },
      schema: {
        tags: ['responses'],
        operationId: 'getResponse',
        summary: 'One response with its answers',
        description:
          'The live answers, and once submitted the frozen submission that is evaluated. For an API key without `responses:read-confidential`, each answer the supplier marked confidential is withheld: `value`, `comment` and `confidentialReason` are null, with `confidential: true` and `redacted: true`, and its evidence files are left out of both file lists.',
        params: idParams,
        response: { 200: s.officerResponseSchema },
      },
    },
    async (request) => usecases.getResponseForOfficer({ db: database.db, now: now(), principal: principalOf(request), id: request.params.id }),
  );
  r.get(
    '/v1/responses/:id/team',
    {
      config: { access: RESPONSE_READERS },
      schema: {
        tags: ['responses'],
        operationId: 'listResponseTeam',
        summary: 'The supplier’s bid team',
        description: 'The colleagues the supplier added to answer named sections through the web form, removed ones included: who could change which answers, and when.',
        params: idParams,
        response: { 200: z.object({ items: z.array(s.teamMemberSchema) }) },
      },
    },
    async (request) => ({ items: await listTeamForOfficer({ db: database.db, principal: principalOf(request), responseId: request.params.id }) }),
  );
  r.post(
    '/v1/responses/:id/deadline-extension',
    {
      config: { access: { roles: ['admin', 'officer'] } },
      schema: {
        tags: ['responses'],
        operationId: 'extendResponseDeadline',
        summary: 'Give one supplier more time',
        description:
          'Only later than the supplier’s current deadline (422 `responses.extension_not_later`), while the procurement is open and the supplier has not submitted or withdrawn (409 `responses.cannot_extend`). The procurement stays open until then; the supplier is emailed; the reason is audited.',
        params: idParams,
        body: s.extendDeadlineSchema,
        response: { 200: s.officerResponseSchema, ...problemResponses(409) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const result = await usecases.extendDeadline({ db: database.db, now: now(), principal, mailer, responseId: request.params.id, deadline: new Date(request.body.deadline), reason: request.body.reason });
      // A supplier's cached principal carries its link's expiry, which has just moved.
      principalCache.forgetOrganisation(principal.organisationId);
      await accessChanges.announce({ db: database.db, organisationId: principal.organisationId });
      return result;
    },
  );
}

export function registerResponsesApi(app: FastifyInstance, deps: AppDeps): void {
  documentErrors(app, responsesErrors, teamErrors, answerErrors, receiptErrors, submitErrors, evidenceErrors, clarificationErrors);
  // The procurement pages show how many suppliers were invited and have submitted.
  deps.hooks.procurementFacts.push(supplierCounts);
  registerInvitationsApi(app, deps);
  registerSupplier(app, deps);
  registerAnswers(app, deps);
  registerEvidenceApi(app, deps);
  registerSubmission(app, deps);
  registerReceiptApi(app, deps);
  registerOfficerView(app, deps);
  registerClarificationsApi(app, deps);
}
