import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { contentDisposition } from '../../platform/http/content-disposition';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { RESULTS_READERS } from '../scoring';
import { csvContentType, csvFormatSchema, csvProfileOf, type CsvProfile } from './csv';
import * as usecases from './exports.usecases';

const idParams = z.object({ id: z.uuid() });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
// Described as text and as bytes; sent as a stream or a Buffer, so typed as whatever the handler sends.
const csvText = z.string() as z.ZodType<unknown>;
const fileBytes = z.string().meta({ format: 'binary' }) as z.ZodType<unknown>;

const resultsCsvQuery = z.object({ format: csvFormatSchema.optional() });
// Loose, as in feed.api.ts: the other headers (Authorization) must outlive validation.
const resultsCsvHeaders = z.looseObject({
  accept: z.string().max(1000).optional().describe('`text/csv; profile=excel` asks for the CSV for people, as `format=excel` does; `format` wins when both are given.'),
});

/** Sends the results CSV as it streams (the API's download and the console's alike); the Content-Type names the profile. */
export function sendResultsCsv(reply: FastifyReply, file: usecases.ExportFile<Readable>, profile: CsvProfile) {
  return reply
    .header('content-type', csvContentType(profile))
    .header('content-disposition', contentDisposition(file.filename))
    .header('cache-control', 'private, no-store')
    .header('vary', 'Accept')
    .send(file.body);
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
        summary: 'The results as CSV, one row per response and section',
        description: [
          'The rows of GET /v1/procurements/{id}/results, in the same order, each once per section of the questionnaire (in its order): rank, responseId, supplierName, status, overallScore, rating, gatewaysPassed, final (not provisional; empty when not evaluated), sectionKey, sectionRef, sectionTitle, sectionWeight, sectionScore (0–100; empty when not evaluated). The columns are the same for every procurement. RFC 4180 (CRLF), UTF-8.',
          'Two profiles. For machines (the default, whoever calls): every value as stored, no BOM, `Content-Type: text/csv; charset=utf-8`. For people (`format=excel`, or `Accept: text/csv; profile=excel`): a UTF-8 BOM, and text a spreadsheet would run as a formula (starting with = + - @ | ; ＝, a tab or carriage return) prefixed with `\'`; `Content-Type: text/csv; charset=utf-8; profile=excel`. The console’s download is the one for people.',
        ].join('\n\n'),
        params: idParams,
        querystring: resultsCsvQuery,
        headers: resultsCsvHeaders,
        responseHeaders: { 200: ['Content-Disposition'] },
        response: { 200: { description: 'The CSV, with `Content-Disposition` naming `<reference or id>-results.csv`.', content: { 'text/csv': { schema: csvText } } } },
      },
    },
    async (request, reply) => {
      const profile = csvProfileOf({ format: request.query.format, accept: request.headers.accept });
      return sendResultsCsv(reply, await usecases.resultsCsv({ ...ctx(request), procurementId: request.params.id, profile }), profile);
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
          'GET /v1/procurements/{id}/comparison as three sheets. "Sections": Ref, Key, Section, Weight, then a score column per supplier, with "Overall score" and "Rating" rows at the bottom. "Questions": Ref, Key, Section (key), then per supplier its score and a `<supplier> (status)` column. In both, the first row names each supplier and the second ("Response id") holds its response id, which tells apart two suppliers of the same name. "Suppliers": one row per response, keyed by response id, with rank, score, rating and its submitted, evaluated and finalised times as Excel dates (UTC). Before any response is evaluated, "Sections" and "Questions" hold only their two header rows. Text is written as it is, never as a formula; text a spreadsheet would run as a formula if typed (starting with = + - @ | ; ＝, a tab or carriage return) has the Text format and the cell style’s quotePrefix, not a `\'` in its value.',
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
