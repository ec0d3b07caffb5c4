import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../platform/errors';
import { loadResponsePage } from './response.pages';
import { page, putFlash, takeFlash } from '../../platform/web';
import { userNames, type ConsoleDeps } from '../accounts';
import {
  amendedAnswers,
  answerText,
  automaticScores,
  flagActionWords,
  flagItems,
  findQuestion,
  gatewayTypedFrom,
  gatewayRows,
  marksSideBySide,
  markChoices,
  moderationHref,
  moderationOverview,
  readAmendmentForm,
  readFlagActionForm,
  readGatewayForm,
  readMarkForm,
  titleOf,
  type AmendmentTyped,
  type FormBody,
  type GatewayTyped,
  type MarkTyped,
  type PageError,
} from './moderation.models';
import { conditionsHref } from './conditions.pages.models';
import { decideAmendment, decideGateway, finaliseEvaluation, integrityFlagsOf, moderate, moderationRecord, recordFlagAction } from './scoring.usecases';

/**
 * The moderator's pages for one response, under `/evaluations/:procurementId/responses/:responseId/moderation`:
 * the overview, one page per marked question (consensus) or automatic score (override), one page
 * per gateway, and finalising. Only the procurement's declared moderator gets through (the use
 * cases say so); anyone else on the council's staff gets 403, another council's ids the 404 page.
 */

type Params = { procurementId: string; responseId: string };
type KeyParams = Params & { questionKey: string };
type AmendmentParams = Params & { clarificationId: string };
type FlagParams = Params & { flagId: string };
type Record = Awaited<ReturnType<typeof moderationRecord>>;
const T = 'console/evaluations/moderation';
const isId = (value: string) => z.uuid().safeParse(value).success;
const isKey = (value: string) => value.length > 0 && value.length <= 80;
// The API takes flag ids of up to 200 characters; longer is no flag of ours.
const isFlagId = (value: string) => value.length > 0 && value.length <= 200;

/** What a refused change says, on the page a stale tab posts from. */
const REFUSALS: { [code: string]: string } = {
  'evaluations.finalised': 'This evaluation has been finalised, so its marks and decisions can no longer change.',
  'evaluations.not_evaluating': 'The procurement is no longer being evaluated, so moderation has closed.',
  'evaluations.amendment_decided': 'This amended answer has already been accepted or rejected, and each amendment is decided once.',
};

