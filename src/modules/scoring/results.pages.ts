import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/auth';
import { isAppError, type AppError } from '../../platform/errors';
import { page, putFlash, takeFlash } from '../../platform/web';
import { userNames, type ConsoleDeps } from '../accounts';
import { comparisonTables, decisionChoices, decisionHref, decisionRows, RANK_RULE, readDecisionForm, resultsHref, resultsTable, type DecisionTyped, type FormBody, type PageError } from './console.models';
import { conditionCounts } from './conditions.usecases';
import { RESULTS_READERS } from './scoring.access';
import { comparison, procurementEvaluations, recordDecision, type ProcurementEvaluations } from './scoring.usecases';
import { registerApprovalPages } from './approvals.pages';

/**
 * The console's results (`/procurements/:id/results`: the ranked table and the comparison
 * matrices) and decision (`/procurements/:id/decision`: award or no award, with the reasons, checked
 * before it is recorded, as it cannot be changed). Readers as `GET /v1/procurements/{id}/results`;
 * the decision is for admins and officers, as `POST /v1/procurements/{id}/decision`.
 */

const MANAGERS: readonly Role[] = ['admin', 'officer'];
const READERS: readonly Role[] = RESULTS_READERS.roles;
const isId = (value: string) => z.uuid().safeParse(value).success;

type Params = { id: string };

/** What the use case refuses, as the decision page says it. */
function refusal(error: AppError): string {
  switch (error.code) {
    case 'evaluations.not_evaluating':
      return `The decision can be recorded only while the procurement is being evaluated. ${error.detail}`;
    case 'evaluations.already_decided':
      return 'A decision is already recorded for this procurement, and it cannot be changed.';
    case 'evaluations.provisional':
      return `The contract cannot be awarded yet: ${error.detail} Finish moderation first.`;
    case 'evaluations.cannot_award':
      return `${error.title}. ${error.detail.replace(/ in responseId\.$/, '.')}`;
    default:
      return error.title;
  }
}

