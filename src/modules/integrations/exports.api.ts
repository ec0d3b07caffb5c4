import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { contentDisposition } from '../../platform/http/content-disposition';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { RESULTS_READERS } from '../scoring';
import * as usecases from './exports.usecases';

const idParams = z.object({ id: z.uuid() });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
// Described as text and as bytes; sent as a stream or a Buffer, so typed as whatever the handler sends.
const csvText = z.string() as z.ZodType<unknown>;
const fileBytes = z.string().meta({ format: 'binary' }) as z.ZodType<unknown>;

/** Sends the results CSV as it streams (the API's download and the console's alike). */
export function sendResultsCsv(reply: FastifyReply, file: usecases.ExportFile<Readable>) {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', contentDisposition(file.filename)).header('cache-control', 'private, no-store').send(file.body);
}

/** Sends the comparison workbook (the API's download and the console's alike). */
export function sendComparisonWorkbook(reply: FastifyReply, file: usecases.ExportFile<Buffer>) {
  return reply
    .header('content-type', XLSX)
    .header('content-disposition', contentDisposition(file.filename))
    .header('cache-control', 'private, no-store')
    .header('content-length', file.body.length)
    .send(file.body);
}

export function registerExportsApi(app: FastifyInstance, { database, now }: AppDeps): void {
  const r = zodApp(app);
  const ctx = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request) });

  r.get(
    '/v1/procurements/:id/results.csv',
    {
      config: { access: RESULTS_READERS },
      schema: {
        tags: ['integrations'],
        operationId: 'getResultsCsv',
        summary: 'The results as CSV, with a column per section score',
        description:
          'The rows of GET /v1/procurements/{id}/results, in the same order: rank, responseId, supplierName, status, overallScore, rating, gatewaysPassed, final (not provisional; empty when not evaluated), then one column per section, headed `Section <ref or key>: <title> (weight <n>)`. RFC 4180 (CRLF), UTF-8, no BOM. Text that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) is prefixed with `\'`.',
        params: idParams,
        responseHeaders: { 200: ['Content-Disposition'] },
        response: { 200: { description: 'The CSV, with `Content-Disposition` naming `<reference or id>-results.csv`.', content: { 'text/csv': { schema: csvText } } } },
      },
    },
    async (request, reply) => {
      return sendResultsCsv(reply, await usecases.resultsCsv({ ...ctx(request), procurementId: request.params.id }));
    },
  );

  r.get(
    '/v1/procurements/:id/comparison.xlsx',
    {
      config: { access: RESULTS_READERS },
      schema: {
        tags: ['integrations'],
        operationId: 'getComparisonWorkbook',
        summary: 'The comparison as an Excel workbook',
        description:
          'GET /v1/procurements/{id}/comparison as two sheets. "Sections": Ref, Key, Section, Weight, then a score column per supplier, with "Overall score" and "Rating" rows at the bottom. "Questions": Ref, Key, Section (key), then per supplier its score and a `<supplier> (status)` column. Before any response is evaluated, both sheets hold only their header rows. Text starting with = + - @, tab or carriage return is prefixed with `\'`.',
        params: idParams,
        responseHeaders: { 200: ['Content-Disposition'] },
        response: { 200: { description: 'The workbook, with `Content-Disposition` naming `<reference or id>-comparison.xlsx`.', content: { [XLSX]: { schema: fileBytes } } } },
      },
    },
    async (request, reply) => {
      return sendComparisonWorkbook(reply, await usecases.comparisonWorkbook({ ...ctx(request), procurementId: request.params.id }));
    },
  );
}
