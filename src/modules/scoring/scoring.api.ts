import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { documentErrors, withExample } from '../../platform/http/openapi';
import { EVIDENCE_FILE_HEADERS, evidenceFileResponse, sendEvidenceFile } from '../responses';
import { EVALUATION_READERS, RESULTS_READERS } from './scoring.access';
import { scoringErrors } from './scoring.errors';
import * as s from './scoring.schemas';
import * as usecases from './scoring.usecases';
import * as conditions from './conditions.usecases';
import { registerApprovalsApi } from './approvals.api';

const OFFICERS = { roles: ['admin', 'officer'] } as const;
// Panel members may hold any role; membership and declaration are checked per procurement.
const PANEL = { roles: ['admin', 'officer', 'evaluator', 'viewer'] } as const;
const idParams = z.object({ id: z.uuid() });
/** Flags quote no confidential answer, but name questions and files: staff, keys that read answers, and the panel. */
const FLAG_READERS = { roles: ['admin', 'officer', 'evaluator', 'viewer'], scopes: ['responses:read'] } as const;
const questionParams = z.object({ id: z.uuid(), questionKey: z.string().min(1).max(80) });

export function registerScoringApi(app: FastifyInstance, deps: AppDeps): void {
  const { database, now, hooks } = deps;
  // Keep every stored evaluation current with its response, in the response's own transaction.
  hooks.responseChanged.push((input) => usecases.refreshEvaluation(input));

  const r = zodApp(app);
  const ctx = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request) });
  documentErrors(app, scoringErrors);

  r.post(
    '/v1/procurements/:id/declarations',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'declareConflictOfInterest',
        summary: 'Declare any conflict of interest (panel members, before seeing responses)',
        description: 'Once per person and procurement. A declared conflict blocks you until an officer records its mitigation (Procurement Act 2023 s.81).',
        params: idParams,
        body: s.declareSchema,
        response: { 201: s.declarationSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => reply.code(201).send(await usecases.declare({ ...ctx(request), procurementId: request.params.id, ...request.body })),
  );
  r.get(
    '/v1/procurements/:id/declarations',
    { config: { access: OFFICERS }, schema: { tags: ['evaluation'], operationId: 'listDeclarations', summary: 'The panel’s declarations', params: idParams, response: { 200: z.object({ items: z.array(s.declarationSchema) }) } } },
    async (request) => ({ items: await usecases.listDeclarations({ ...ctx(request), procurementId: request.params.id }) }),
  );
  r.post(
    '/v1/procurements/:id/declarations/:declarationId/mitigation',
    {
      config: { access: OFFICERS },
      schema: {
        tags: ['evaluation'],
        operationId: 'recordMitigation',
        summary: 'Record how a declared conflict is mitigated',
        params: z.object({ id: z.uuid(), declarationId: z.uuid() }),
        body: s.mitigationSchema,
        response: { 200: s.declarationSchema },
      },
    },
    async (request) => usecases.mitigate({ ...ctx(request), procurementId: request.params.id, declarationId: request.params.declarationId, mitigation: request.body.mitigation }),
  );

  r.get(
    '/v1/responses/:id/panel-view',
    {
      config: { access: PANEL },
      schema: { tags: ['evaluation'], operationId: 'getPanelView', summary: 'A submitted response as the panel sees it, with what to mark', params: idParams, response: { 200: s.panelViewSchema, ...problemResponses(409) } },
    },
    async (request) => usecases.panelView({ ...ctx(request), responseId: request.params.id }),
  );
  r.get(
    '/v1/responses/:id/panel-view/evidence/:evidenceId',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'downloadPanelEvidence',
        summary: 'Download an evidence file of a submitted response (declared panel members)',
        params: z.object({ id: z.uuid(), evidenceId: z.uuid() }),
        responseHeaders: { 200: EVIDENCE_FILE_HEADERS },
        response: { 200: evidenceFileResponse('The file, as submitted.') },
      },
    },
    async (request, reply) => sendEvidenceFile(reply, await usecases.panelEvidence({ ...ctx(request), responseId: request.params.id, evidenceId: request.params.evidenceId, storage: deps.storage })),
  );
  r.put(
    '/v1/responses/:id/marks/:questionKey',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'saveMark',
        summary: 'Your mark for one question (evaluators)',
        description: 'For the visible, answered questions marked by evaluators, while the procurement is evaluating and until you submit your marks. After that the score is fixed (409 `evaluations.marks_submitted`), but you may reword the justification by sending the same score with the new text, also after the decision: each bidder’s assessment summary prints it, and is refused while a justification does not refer to the tender. Rewording is audited with both texts.',
        params: questionParams,
        body: withExample(s.putMarkSchema, { score: 3, justification: 'Names its DPO, has a completed DPIA and explains retention; no independent audit yet, so not a 4.' }),
        response: { 200: s.markSchema, ...problemResponses(409) },
      },
    },
    async (request) => usecases.putMark({ ...ctx(request), responseId: request.params.id, questionKey: request.params.questionKey, ...request.body }),
  );
  r.get(
    '/v1/responses/:id/marks',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'listMarks',
        summary: 'Marks for a response',
        description: 'Blind: an evaluator sees only their own marks until they submit theirs; the moderator and officers see all.',
        params: idParams,
        response: { 200: z.object({ marks: z.array(s.markSchema), submittedBy: z.array(z.uuid()), blind: z.boolean() }) },
      },
    },
    async (request) => usecases.listMarks({ ...ctx(request), responseId: request.params.id }),
  );
  r.post(
    '/v1/responses/:id/marks/submit',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'submitMarks',
        summary: 'Submit your marks for a response',
        description: '422 `evaluations.marks_incomplete` lists each question still to mark. After this your marks are fixed and you see the others’.',
        params: idParams,
        response: { 200: z.object({ submittedAt: z.iso.datetime(), marks: z.number().int() }), ...problemResponses(409) },
      },
    },
    async (request) => usecases.submitMarks({ ...ctx(request), responseId: request.params.id }),
  );
  r.put(
    '/v1/responses/:id/moderation/:questionKey',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'moderateQuestion',
        summary: 'The moderated mark for one question (moderator)',
        description: 'The consensus mark for an evaluator-marked question, or an override of an automatic score, with its rationale. Returns the evaluation, recomputed.',
        params: questionParams,
        body: withExample(s.moderationBodySchema, { score: 2, rationale: 'The panel agreed the evidence covers the pilot only; the two evaluators’ marks of 1 and 3 meet at 2.' }),
        response: { 200: s.evaluationSchema, ...problemResponses(409) },
      },
    },
    async (request) => usecases.moderate({ ...ctx(request), responseId: request.params.id, questionKey: request.params.questionKey, ...request.body }),
  );
  r.put(
    '/v1/responses/:id/gateways/:questionKey',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'decideGateway',
        summary: 'Decide a gateway (moderator)',
        description:
          'pass, fail, or conditional with an action, an owner and a due date (422 `evaluations.condition_incomplete` without them). Returns the evaluation, recomputed. 409 `evaluations.finalised` once the evaluation is finalised.',
        params: questionParams,
        body: s.gatewayBodySchema,
        response: { 200: s.evaluationSchema, ...problemResponses(409) },
      },
    },
    async (request) => usecases.decideGateway({ ...ctx(request), responseId: request.params.id, questionKey: request.params.questionKey, ...request.body }),
  );
  r.get(
    '/v1/responses/:id/integrity-flags',
    {
      config: { access: FLAG_READERS },
      schema: {
        tags: ['evaluation'],
        operationId: 'listIntegrityFlags',
        summary: 'Integrity flags of a submitted response, and what the panel did about each',
        description:
          'Each flag names the rule that raised it (the same evidence file for different questions, evidence too small to be what it claims, a finished thing dated after submission, an expiry before it, a consistency rule of the questionnaire, a declared conflict, an amendment after submission). Flags never change a score. Council staff, keys with `responses:read`, and declared panel members.',
        params: idParams,
        response: { 200: s.integrityFlagsSchema, ...problemResponses(409) },
      },
    },
    async (request) => usecases.integrityFlagsOf({ ...ctx(request), responseId: request.params.id }),
  );
  r.put(
    '/v1/responses/:id/integrity-flags/:flagId/action',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'recordIntegrityFlagAction',
        summary: 'Record what the panel did about an integrity flag (moderator)',
        description: 'Replaces an earlier record for the same flag; audited. 404 `evaluations.flag_not_found` for a flag the response does not raise; 409 `evaluations.finalised` once finalised.',
        params: z.object({ id: z.uuid(), flagId: z.string().min(1).max(200) }),
        body: withExample(s.flagActionBodySchema, { action: 'Asked the supplier for the full audit report; the file given was its cover page. Marked on the full report.' }),
        response: { 200: s.integrityFlagsSchema, ...problemResponses(409) },
      },
    },
    async (request) => usecases.recordFlagAction({ ...ctx(request), responseId: request.params.id, flagId: request.params.flagId, action: request.body.action }),
  );
  r.get(
    '/v1/responses/:id/conditions',
    {
      config: { access: EVALUATION_READERS },
      schema: {
        tags: ['evaluation'],
        operationId: 'listConditions',
        summary: 'The conditions register of a submitted response',
        description:
          'Numbered conditions raised by the evaluation: each conditional gateway pass (its action, owner and due date), each exception the supplier took to the council’s terms, each answer capped for missing evidence, each critical section with medium or high residual risk, and a medium overall residual risk. A rating of `acceptable_with_conditions` always has at least one. Each has an owner, a due date and a status (open, met, or waived with a reason). Who may read the evaluation may read this.',
        params: idParams,
        response: { 200: s.conditionsSchema, ...problemResponses(409) },
      },
    },
    async (request) => conditions.listConditions({ ...ctx(request), responseId: request.params.id }),
  );
  r.put(
    '/v1/responses/:id/conditions/:conditionId',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'updateCondition',
        summary: 'Record a condition’s owner, due date and status (officers, or the moderator)',
        description:
          'Send the `version` you read: 409 `conditions.stale` if someone changed it since. Waiving needs a `reason` (422 `conditions.reason_required`). Possible after finalising and after award, as conditions are met during the contract. Audited; the scores feed and the `conditions.updated` event follow. 404 `conditions.not_found` for a condition the response does not raise.',
        params: z.object({ id: z.uuid(), conditionId: z.string().min(1).max(200) }),
        body: withExample(s.conditionBodySchema, { status: 'met', reason: 'The signed DPA was received on 3 March.', version: 1 }),
        response: { 200: s.conditionsSchema, ...problemResponses(409) },
      },
    },
    async (request) => conditions.updateCondition({ ...ctx(request), responseId: request.params.id, conditionId: request.params.conditionId, ...request.body }),
  );
  r.post(
    '/v1/responses/:id/clarifications/:clarificationId/amendment-decision',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'decideAmendment',
        summary: 'Accept or reject an amended answer (moderator)',
        description:
          'An answer amended in reply to a clarification counts only once the moderator accepts it, saying why it clarifies the tender rather than changing it; rejected, the answer as submitted keeps counting. Each amendment is decided once (409 `evaluations.amendment_decided`); a clarification without an amended answer is 409 `evaluations.no_amendment`. Returns the evaluation, recomputed.',
        params: z.object({ id: z.uuid(), clarificationId: z.uuid() }),
        body: withExample(s.amendmentDecisionBodySchema, { decision: 'accept', reason: 'It states in calendar hours the figure the tender gave in working hours; nothing new is offered.' }),
        response: { 200: s.evaluationSchema, ...problemResponses(409) },
      },
    },
    async (request) => usecases.decideAmendment({ ...ctx(request), responseId: request.params.id, clarificationId: request.params.clarificationId, ...request.body }),
  );
  r.get(
    '/v1/responses/:id/evaluation',
    {
      config: { access: EVALUATION_READERS },
      schema: {
        tags: ['evaluation'],
        operationId: 'getEvaluation',
        summary: 'The evaluation of a submitted response, with its working',
        description: 'Stored and kept current. `?recompute=true` computes it again from the stored inputs and says whether it matches.',
        params: idParams,
        querystring: z.object({ recompute: z.enum(['true', 'false']).default('false') }),
        response: { 200: s.evaluationSchema, ...problemResponses(409) },
      },
    },
    async (request) => usecases.getEvaluation({ ...ctx(request), responseId: request.params.id, recompute: request.query.recompute === 'true' }),
  );
  r.post(
    '/v1/procurements/:id/evaluations/recompute',
    {
      config: { access: OFFICERS },
      schema: {
        tags: ['evaluation'],
        operationId: 'recomputeEvaluations',
        summary: 'Recompute every submitted response’s evaluation',
        params: idParams,
        response: { 200: z.object({ recomputed: z.number().int(), changed: z.number().int() }) },
      },
    },
    async (request) => usecases.recomputeProcurement({ ...ctx(request), procurementId: request.params.id }),
  );
  r.post(
    '/v1/responses/:id/evaluation/finalise',
    {
      config: { access: PANEL },
      schema: {
        tags: ['evaluation'],
        operationId: 'finaliseEvaluation',
        summary: 'Finalise a response’s evaluation (moderator)',
        description:
          'Once no mark and no gateway decision is outstanding (409 `evaluations.not_ready_to_finalise` lists what is) and while the procurement is evaluating. Records who and when; calling again answers the same record. Afterwards marks, moderation and gateway decisions on the response answer 409 `evaluations.finalised`.',
        params: idParams,
        response: { 200: s.finalisationSchema, ...problemResponses(409) },
      },
    },
    async (request) => usecases.finaliseEvaluation({ ...ctx(request), responseId: request.params.id }),
  );
  r.get(
    '/v1/procurements/:id/results',
    {
      config: { access: RESULTS_READERS },
      schema: { tags: ['evaluation'], operationId: 'getResults', summary: 'One row per response: score, rating, gateways, rank', params: idParams, response: { 200: s.resultsSchema } },
    },
    async (request) => usecases.results({ ...ctx(request), procurementId: request.params.id }),
  );
  r.get(
    '/v1/procurements/:id/comparison',
    {
      config: { access: RESULTS_READERS },
      schema: { tags: ['evaluation'], operationId: 'getComparison', summary: 'Question × supplier and section × supplier scores', params: idParams, response: { 200: s.comparisonSchema } },
    },
    async (request) => usecases.comparison({ ...ctx(request), procurementId: request.params.id }),
  );
  r.post(
    '/v1/procurements/:id/decision',
    {
      config: { access: OFFICERS },
      schema: {
        tags: ['evaluation'],
        operationId: 'recordDecision',
        summary: 'Record the decision and close the procurement as decided',
        description: 'An award names a submitted response that passed every gateway, once no evaluation is provisional (409 `evaluations.provisional`).',
        params: idParams,
        body: s.decideSchema,
        response: { 200: s.decisionResultSchema, ...problemResponses(409) },
      },
    },
    async (request) => {
      const result = await usecases.recordDecision({ ...ctx(request), procurementId: request.params.id, ...request.body });
      return { decision: result.decision, procurementStatus: result.procurement.status };
    },
  );
  registerApprovalsApi(app, deps);
}
