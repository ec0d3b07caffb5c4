import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { contentDisposition } from '../../platform/http/content-disposition';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { REPORT_READERS } from '../scoring';
import type { AtrsPdf } from './atrs.usecases';
import * as usecases from './atrs.usecases';

const idParams = z.object({ id: z.uuid() });
const questionRef = z.object({ question: z.string().describe('The question’s number (its key when it has none)'), questionKey: z.string() });

export const atrsRecordSchema = z
  .object({
    standard: z.object({ name: z.string(), version: z.string(), template: z.string(), guidance: z.string() }),
    status: z.literal('draft'),
    notice: z.string(),
    source: z.object({
      council: z.string(),
      procurement: z.object({ id: z.uuid(), title: z.string(), reference: z.string().nullable() }),
      supplierName: z.string(),
      responseId: z.uuid(),
      questionnaire: z.object({ key: z.string(), version: z.string(), title: z.string() }),
      answersAsOf: z.string().describe('When the answers were last settled (submission, or the latest accepted amendment): the record’s date'),
    }),
    counts: z.object({ fields: z.number().int(), drafted: z.number().int(), partlyDrafted: z.number().int(), toComplete: z.number().int() }),
    sections: z.array(
      z.object({
        id: z.string(),
        tier: z.enum(['metadata', 'tier1', 'tier2']),
        title: z.string(),
        fields: z.array(
          z.object({
            id: z.string().describe('The field’s path in the template, as a question’s `atrsField` names it'),
            label: z.string(),
            description: z.string(),
            status: z.enum(['drafted', 'partly_drafted', 'to_complete']),
            value: z.string().nullable().describe('The drafted text, each answer after its question number; null when there is none'),
            toCompleteBy: z.literal('council').nullable().describe('`council` when the field is empty or incomplete'),
            reason: z.string().nullable().describe('Why the council must complete it'),
            from: z.array(questionRef).describe('The questions the value is drafted from'),
            withheld: z.array(questionRef).describe('Questions informing the field whose answers are confidential, so not reproduced'),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'AtrsRecord', description: 'A draft Algorithmic Transparency Recording Standard record: every field of the template, drafted from the supplier’s answers or flagged for the council to complete.' });

const conditional = z.object({ 'if-none-match': z.string().max(200).optional().describe('The ETag of a copy you hold: 304 if it is still current.') });

/** Sends the record's PDF as the API and the console do: its SHA-256 as ETag, 304 for a copy still current. */
export function sendAtrsPdf(request: FastifyRequest, reply: FastifyReply, file: AtrsPdf) {
  const etag = `"${file.sha256}"`;
  reply.header('etag', etag).header('x-content-sha256', file.sha256).header('cache-control', 'private, no-store');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.header('content-type', 'application/pdf').header('content-disposition', contentDisposition(file.filename)).header('content-length', file.pdf.length).send(file.pdf);
}

const DESCRIPTION =
  'Every field of the Algorithmic Transparency Recording Standard template (version 3.0: metadata, tier 1 and tier 2), each drafted from the answers to the questions whose `atrsField` names it (joined, each after its question number) or from what the service knows (the council, the supplier, its company number), or left empty with `toCompleteBy: "council"` and the reason. ' +
  'A confidential answer never appears: the field names its question and is left to the council. For a submitted response (409 `evaluations.response_not_submitted` before); council staff and API keys with `reports:read`. Drawn on request from the same answers, so it is the same each time.';

export function registerAtrsApi(app: FastifyInstance, { database, now, pdf: renderer }: Pick<AppDeps, 'database' | 'now' | 'pdf'>): void {
  const r = zodApp(app);
  const ctx = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request) });
  r.get(
    '/v1/responses/:id/atrs.json',
    {
      config: { access: REPORT_READERS },
      schema: {
        tags: ['reports'],
        operationId: 'getAtrsRecord',
        summary: 'A draft transparency record (ATRS) of a submitted response’s tool',
        description: DESCRIPTION,
        params: idParams,
        response: { 200: atrsRecordSchema, ...problemResponses(409) },
      },
    },
    async (request) => usecases.atrsRecordOf({ ...ctx(request), responseId: request.params.id }),
  );
  r.get(
    '/v1/responses/:id/atrs.pdf',
    {
      config: { access: REPORT_READERS },
      schema: {
        tags: ['reports'],
        operationId: 'getAtrsRecordPdf',
        summary: 'The draft transparency record (ATRS) as a readable PDF',
        description: `The record of \`GET /v1/responses/{id}/atrs.json\`, laid out by tier and section, each field with what it holds, its drafted text and whether the council must complete it. ${DESCRIPTION}`,
        params: idParams,
        headers: conditional,
        responseHeaders: { 200: ['ETag', 'Content-Disposition', 'X-Content-SHA256'], 304: ['ETag'] },
        response: {
          200: {
            description: 'The PDF. `ETag` and `X-Content-SHA256` are the file’s SHA-256; `Content-Disposition` names the file.',
            content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } },
          },
          304: z.null().describe('Not modified (If-None-Match matched)'),
          ...problemResponses(409),
        },
      },
    },
    async (request, reply) => sendAtrsPdf(request, reply, await usecases.atrsPdfOf({ ...ctx(request), responseId: request.params.id, renderer })),
  );
}
