import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/auth';
import { isAppError } from '../../platform/errors';
import { page } from '../../platform/web';
import type { ConsoleDeps } from '../accounts';
import { isResponseOfProcurement } from '../responses';
import { EVALUATION_REPORT_READERS, procurementEvaluations, REPORT_READERS, RESULTS_READERS } from '../scoring';
import { transparencyRecordsList } from './atrs.models';
import { registerAtrsConsoleDownloads } from './atrs.pages';
import { reportsHref, reportsList } from './console.models';
import { sendReport } from './reports.api';
import { reportRendersOf } from './reports.once';
import * as usecases from './reports.usecases';

/**
 * The console's reports page (`/procurements/:id/reports`) and its PDF downloads: the evaluation
 * report of each evaluated response, the comparison, each bidder's assessment summary once the
 * decision is recorded. The same files as the API's (stored once, with their SHA-256), for the same
 * roles; the CSV and Excel exports on the page are served by the integrations module.
 */

const READERS: readonly Role[] = REPORT_READERS.roles;
const EVALUATION_READERS: readonly Role[] = EVALUATION_REPORT_READERS.roles;
const isId = (value: string) => z.uuid().safeParse(value).success;

type Params = { id: string };
type ResponseParams = { id: string; responseId: string };

export function registerReportsConsolePages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, storage, pdf: renderer, config, staff } = deps;
  const db = database.db;
  const onlyStaff = { preHandler: staff.requireStaff };
  const renders = reportRendersOf({ app: renderer, engine: database.kind, slots: config.reportWorkers });
  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal, storage, renderer, renders });
  const forbidden = (request: FastifyRequest, reply: FastifyReply) =>
    page(request, reply, 'console/suppliers/not-allowed.njk', { ...staff.common(request, 'procurements'), title: 'You cannot do this' }, 403);

  /** Refuses a role that may not (403) and ids that are not ids (404); true when the request may go on. */
  async function admit(request: FastifyRequest<{ Params: Params & { responseId?: string } }>, reply: FastifyReply, roles: readonly Role[]): Promise<boolean> {
    if (!roles.includes(staff.staffOf(request).user.role)) {
      await forbidden(request, reply);
      return false;
    }
    if (!isId(request.params.id) || (request.params.responseId !== undefined && !isId(request.params.responseId))) {
      await staff.notFound(request, reply);
      return false;
    }
    return true;
  }

  /**
   * Sends what `produce` makes, or the page that says why not: the console's 404 for another
   * council's (or another procurement's) id, 403 for the panel's evaluators other than the
   * moderator, and a page saying when the report will be there for one that is not yet (409).
   */
  async function download(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, produce: () => Promise<usecases.ReportFile>) {
    try {
      return sendReport(request, reply, await produce());
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.status === 404) return staff.notFound(request, reply);
      if (error.status === 403) return forbidden(request, reply);
      if (error.status === 409) {
        return page(
          request,
          reply,
          'console/reports/unavailable.njk',
          {
            ...staff.common(request, 'procurements'),
            backLink: { href: reportsHref(request.params.id), text: 'Back to reports' },
            title: 'This report is not available yet',
            reason: UNAVAILABLE[error.code] ?? error.title,
            // Which questions and evaluators, when the refusal names them (a justification to improve).
            problems: error.code === 'reports.justification_missing' ? (error.errors ?? []).map((e) => e.message) : [],
            reportsHref: reportsHref(request.params.id),
          },
          409,
        );
      }
      throw error;
    }
  }

  web.get<{ Params: Params }>('/procurements/:id/reports', onlyStaff, async (request, reply) => {
    if (!(await admit(request, reply, READERS))) return reply;
    let all;
    try {
      all = await procurementEvaluations({ db, now: now(), principal: staff.staffOf(request).principal, procurementId: request.params.id });
    } catch (error) {
      if (isAppError(error) && error.status === 404) return staff.notFound(request, reply);
      throw error;
    }
    const role = staff.staffOf(request).user.role;
    return page(request, reply, 'console/reports/index.njk', {
      ...staff.common(request, 'procurements'),
      procurement: { id: all.procurement.id, title: all.procurement.title, reference: all.procurement.reference, status: all.procurement.status },
      backLink: { href: `/procurements/${all.procurement.id}`, text: 'Back to the procurement' },
      title: 'Reports',
      ...reportsList({ all, exports: (RESULTS_READERS.roles as readonly Role[]).includes(role) }),
      transparencyRecords: transparencyRecordsList({ all }),
    });
  });

  web.get<{ Params: Params }>('/procurements/:id/reports/comparison.pdf', onlyStaff, async (request, reply) => {
    if (!(await admit(request, reply, READERS))) return reply;
    return download(request, reply, () => usecases.comparisonReportFile({ ...ctxOf(request), procurementId: request.params.id }));
  });

  const responseReport = (file: string, roles: readonly Role[], produce: (request: FastifyRequest<{ Params: ResponseParams }>) => Promise<usecases.ReportFile>) =>
    web.get<{ Params: ResponseParams }>(`/procurements/:id/reports/responses/:responseId/${file}`, onlyStaff, async (request, reply) => {
      if (!(await admit(request, reply, roles))) return reply;
      // A response is reached only under its own procurement's URL.
      if (!(await isResponseOfProcurement({ db, principal: staff.staffOf(request).principal, procurementId: request.params.id, responseId: request.params.responseId }))) return staff.notFound(request, reply);
      return download(request, reply, () => produce(request));
    });
  // Of the panel, the declared moderator reads the evaluation report too (the use case checks), as in the API.
  responseReport('evaluation-report.pdf', EVALUATION_READERS, (request) => usecases.evaluationReportFile({ ...ctxOf(request), responseId: request.params.responseId }));
  responseReport('assessment-summary.pdf', READERS, (request) => usecases.assessmentSummaryFile({ ...ctxOf(request), responseId: request.params.responseId, publicBaseUrl: config.publicBaseUrl }));
  // The draft transparency (ATRS) record of each response, JSON and PDF (atrs.pages.ts).
  registerAtrsConsoleDownloads(web, deps);
}

/** Why a report is not there yet, by the code the use case refuses it with. */
const UNAVAILABLE: Record<string, string> = {
  'reports.no_evaluations': 'The comparison is produced once at least one submitted response has been evaluated.',
  'reports.not_decided': 'An assessment summary explains the decision to a bidder, so it is produced once the decision is recorded.',
  'reports.justification_missing':
    'An assessment summary explains each mark evaluators gave by reference to the tender, so it is not produced while an evaluator’s justification is missing, too short or a stock phrase such as “as above”. The evaluator improves the justification of these marks while the evaluation is open:',
  'evaluations.response_not_submitted': 'An evaluation report is produced once the supplier has submitted its response and it has been evaluated.',
};
