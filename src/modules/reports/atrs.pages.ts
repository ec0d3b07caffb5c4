import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/auth';
import { isAppError } from '../../platform/errors';
import { contentDisposition } from '../../platform/http/content-disposition';
import { page } from '../../platform/web';
import type { ConsoleDeps } from '../accounts';
import { isResponseOfProcurement } from '../responses';
import { REPORT_READERS } from '../scoring';
import { sendAtrsPdf } from './atrs.api';
import * as usecases from './atrs.usecases';
import { reportsHref } from './console.models';

/**
 * The console's downloads of a response's draft transparency (ATRS) record, JSON and PDF, listed on
 * the reports page: the API's record, for the same roles (council staff who read reports). Another
 * council's or another procurement's id is the console's 404; a response not submitted, a page
 * saying when the record will be there (409).
 */

const READERS: readonly Role[] = REPORT_READERS.roles;
const isId = (value: string) => z.uuid().safeParse(value).success;
type Params = { id: string; responseId: string };

export function registerAtrsConsoleDownloads(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, pdf: renderer, staff } = deps;
  const db = database.db;
  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal });

  const download = (file: string, send: (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => Promise<unknown>) =>
    web.get<{ Params: Params }>(`/procurements/:id/reports/responses/:responseId/${file}`, { preHandler: staff.requireStaff }, async (request, reply) => {
      if (!READERS.includes(staff.staffOf(request).user.role))
        return page(request, reply, 'console/suppliers/not-allowed.njk', { ...staff.common(request, 'procurements'), title: 'You cannot do this' }, 403);
      const { id, responseId } = request.params;
      // A response is reached only under its own procurement's URL.
      if (!isId(id) || !isId(responseId) || !(await isResponseOfProcurement({ db, principal: staff.staffOf(request).principal, procurementId: id, responseId }))) return staff.notFound(request, reply);
      try {
        return await send(request, reply);
      } catch (error) {
        if (!isAppError(error)) throw error;
        if (error.status === 404) return staff.notFound(request, reply);
        if (error.status !== 409) throw error;
        return page(
          request,
          reply,
          'console/reports/unavailable.njk',
          {
            ...staff.common(request, 'procurements'),
            backLink: { href: reportsHref(id), text: 'Back to reports' },
            title: 'This report is not available yet',
            reason: 'A draft transparency record is drafted from a submitted response, so it is there once the supplier has submitted and the response has been evaluated.',
            reportsHref: reportsHref(id),
          },
          409,
        );
      }
    });

  download('atrs.json', async (request, reply) => {
    const record = await usecases.atrsRecordOf({ ...ctxOf(request), responseId: request.params.responseId });
    return reply.header('content-type', 'application/json; charset=utf-8').header('content-disposition', contentDisposition(usecases.atrsJsonFilename(record))).header('cache-control', 'private, no-store').send(JSON.stringify(record, null, 2));
  });
  download('atrs.pdf', async (request, reply) => sendAtrsPdf(request, reply, await usecases.atrsPdfOf({ ...ctxOf(request), responseId: request.params.responseId, renderer })));
}
