import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf, type SupplierPrincipal } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { contentDisposition } from '../../platform/http/content-disposition';
import type { AppDeps } from '../../platform/http/deps';
import { supplierReceipt } from './receipt.usecases';

const pdf = z.string().meta({ format: 'binary' }).describe('The receipt as a tagged PDF');

export function registerReceiptApi(app: FastifyInstance, { database, now, pdf: renderer }: AppDeps): void {
  app.get(
    '/v1/supplier/response/receipt.pdf',
    {
      config: { access: { supplier: true } },
      schema: {
        tags: ['supplier'],
        operationId: 'getSupplierReceipt',
        summary: 'A receipt of your submitted response (PDF)',
        description:
          'Supplier invitation token only. The answers, comments, confidentiality marks and evidence files (name, size, SHA-256) exactly as submitted, with the council, procurement, submission reference and time: an accessible, tagged PDF. A later clarification amendment does not change it. Before submission: 409 `responses.not_submitted`.',
        responseHeaders: { 200: ['Content-Disposition', 'X-Submission-Reference'] },
        response: {
          200: { description: 'The receipt. `Content-Disposition` names the file; `X-Submission-Reference` is the reference it is for.', content: { 'application/pdf': { schema: pdf } } },
          ...problemResponses(409),
        },
      },
    },
    async (request, reply) => {
      const receipt = await supplierReceipt({ db: database.db, now: now(), principal: principalOf(request) as SupplierPrincipal, pdf: renderer });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', contentDisposition(receipt.filename))
        .header('x-submission-reference', receipt.reference)
        .header('cache-control', 'private, no-store')
        .send(receipt.pdf);
    },
  );
}