export function registerScoringConsolePages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, config, staff } = deps;
  registerApprovalPages(web, deps);
  const db = database.db;
  const onlyStaff = { preHandler: staff.requireStaff };
  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal });
  const flashBinding = (request: FastifyRequest, pagePath: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: pagePath, now: now() });
  const forbidden = (request: FastifyRequest, reply: FastifyReply) =>
    page(request, reply, 'console/suppliers/not-allowed.njk', { ...staff.common(request, 'procurements'), title: 'You cannot do this' }, 403);

  /** The procurement's evaluations, or the page already sent (403 for a role that may not, the console's 404 for another council's id). */
  async function load(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, roles: readonly Role[]): Promise<ProcurementEvaluations | null> {
    if (!roles.includes(staff.staffOf(request).user.role)) {
      await forbidden(request, reply);
      return null;
    }
    if (!isId(request.params.id)) {
      await staff.notFound(request, reply);
      return null;
    }
    try {
      return await procurementEvaluations({ ...ctxOf(request), procurementId: request.params.id });
    } catch (error) {
      if (isAppError(error) && error.status === 404) {
        await staff.notFound(request, reply);
        return null;
      }
      throw error;
    }
  }

  const heading = (all: ProcurementEvaluations) => ({
    procurement: { id: all.procurement.id, title: all.procurement.title, reference: all.procurement.reference, status: all.procurement.status },
    backLink: { href: `/procurements/${all.procurement.id}`, text: 'Back to the procurement' },
  });

  web.get<{ Params: Params }>('/procurements/:id/results', onlyStaff, async (request, reply) => {
    const all = await load(request, reply, READERS);
    if (!all) return reply;
    const matrix = await comparison({ ...ctxOf(request), procurementId: all.procurement.id });
    const canDecide = MANAGERS.includes(staff.staffOf(request).user.role);
    const names = await userNames({ db, organisationId: staff.staffOf(request).principal.organisationId, ids: all.items.flatMap((i) => (i.finalisedBy ? [i.finalisedBy] : [])) });
    return page(request, reply, 'console/results/index.njk', {
      ...staff.common(request, 'procurements'),
      ...heading(all),
      title: 'Results',
      notice: takeFlash(request, reply, flashBinding(request, resultsHref(all.procurement.id))),
      results: all.items.length > 0 ? resultsTable({ procurementId: all.procurement.id, items: all.items, evaluations: all.evaluations, names, conditions: await conditionCounts({ db, all }) }) : null,
      rankRule: RANK_RULE,
      comparison: comparisonTables({ comparison: matrix, items: all.items, evaluations: all.evaluations }),
      decision: all.decision ? decisionRows({ decision: all.decision, items: all.items }) : null,
      decisionHref: canDecide && !all.decision && all.procurement.status === 'evaluating' ? decisionHref(all.procurement.id) : null,
      reportsHref: `/procurements/${all.procurement.id}/reports`,
    });
  });

  function renderDecision(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, all: ProcurementEvaluations, form: { typed?: DecisionTyped; errors?: PageError[]; status?: number } = {}) {
    const typed = form.typed ?? { choice: '', rationale: '' };
    const errors = form.errors ?? [];
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href);
      return found ? { text: found.text } : undefined;
    };
    const open = !all.decision && all.procurement.status === 'evaluating';
    return page(
      request,
      reply,
      'console/results/decision.njk',
      {
        ...staff.common(request, 'procurements'),
        ...heading(all),
        backLink: { href: resultsHref(all.procurement.id), text: 'Back to the results' },
        title: 'Record the decision',
        errors,
        decision: all.decision ? decisionRows({ decision: all.decision, items: all.items }) : null,
        closedReason: all.decision ? null : open ? null : `The procurement is ${all.procurement.status}: the decision is recorded while it is being evaluated.`,
        provisional: all.items.filter((i) => i.provisional).length,
        choices: decisionChoices({ items: all.items, typed }),
        typed,
        choiceError: fieldError('#choice'),
        rationaleError: fieldError('#rationale'),
        action: decisionHref(all.procurement.id),
        resultsHref: resultsHref(all.procurement.id),
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: Params }>('/procurements/:id/decision', onlyStaff, async (request, reply) => {
    const all = await load(request, reply, MANAGERS);
    if (!all) return reply;
    return renderDecision(request, reply, all);
  });

  // One address, three steps: the form posts to be checked; the check page confirms (or goes back to change it).
  web.post<{ Params: Params; Body: FormBody }>('/procurements/:id/decision', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    const all = await load(request, reply, MANAGERS);
    if (!all) return reply;
    const form = readDecisionForm({ body, items: all.items });
    const step = typeof body.step === 'string' ? body.step : 'check';
    if (step === 'change' || !form.input) return renderDecision(request, reply, all, { typed: form.typed, errors: step === 'change' ? [] : form.errors, status: step === 'change' ? 200 : 400 });
    if (step !== 'confirm') {
      const winner = form.input.responseId ? all.items.find((i) => i.responseId === form.input!.responseId) : undefined;
      return page(request, reply, 'console/results/decision-check.njk', {
        ...staff.common(request, 'procurements'),
        ...heading(all),
        backLink: { href: decisionHref(all.procurement.id), text: 'Back' },
        title: 'Check the decision before you record it',
        rows: [
          { key: { text: 'Decision' }, value: { text: winner ? `Award the contract to ${winner.supplierName}` : 'Do not award the contract' } },
          ...(winner ? [{ key: { text: 'Their result' }, value: { text: `Ranked ${winner.rank}, scoring ${winner.overallScore?.toFixed(1)} out of 100` } }] : []),
          { key: { text: 'Reasons' }, value: { text: form.input.rationale } },
        ],
        typed: form.typed,
        action: decisionHref(all.procurement.id),
      });
    }
    try {
      await recordDecision({ ...ctxOf(request), procurementId: all.procurement.id, ...form.input });
    } catch (error) {
      if (isAppError(error) && error.status === 409) return renderDecision(request, reply, all, { typed: form.typed, errors: [{ href: '#choice', text: refusal(error) }], status: 409 });
      throw error;
    }
    putFlash(reply, { ...flashBinding(request, resultsHref(all.procurement.id)), secure: config.cookieSecure, value: { type: 'success', text: 'The decision has been recorded. The procurement is now decided.' } });
    return reply.redirect(resultsHref(all.procurement.id), 303);
  });
}
