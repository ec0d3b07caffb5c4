import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../platform/errors';
import { loadResponsePage } from './response.pages';
import { page, putFlash, takeFlash } from '../../platform/web';
import { userNames, type ConsoleDeps } from '../accounts';
import type { Condition } from './conditions.models';
import {
  conditionRows,
  conditionTypedFrom,
  conditionsCountWords,
  conditionsHref,
  dueDateItems,
  lastChangedWords,
  ratingWords,
  readConditionForm,
  registerCards,
  type ConditionTyped,
} from './conditions.pages.models';
import { conditionsRecord, updateCondition } from './conditions.usecases';
import { resultsHref } from './console.models';
import type { FormBody, PageError } from './moderation.models';

/**
 * The console's conditions register of one response (`/procurements/:id/responses/:responseId/conditions`)
 * and the page that records one condition's status, reason, owner and due date (`…/conditions/:conditionId`).
 * Readers as the evaluation (officers, viewers, the declared moderator); changes by officers and the
 * declared moderator, as `PUT /v1/responses/{id}/conditions/{conditionId}`. Another council's ids get
 * the 404 page, anyone else on the staff the 403 page.
 */

type Params = { id: string; responseId: string };
type ConditionParams = Params & { conditionId: string };
type Record = Awaited<ReturnType<typeof conditionsRecord>>;
const T = 'console/results/conditions';
// Condition ids are a source and a question or section key; the API takes up to 200 characters.
const isConditionId = (value: string) => value.length > 0 && value.length <= 200;

export function registerConditionsPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, config, staff } = deps;
  const db = database.db;
  const onlyStaff = { preHandler: staff.requireStaff };
  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal });
  const flashBinding = (request: FastifyRequest, pagePath: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: pagePath, now: now() });
  const common = (request: FastifyRequest) => staff.common(request, 'procurements');
  const forbidden = (request: FastifyRequest, reply: FastifyReply, title: string) => page(request, reply, `${T}/not-allowed.njk`, { ...common(request), title }, 403);

  /** The register, or the page already sent: 404 for unknown, foreign or unsubmitted, 403 for who may not read it, the declaration first for an undeclared moderator. */
  async function load(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<Record | null> {
    const { id, responseId } = request.params;
    return loadResponsePage({
      request,
      reply,
      staff,
      procurementId: id,
      responseId,
      read: (responseId) => conditionsRecord({ ...ctxOf(request), responseId }),
      refused: () => forbidden(request, reply, 'You cannot see this conditions register'),
    });
  }

  const heading = (record: Record) => ({
    procurement: { id: record.procurement.id, title: record.procurement.title, reference: record.procurement.reference },
    supplierName: record.supplierName,
  });
  const baseOf = (record: Record) => conditionsHref(record.procurement.id, record.responseId);
  const namesOf = (request: FastifyRequest, conditions: Condition[]) =>
    userNames({ db, organisationId: staff.staffOf(request).principal.organisationId, ids: conditions.flatMap((c) => (c.updatedBy ? [c.updatedBy] : [])) });

  web.get<{ Params: Params }>('/procurements/:id/responses/:responseId/conditions', onlyStaff, async (request, reply) => {
    const record = await load(request, reply);
    if (!record) return reply;
    const base = baseOf(record);
    const names = await namesOf(request, record.conditions);
    return page(request, reply, `${T}/register.njk`, {
      ...common(request),
      ...heading(record),
      title: `Conditions for ${record.supplierName}`,
      backLink: { href: resultsHref(record.procurement.id), text: 'Back to the results' },
      notice: takeFlash(request, reply, flashBinding(request, base)),
      rating: ratingWords(record),
      count: conditionsCountWords({ total: record.conditions.length, open: record.conditions.filter((c) => c.status === 'open').length }),
      cards: registerCards({ base, conditions: record.conditions, names, mayChange: record.mayChange }),
      mayChange: record.mayChange,
    });
  });

  /**
   * One condition's page. `form` carries what was typed back after a problem; `stale` says the
   * condition changed since the page was read (a second tab, or someone else), and the page then
   * shows what they recorded beside the form, which keeps what this user typed.
   */
  async function renderCondition(
    request: FastifyRequest<{ Params: ConditionParams }>,
    reply: FastifyReply,
    record: Record,
    form: { typed?: ConditionTyped; errors?: PageError[]; dateParts?: readonly ('day' | 'month' | 'year')[]; stale?: boolean; status?: number } = {},
  ) {
    const condition = record.conditions.find((c) => c.id === request.params.conditionId);
    if (!condition) return staff.notFound(request, reply);
    const names = await namesOf(request, [condition]);
    // The hidden version is always the one now stored: after a stale save, saving again is a deliberate choice.
    const typed = { ...(form.typed ?? conditionTypedFrom(condition)), version: String(condition.version) };
    const errors = form.errors ?? [];
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href || (href === '#dueDate' && e.href.startsWith('#dueDate-')));
      return found ? { text: found.text } : undefined;
    };
    return page(
      request,
      reply,
      `${T}/condition.njk`,
      {
        ...common(request),
        ...heading(record),
        title: `Condition ${condition.number}`,
        pageTitle: `Condition ${condition.number} – ${record.supplierName}`,
        backLink: { href: baseOf(record), text: 'Back to the conditions' },
        errors,
        rows: conditionRows(condition, names),
        stale: form.stale ? { by: lastChangedWords(condition, names) } : null,
        typed,
        statusError: fieldError('#status'),
        reasonError: fieldError('#reason'),
        metReasonError: fieldError('#metReason'),
        ownerError: fieldError('#owner'),
        dateError: fieldError('#dueDate'),
        dateItems: dueDateItems(typed, form.dateParts ?? []),
        action: request.url.split('?')[0],
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: ConditionParams }>('/procurements/:id/responses/:responseId/conditions/:conditionId', onlyStaff, async (request, reply) => {
    if (!isConditionId(request.params.conditionId)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    if (!record.mayChange) return forbidden(request, reply, 'Only officers and the moderator can change conditions');
    return renderCondition(request, reply, record);
  });

  web.post<{ Params: ConditionParams; Body: FormBody }>('/procurements/:id/responses/:responseId/conditions/:conditionId', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    if (!isConditionId(request.params.conditionId)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    if (!record.mayChange) return forbidden(request, reply, 'Only officers and the moderator can change conditions');
    const condition = record.conditions.find((c) => c.id === request.params.conditionId);
    if (!condition) return staff.notFound(request, reply);
    const form = readConditionForm(body);
    if (!form.input) return renderCondition(request, reply, record, { typed: form.typed, errors: form.errors, dateParts: form.dateParts, status: 400 });
    try {
      await updateCondition({ ...ctxOf(request), responseId: record.responseId, conditionId: condition.id, ...form.input });
    } catch (error) {
      if (isAppError(error) && error.code === 'conditions.stale') {
        // Someone saved first: show what they recorded, keep what this user typed, save nothing.
        const fresh = await load(request, reply);
        if (!fresh) return reply;
        return renderCondition(request, reply, fresh, { typed: form.typed, stale: true, status: 409 });
      }
      if (isAppError(error) && error.status === 404) return staff.notFound(request, reply);
      throw error;
    }
    const words = { open: 'is open', met: 'is met', waived: 'is waived' }[form.input.status];
    putFlash(reply, { ...flashBinding(request, baseOf(record)), secure: config.cookieSecure, value: { type: 'success', text: `Condition ${condition.number} saved: it ${words}.` } });
    return reply.redirect(baseOf(record), 303);
  });
}
