import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { contentDisposition } from '../../platform/http/content-disposition';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { documentErrors } from '../../platform/http/openapi';
import { EVALUATION_REPORT_READERS, REPORT_READERS } from '../scoring';
import { registerAtrsApi } from './atrs.api';
import { reportErrors } from './reports.errors';
import { reportRendersOf } from './reports.once';
import * as usecases from './reports.usecases';

const idParams = z.object({ id: z.uuid() });
const pdf = {
  description: 'The PDF. `ETag` and `X-Content-SHA256` are the file’s SHA-256; `Content-Disposition` names the file.',
  content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } },
};
const conditional = z.object({ 'if-none-match': z.string().max(200).optional().describe('The ETag of a copy you hold: 304 if it is still current.') });

/** Sends a report as the API does (the console's downloads too): its hashes as headers, 304 for a copy still current. */
export function sendReport(request: FastifyRequest, reply: FastifyReply, file: usecases.ReportFile) {
  const etag = `"${file.sha256}"`;
  reply.header('etag', etag).header('x-content-sha256', file.sha256).header('x-evaluation-hash', file.evaluationHash).header('x-report-id', file.id).header('cache-control', 'private, no-store');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.header('content-type', 'application/pdf').header('content-disposition', contentDisposition(file.filename)).header('content-length', file.pdf.length).send(file.pdf);
}

// Staff who read evaluations read their reports (of the panel, only the declared moderator, checked
// per response); a key needs reports:read, and for the evaluation report responses:read-confidential too.
type Access = typeof EVALUATION_REPORT_READERS | typeof REPORT_READERS;

export function registerReportsApi(app: FastifyInstance, { database, now, storage, pdf: renderer, config }: AppDeps): void {
  const r = zodApp(app);
  // Concurrent cold requests for one report draw it once; at most one drawing per PDF worker holds a connection.
  const renders = reportRendersOf({ app: renderer, engine: database.kind, slots: config.reportWorkers });
  const ctx = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request), storage, renderer, renders });
  documentErrors(app, reportErrors);
  // The draft transparency (ATRS) record: JSON and PDF, drawn on request (atrs.api.ts).
  registerAtrsApi(app, { database, now, pdf: renderer });
  const pdfRoute = (url: string, access: Access, operationId: string, summary: string, description: string, produce: (request: FastifyRequest<{ Params: { id: string } }>) => Promise<usecases.ReportFile>) =>
    r.get(
      url,
      {
        config: { access },
        schema: {
          tags: ['reports'],
          operationId,
          summary,
          description,
          params: idParams,
          headers: conditional,
          responseHeaders: { 200: ['ETag', 'Content-Disposition', 'X-Content-SHA256', 'X-Evaluation-Hash', 'X-Report-Id'], 304: ['ETag'] },
          response: { 200: pdf, 304: z.null().describe('Not modified (If-None-Match matched)'), ...problemResponses(409) },
        },
      },
      async (request, reply) => sendReport(request, reply, await produce(request)),
    );

  pdfRoute(
    '/v1/responses/:id/report.pdf',
    EVALUATION_REPORT_READERS,
    'getEvaluationReport',
    'The evaluation report of a submitted response',
    'Cover, summary (score, rating, tier, gateways, weakest areas), a chart of section scores, the residual-risk matrix, then every visible question with its answer (confidential answers marked), score and working, evaluators’ marks, the moderated mark and evidence files; clarifications; amended answers (both answers, both scores, the moderator’s decision with who, when and why); integrity flags (the rule, the questions, the panel’s recorded action); whether the evaluation is finalised, by whom and when; who did what and when. For council staff and the moderator, and API keys holding both `reports:read` and `responses:read-confidential` (it reproduces confidential answers). The same evaluation gives the same file (stored, with its SHA-256); each new file is audited.',
    (request) => usecases.evaluationReportFile({ ...ctx(request), responseId: request.params.id }),
  );
  pdfRoute(
    '/v1/procurements/:id/comparison.pdf',
    REPORT_READERS,
    'getComparisonReport',
    'Every evaluated response side by side',
    'Overall score, rating, gateways and rank; section scores; then per section the question × supplier scores. 409 `reports.no_evaluations` until a response is evaluated.',
    (request) => usecases.comparisonReportFile({ ...ctx(request), procurementId: request.params.id }),
  );
  pdfRoute(
    '/v1/responses/:id/assessment-summary.pdf',
    REPORT_READERS,
    'getAssessmentSummary',
    'The assessment summary for one bidder (Procurement Act 2023 s.50)',
    'For sending to the bidder, with what the Procurement Regulations 2024 reg. 31 requires: the supplier’s name, postal and email address and unique identifier (“Not provided by the supplier” where it gave none); the award criteria with their published and applied weights, the marking scale and the public address of the full methodology; each criterion’s score and points, each question’s mark with the reasons by reference to this bidder’s own answers (for a written answer the evaluators’ justifications, what the mark means and what the next mark up needed), and the total; a failed gateway with the answer given and what would have passed; for an unsuccessful bidder, why, and how the most advantageous tender scored, without any of its answers. The bidder’s own confidential answers are shown, marked. 409 `reports.justification_missing` (each question and evaluator in `errors[]`) while an evaluator’s justification of a counted mark is missing, too short or a stock phrase; 409 `reports.not_decided` until the decision is recorded.',
    (request) => usecases.assessmentSummaryFile({ ...ctx(request), responseId: request.params.id, publicBaseUrl: config.publicBaseUrl }),
  );
}
