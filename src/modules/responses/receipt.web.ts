import type { FastifyInstance } from 'fastify';
import { contentDisposition } from '../../platform/http/content-disposition';
import { supplierReceipt } from './receipt.usecases';
import { RECEIPT_HREF, type WebDeps } from './web.context';

/** The receipt of the submitted response, downloaded from the confirmation page and the read-only pages. */

export function registerReceiptPages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now, pdf } = deps;
  const { load } = deps.web;
  web.get(RECEIPT_HREF, { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    // Nothing submitted, nothing to receipt: back to the questionnaire, as the confirmation page does.
    if (!ctx.view.submission) return reply.redirect('/respond', 303);
    const receipt = await supplierReceipt({ db: database.db, now: now(), principal: ctx.session.principal, pdf });
    return reply.header('content-type', 'application/pdf').header('content-disposition', contentDisposition(receipt.filename)).header('cache-control', 'no-store').send(receipt.pdf);
  });
}