export function registerModerationPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, config, staff } = deps;
  const db = database.db;
  const onlyStaff = { preHandler: staff.requireStaff };
  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal });
  const flashBinding = (request: FastifyRequest, pagePath: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: pagePath, now: now() });
  const common = (request: FastifyRequest) => staff.common(request, 'evaluations');

  /** The record, or the page already sent: 404 for unknown or foreign ids, 403 off the panel, the declaration first when undeclared. */
  async function load(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<Record | null> {
    const { procurementId, responseId } = request.params;
    return loadResponsePage({
      request,
      reply,
      staff,
      procurementId,
      responseId,
      read: (responseId) => moderationRecord({ ...ctxOf(request), responseId }),
      refused: () => page(request, reply, `${T}/not-allowed.njk`, { ...common(request), title: 'Only the moderator can moderate this evaluation' }, 403),
    });
  }

  const heading = (record: Record) => ({
    procurement: { id: record.procurement.id, title: record.procurement.title, reference: record.procurement.reference, status: record.procurement.status },
    supplierName: record.response.supplierName,
  });
  const baseOf = (record: Record) => moderationHref(record.procurement.id, record.response.responseId);
  const namesOf = (request: FastifyRequest, record: Record) => userNames({ db, organisationId: staff.staffOf(request).principal.organisationId, ids: record.procurement.evaluatorIds });
  /** Moderators who decided an amendment: named on the pages, and possibly no longer on the panel. */
  const decidersOf = (record: Record) => record.evaluation.questions.flatMap((q) => (q.amendment?.decidedBy ? [q.amendment.decidedBy] : []));
  const isOpen = (record: Record) => record.procurement.status === 'evaluating' && record.evaluation.finalisedAt === null;

  /** A change the use case refused because the evaluation moved on (finalised, or evaluation closed) since the page was loaded. */
  async function refused(request: FastifyRequest, reply: FastifyReply, record: Record, code: string) {
    return page(
      request,
      reply,
      `${T}/refused.njk`,
      { ...common(request), ...heading(record), title: 'Your change was not saved', reason: REFUSALS[code] ?? 'The evaluation has changed since the page was loaded.', overviewHref: baseOf(record) },
      409,
    );
  }

  web.get<{ Params: Params }>('/evaluations/:procurementId/responses/:responseId/moderation', onlyStaff, async (request, reply) => {
    const record = await load(request, reply);
    if (!record) return reply;
    const base = baseOf(record);
    const { flags } = await integrityFlagsOf({ ...ctxOf(request), responseId: record.response.responseId });
    const names = await userNames({
      db,
      organisationId: staff.staffOf(request).principal.organisationId,
      ids: [...record.procurement.evaluatorIds, ...decidersOf(record), ...flags.flatMap((f) => (f.action ? [f.action.recordedBy] : []))],
    });
    return page(request, reply, `${T}/overview.njk`, {
      ...common(request),
      ...heading(record),
      title: `Moderate ${record.response.supplierName}’s response`,
      backLink: { href: '/evaluations', text: 'Back to your evaluations' },
      notice: takeFlash(request, reply, flashBinding(request, base)),
      open: isOpen(record),
      notEvaluating: record.procurement.status !== 'evaluating' && record.evaluation.finalisedAt === null,
      overview: moderationOverview({ base, evaluation: record.evaluation, definition: record.definition, marks: record.marks, evaluatorIds: record.procurement.evaluatorIds, submittedBy: record.submittedBy, names }),
      overridesHref: `${base}/overrides`,
      finaliseHref: `${base}/finalise`,
      amendments: amendedAnswers({ base, evaluation: record.evaluation, definition: record.definition, amendments: record.response.amendments, names }),
      flags: flagItems({ base, flags, names }),
      conditionsHref: conditionsHref(record.procurement.id, record.response.responseId),
    });
  });

  // ───────────────────────── one question: the consensus mark, or an override of an automatic score

  async function renderQuestion(request: FastifyRequest<{ Params: KeyParams }>, reply: FastifyReply, record: Record, form: { typed?: MarkTyped; errors?: PageError[]; status?: number } = {}) {
    const key = request.params.questionKey;
    const question = findQuestion(record.definition, key);
    const evaluated = record.evaluation.questions.find((q) => q.key === key);
    if (!question || !evaluated || evaluated.status === 'hidden' || evaluated.status === 'not_applicable' || evaluated.status === 'not_scored' || evaluated.status === 'unanswered')
      return staff.notFound(request, reply);
    const manual = question.scoring.method === 'manual';
    const base = baseOf(record);
    const existing = record.moderations.find((m) => m.questionKey === key);
    const typed = form.typed ?? { score: existing ? String(existing.score) : '', rationale: existing?.rationale ?? '' };
    const errors = form.errors ?? [];
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href);
      return found ? { text: found.text } : undefined;
    };
    const side = manual ? marksSideBySide({ questionKey: key, marks: record.marks, evaluatorIds: record.procurement.evaluatorIds, submittedBy: record.submittedBy, names: await namesOf(request, record) }) : null;
    return page(
      request,
      reply,
      `${T}/question.njk`,
      {
        ...common(request),
        ...heading(record),
        title: manual ? `Consensus mark for ${titleOf(question, key)}` : `Override the automatic score for ${titleOf(question, key)}`,
        backLink: { href: manual ? base : `${base}/overrides`, text: 'Back' },
        errors,
        manual,
        question: { text: question.text, ref: question.ref ?? null, guidance: question.guidance },
        answer: { text: answerText(question, record.response.answers[key]), comment: record.response.details[key]?.comment ?? null, amended: record.response.amended.includes(key) },
        side,
        automatic: manual ? null : { score: evaluated.automaticScore, working: evaluated.working, override: evaluated.override, current: evaluated.score },
        open: isOpen(record),
        choices: markChoices({ definition: record.definition, question, checked: typed.score }),
        typed,
        scoreError: fieldError('#score'),
        rationaleError: fieldError('#rationale'),
        action: request.url.split('?')[0],
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: KeyParams }>('/evaluations/:procurementId/responses/:responseId/moderation/questions/:questionKey', onlyStaff, async (request, reply) => {
    if (!isKey(request.params.questionKey)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    return renderQuestion(request, reply, record);
  });

  web.post<{ Params: KeyParams; Body: FormBody }>('/evaluations/:procurementId/responses/:responseId/moderation/questions/:questionKey', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    if (!isKey(request.params.questionKey)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    const form = readMarkForm(body);
    if (!form.input) return renderQuestion(request, reply, record, { typed: form.typed, errors: form.errors, status: 400 });
    try {
      await moderate({ ...ctxOf(request), responseId: record.response.responseId, questionKey: request.params.questionKey, ...form.input });
    } catch (error) {
      if (isAppError(error) && error.status === 409) return refused(request, reply, record, error.code);
      if (isAppError(error) && error.code === 'evaluations.not_scoreable') return staff.notFound(request, reply);
      throw error;
    }
    const manual = findQuestion(record.definition, request.params.questionKey)?.scoring.method === 'manual';
    putFlash(reply, {
      ...flashBinding(request, baseOf(record)),
      secure: config.cookieSecure,
      value: { type: 'success', text: manual ? `Consensus mark ${form.input.score} recorded. The evaluation has been updated.` : `Score overridden to ${form.input.score}. The evaluation has been updated.` },
    });
    return reply.redirect(baseOf(record), 303);
  });

  web.get<{ Params: Params }>('/evaluations/:procurementId/responses/:responseId/moderation/overrides', onlyStaff, async (request, reply) => {
    const record = await load(request, reply);
    if (!record) return reply;
    return page(request, reply, `${T}/overrides.njk`, {
      ...common(request),
      ...heading(record),
      title: 'Override an automatic score',
      backLink: { href: baseOf(record), text: 'Back' },
      open: isOpen(record),
      items: automaticScores({ base: baseOf(record), evaluation: record.evaluation, definition: record.definition }),
    });
  });

  // ───────────────────────── one gateway

  async function renderGateway(request: FastifyRequest<{ Params: KeyParams }>, reply: FastifyReply, record: Record, form: { typed?: GatewayTyped; errors?: PageError[]; status?: number } = {}) {
    const key = request.params.questionKey;
    const gateway = record.evaluation.gateways.find((g) => g.questionKey === key);
    if (!gateway) return staff.notFound(request, reply);
    const question = findQuestion(record.definition, key);
    const decision = record.decisions.find((d) => d.questionKey === key);
    const typed = form.typed ?? gatewayTypedFrom(decision);
    const errors = form.errors ?? [];
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href);
      return found ? { text: found.text } : undefined;
    };
    const dateError = fieldError('#dueDate-day');
    return page(
      request,
      reply,
      `${T}/gateway.njk`,
      {
        ...common(request),
        ...heading(record),
        title: `Decide the gateway ${titleOf(question, key)}`,
        backLink: { href: baseOf(record), text: 'Back' },
        errors,
        gatewayRows: [
          ...(question ? [{ key: { text: 'The supplier’s answer' }, value: { text: answerText(question, record.response.answers[key]) } }] : []),
          ...gatewayRows(gateway),
        ],
        open: isOpen(record),
        typed,
        outcomeError: fieldError('#outcome'),
        rationaleError: fieldError('#rationale'),
        actionError: fieldError('#action'),
        ownerError: fieldError('#owner'),
        dateError,
        dateItems: [
          { name: 'day', label: 'Day', classes: `govuk-input--width-2${dateError ? ' govuk-input--error' : ''}`, value: typed.day },
          { name: 'month', label: 'Month', classes: `govuk-input--width-2${dateError ? ' govuk-input--error' : ''}`, value: typed.month },
          { name: 'year', label: 'Year', classes: `govuk-input--width-4${dateError ? ' govuk-input--error' : ''}`, value: typed.year },
        ],
        action: request.url.split('?')[0],
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: KeyParams }>('/evaluations/:procurementId/responses/:responseId/moderation/gateways/:questionKey', onlyStaff, async (request, reply) => {
    if (!isKey(request.params.questionKey)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    return renderGateway(request, reply, record);
  });

  web.post<{ Params: KeyParams; Body: FormBody }>('/evaluations/:procurementId/responses/:responseId/moderation/gateways/:questionKey', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    if (!isKey(request.params.questionKey)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    if (!record.evaluation.gateways.some((g) => g.questionKey === request.params.questionKey)) return staff.notFound(request, reply);
    const form = readGatewayForm(body);
    if (!form.input) return renderGateway(request, reply, record, { typed: form.typed, errors: form.errors, status: 400 });
    try {
      await decideGateway({ ...ctxOf(request), responseId: record.response.responseId, questionKey: request.params.questionKey, ...form.input });
    } catch (error) {
      if (isAppError(error) && error.status === 409) return refused(request, reply, record, error.code);
      if (isAppError(error) && error.code === 'evaluations.not_a_gateway') return staff.notFound(request, reply);
      throw error;
    }
    const words = { pass: 'passed', fail: 'failed', conditional: 'passed with conditions' }[form.input.outcome];
    putFlash(reply, { ...flashBinding(request, baseOf(record)), secure: config.cookieSecure, value: { type: 'success', text: `Gateway decision recorded: ${words}. The evaluation has been updated.` } });
    return reply.redirect(baseOf(record), 303);
  });

  // ───────────────────────── finalising

  async function renderFinalise(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, record: Record, status = 200) {
    return page(
      request,
      reply,
      `${T}/finalise.njk`,
      {
        ...common(request),
        ...heading(record),
        title: 'Finalise the evaluation',
        backLink: { href: baseOf(record), text: 'Back' },
        outstanding: record.evaluation.outstanding,
        finalised: record.evaluation.finalisedAt !== null,
        notEvaluating: record.procurement.status !== 'evaluating',
        overallScore: record.evaluation.overallScore === null ? 'No score' : record.evaluation.overallScore.toFixed(1),
        action: `${baseOf(record)}/finalise`,
        overviewHref: baseOf(record),
      },
      status,
    );
  }

  web.get<{ Params: Params }>('/evaluations/:procurementId/responses/:responseId/moderation/finalise', onlyStaff, async (request, reply) => {
    const record = await load(request, reply);
    if (!record) return reply;
    return renderFinalise(request, reply, record);
  });

  web.post<{ Params: Params; Body: FormBody }>('/evaluations/:procurementId/responses/:responseId/moderation/finalise', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    try {
      await finaliseEvaluation({ ...ctxOf(request), responseId: record.response.responseId });
    } catch (error) {
      // Something became outstanding, or evaluation closed, since the confirmation page: show it again as it now stands.
      if (isAppError(error) && error.status === 409) return renderFinalise(request, reply, record, 409);
      throw error;
    }
    putFlash(reply, { ...flashBinding(request, baseOf(record)), secure: config.cookieSecure, value: { type: 'success', text: 'The evaluation has been finalised. Its marks and decisions can no longer change.' } });
    return reply.redirect(baseOf(record), 303);
  });

  // ───────────────────────── an answer amended in reply to a clarification: accept or reject it

  /** The evaluated question whose amendment came from this clarification, if any. */
  const amendmentIn = (record: Record, clarificationId: string) => record.evaluation.questions.find((q) => q.amendment?.clarificationId === clarificationId);

  async function renderAmendment(request: FastifyRequest<{ Params: AmendmentParams }>, reply: FastifyReply, record: Record, form: { typed?: AmendmentTyped; errors?: PageError[]; status?: number } = {}) {
    const evaluated = amendmentIn(record, request.params.clarificationId);
    if (!evaluated?.amendment) return staff.notFound(request, reply);
    const base = baseOf(record);
    const names = await userNames({ db, organisationId: staff.staffOf(request).principal.organisationId, ids: decidersOf(record) });
    const [item] = amendedAnswers({ base, evaluation: { ...record.evaluation, questions: [evaluated] }, definition: record.definition, amendments: record.response.amendments, names });
    const question = findQuestion(record.definition, evaluated.key);
    const errors = form.errors ?? [];
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href);
      return found ? { text: found.text } : undefined;
    };
    return page(
      request,
      reply,
      `${T}/amendment.njk`,
      {
        ...common(request),
        ...heading(record),
        title: `Decide the amended answer to ${titleOf(question, evaluated.key)}`,
        backLink: { href: base, text: 'Back' },
        errors,
        rows: item!.rows,
        tag: item!.tag,
        pending: item!.pending,
        // The supplier's replies about this question, so the moderator reads what was said with the amendment.
        clarifications: record.response.clarifications.filter((c) => c.questionKey === evaluated.key && c.amended),
        open: isOpen(record),
        typed: form.typed ?? { decision: '', reason: '' },
        decisionError: fieldError('#decision'),
        reasonError: fieldError('#reason'),
        action: request.url.split('?')[0],
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: AmendmentParams }>('/evaluations/:procurementId/responses/:responseId/moderation/amendments/:clarificationId', onlyStaff, async (request, reply) => {
    if (!isId(request.params.clarificationId)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    return renderAmendment(request, reply, record);
  });

  web.post<{ Params: AmendmentParams; Body: FormBody }>('/evaluations/:procurementId/responses/:responseId/moderation/amendments/:clarificationId', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    if (!isId(request.params.clarificationId)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    if (!amendmentIn(record, request.params.clarificationId)) return staff.notFound(request, reply);
    const form = readAmendmentForm(body);
    if (!form.input) return renderAmendment(request, reply, record, { typed: form.typed, errors: form.errors, status: 400 });
    try {
      await decideAmendment({ ...ctxOf(request), responseId: record.response.responseId, clarificationId: request.params.clarificationId, ...form.input });
    } catch (error) {
      if (isAppError(error) && error.status === 409) return refused(request, reply, record, error.code);
      if (isAppError(error) && error.status === 404) return staff.notFound(request, reply);
      throw error;
    }
    const text = form.input.decision === 'accept' ? 'Amended answer accepted: it now counts. The evaluation has been updated.' : 'Amended answer rejected: the answer as submitted counts. The evaluation has been updated.';
    putFlash(reply, { ...flashBinding(request, baseOf(record)), secure: config.cookieSecure, value: { type: 'success', text } });
    return reply.redirect(baseOf(record), 303);
  });

  // ───────────────────────── an integrity flag: what the panel did about it

  async function renderFlag(request: FastifyRequest<{ Params: FlagParams }>, reply: FastifyReply, record: Record, form: { typed?: { action: string }; errors?: PageError[]; status?: number } = {}) {
    const { flags } = await integrityFlagsOf({ ...ctxOf(request), responseId: record.response.responseId });
    const flag = flags.find((f) => f.id === request.params.flagId);
    if (!flag) return staff.notFound(request, reply);
    const names = await userNames({ db, organisationId: staff.staffOf(request).principal.organisationId, ids: flag.action ? [flag.action.recordedBy] : [] });
    const recorded = flagActionWords(flag, names);
    const errors = form.errors ?? [];
    return page(
      request,
      reply,
      `${T}/flag.njk`,
      {
        ...common(request),
        ...heading(record),
        title: 'Record what the panel did about an integrity flag',
        backLink: { href: baseOf(record), text: 'Back' },
        errors,
        rows: [
          { key: { text: 'Flag' }, value: { text: flag.message } },
          { key: { text: 'Rule' }, value: { text: flag.ruleText } },
          { key: { text: 'Recorded so far' }, value: { text: recorded.by ? `${recorded.text} (${recorded.by})` : recorded.text } },
        ],
        open: isOpen(record),
        typed: form.typed ?? { action: flag.action?.text ?? '' },
        actionError: errors.find((e) => e.href === '#action') ? { text: errors.find((e) => e.href === '#action')!.text } : undefined,
        action: request.url.split('?')[0],
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: FlagParams }>('/evaluations/:procurementId/responses/:responseId/moderation/flags/:flagId', onlyStaff, async (request, reply) => {
    if (!isFlagId(request.params.flagId)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    return renderFlag(request, reply, record);
  });

  web.post<{ Params: FlagParams; Body: FormBody }>('/evaluations/:procurementId/responses/:responseId/moderation/flags/:flagId', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    if (!isFlagId(request.params.flagId)) return staff.notFound(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    const form = readFlagActionForm(body);
    // renderFlag sends the 404 page for a flag this response does not raise.
    if (!form.input) return renderFlag(request, reply, record, { typed: form.typed, errors: form.errors, status: 400 });
    try {
      await recordFlagAction({ ...ctxOf(request), responseId: record.response.responseId, flagId: request.params.flagId, action: form.input.action });
    } catch (error) {
      if (isAppError(error) && error.status === 409) return refused(request, reply, record, error.code);
      if (isAppError(error) && error.status === 404) return staff.notFound(request, reply);
      throw error;
    }
    putFlash(reply, { ...flashBinding(request, baseOf(record)), secure: config.cookieSecure, value: { type: 'success', text: 'What the panel did about the integrity flag has been recorded.' } });
    return reply.redirect(baseOf(record), 303);
  });
}
