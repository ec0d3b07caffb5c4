import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/auth';
import { isAppError } from '../../platform/errors';
import { page } from '../../platform/web';
import type { ConsoleDeps } from '../accounts';
import { RESULTS_READERS } from '../scoring';
import { sendComparisonWorkbook, sendResultsCsv } from './exports.api';
import * as usecases from './exports.usecases';

/**
 * The console's downloads of the CSV and Excel exports, linked from the reports page
 * (`/procurements/:id/reports/results.csv`, `…/comparison.xlsx`): the same use cases, the same
 * bytes and headers as `GET /v1/procurements/{id}/results.csv?format=excel` and `…/comparison.xlsx`,
 * for the same readers. The CSV is the profile for people: whoever clicks the link opens it in a spreadsheet.
 */

const READERS: readonly Role[] = RESULTS_READERS.roles;
const isId = (value: string) => z.uuid().safeParse(value).success;

type Params = { id: string };

export function registerIntegrationsConsolePages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, staff } = deps;
  const onlyStaff = { preHandler: staff.requireStaff };

  const file = <F>(name: string, produce: (ctx: { db: typeof database.db; now: Date; principal: ReturnType<typeof staff.staffOf>['principal']; procurementId: string }) => Promise<F>, send: (reply: FastifyReply, file: F) => FastifyReply) =>
    web.get<{ Params: Params }>(`/procurements/:id/reports/${name}`, onlyStaff, async (request: FastifyRequest<{ Params: Params }>, reply) => {
      if (!READERS.includes(staff.staffOf(request).user.role)) {
        return page(request, reply, 'console/suppliers/not-allowed.njk', { ...staff.common(request, 'procurements'), title: 'You cannot do this' }, 403);
      }
      if (!isId(request.params.id)) return staff.notFound(request, reply);
      try {
        return send(reply, await produce({ db: database.db, now: now(), principal: staff.staffOf(request).principal, procurementId: request.params.id }));
      } catch (error) {
        if (isAppError(error) && error.status === 404) return staff.notFound(request, reply);
        throw error;
      }
    });

  file('results.csv', (ctx) => usecases.resultsCsv({ ...ctx, profile: 'excel' }), (reply, csv) => sendResultsCsv(reply, csv, 'excel'));
  file('comparison.xlsx', usecases.comparisonWorkbook, sendComparisonWorkbook);
}
