import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemSchema } from '../../platform/errors';
import { contentDisposition } from '../../platform/http/content-disposition';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { EVALUATION_READERS, RESULTS_READERS } from '../scoring';
import * as usecases from './reports.usecases';

const problems = { 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema };
const idParams = z.object({ id: z.uuid() });
const pdf = z.any().describe('The PDF (application/pdf). Headers: `ETag` and `X-Content-SHA256` (the file’s SHA-256), `X-Evaluation-Hash`, `X-Report-Id`, and `Content-Disposition` with a file name.');

function sendReport(request: FastifyRequest, reply: FastifyReply, file: usecases.ReportFile) {
  const etag = `"${file.sha256}"`;
  reply.header('etag', etag).header('x-content-sha256', file.sha256).header('x-evaluation-hash', file.evaluationHash).header('x-report-id', file.id).header('cache-control', 'private, no-store');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.header('content-type', 'application/pdf').header('content-disposition', contentDisposition(file.filename)).header('content-length', file.pdf.length).send(file.pdf);
}

// Who reads evaluations reads their reports (of the panel, only the declared moderator, checked per
// response); who reads results reads the comparison and the assessment summaries.
type Access = typeof EVALUATION_READERS | typeof RESULTS_READERS;

export function registerReportsApi(app: FastifyInstance, { database, now, storage, pdf: renderer }: AppDeps): void {
  const r = zodApp(app);
  const ctx = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request), storage, renderer });
  const pdfRoute = (url: string, access: Access, summary: string, description: string, produce: (request: FastifyRequest<{ Params: { id: string } }>) => Promise<usecases.ReportFile>) =>
    r.get(
      url,
      { config: { access }, schema: { tags: ['reports'], summary, description, params: idParams, response: { 200: pdf, 304: z.null().describe('Not modified (If-None-Match matched)'), ...problems } } },
      async (request, reply) => sendReport(request, reply, await produce(request)),
    );

  pdfRoute(
    '/v1/responses/:id/report.pdf',
    EVALUATION_READERS,
    'The evaluation report of a submitted response',
    'Cover, summary (score, rating, tier, gateways, weakest areas), a chart of section scores, the residual-risk matrix, then every visible question with its answer (confidential answers marked), score and working, evaluators’ marks, the moderated mark and evidence files; clarifications; who did what and when. For council staff and the moderator. The same evaluation gives the same file (stored, with its SHA-256); each new file is audited.',
    (request) => usecases.evaluationReportFile({ ...ctx(request), responseId: request.params.id }),
  );
  pdfRoute(
    '/v1/procurements/:id/comparison.pdf',
    RESULTS_READERS,
    'Every evaluated response side by side',
    'Overall score, rating, gateways and rank; section scores; then per section the question × supplier scores. 409 `reports.no_evaluations` until a response is evaluated.',
    (request) => usecases.comparisonReportFile({ ...ctx(request), procurementId: request.params.id }),
  );
  pdfRoute(
    '/v1/responses/:id/assessment-summary.pdf',
    RESULTS_READERS,
    'The assessment summary for one bidder (Procurement Act 2023 s.50)',
    'For sending to the bidder: each criterion with its weight, the points available and awarded, the reasons by reference to this bidder’s own answers, the total; for an unsuccessful bidder, how the successful tender scored, without any of its answers. No confidential answer appears. 409 `reports.not_decided` until the decision is recorded.',
    (request) => usecases.assessmentSummaryFile({ ...ctx(request), responseId: request.params.id }),
  );
}
