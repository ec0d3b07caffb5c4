import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/auth';
import { isAppError, type AppError } from '../../platform/errors';
import { page, putFlash, takeFlash } from '../../platform/web';
import { userNames, type ConsoleDeps } from '../accounts';
import { getProcurement } from '../procurements';
import { sendEvidenceFile } from '../responses';
import {
  answerOf,
  declarationHref,
  declarationRows,
  declarationsHref,
  EVALUATIONS_HREF,
  markingHref,
  markingQuestions,
  mitigationHref,
  moderationHref,
  nextToMark,
  overviewSections,
  panelCards,
  procurementStatusTag,
  questionHref,
  readDeclarationForm,
  readMarkForm,
  readMitigationForm,
  sideBySide,
  submitHref,
  type DeclarationTyped,
  type FormBody,
  type MarkTyped,
  type PageError,
} from './panel.models';
import { declare, listDeclarations, mitigate, myPanel, myPanels, panelEvidence, panelWorkspace, putMark, submitMarks } from './scoring.usecases';

/**
 * The evaluation panel's pages: "My evaluations" (`/evaluations`), the declaration of interests
 * that comes before anything else (Procurement Act 2023 s.81), blind marking of one response
 * question by question, submitting the set, and the officer's page of declarations where a conflict's
 * mitigation is recorded. Every page calls the API's use cases with the signed-in user as principal,
 * so who may see and do what is the API's rule: a panel member who has not declared is sent to the
 * declaration, and an evaluator never sees another's marks (nor any score) before submitting their own.
 */

const OFFICERS: readonly Role[] = ['admin', 'officer'];
const isId = (value: string) => z.uuid().safeParse(value).success;

type PanelParams = { procurementId: string };
type ResponseParams = PanelParams & { responseId: string };
type QuestionParams = ResponseParams & { questionKey: string };

export function registerPanelPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, config, storage, staff } = deps;
  const db = database.db;
  const onlyStaff = { preHandler: staff.requireStaff };
  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal });
  const flashBinding = (request: FastifyRequest, pagePath: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: pagePath, now: now() });
  const common = (request: FastifyRequest) => staff.common(request, 'evaluations');
  const heading = (p: { id: string; title: string; reference: string | null }) => ({ procurement: { id: p.id, title: p.title, reference: p.reference } });

  /**
   * What a use case refused, as a page: another council's or an unknown id is the console's 404; a
   * member who has not declared (or whose conflict is not mitigated) goes to the declaration; someone
   * not on the panel gets 403. Anything else is the caller's to show (or a real fault).
   */
  async function refused(request: FastifyRequest, reply: FastifyReply, error: unknown, procurementId: string): Promise<FastifyReply | null> {
    if (!isAppError(error)) return null;
    if (error.status === 404 || error.code === 'evaluations.response_not_submitted') return staff.notFound(request, reply);
    if (error.code === 'evaluations.declaration_required' || error.code === 'evaluations.conflict_unmitigated') return reply.redirect(declarationHref(procurementId), 303);
    if (error.code === 'evaluations.not_on_panel' || error.code === 'evaluations.not_moderator')
      return page(request, reply, 'console/evaluations/not-on-panel.njk', { ...common(request), title: 'You are not on this evaluation panel', detail: error.detail }, 403);
    return null;
  }

  const idsOk = (...ids: Array<string | undefined>) => ids.every((id) => id === undefined || isId(id));

  // ─────────────────────────────────────────── my evaluations

  web.get('/evaluations', onlyStaff, async (request, reply) => {
    const panels = await myPanels(ctxOf(request));
    return page(request, reply, 'console/evaluations/index.njk', { ...common(request), title: 'Your evaluations', cards: panelCards(panels), notice: takeFlash(request, reply, flashBinding(request, EVALUATIONS_HREF)) });
  });

  // ─────────────────────────────────────────── declaration of interests

  async function renderDeclaration(request: FastifyRequest<{ Params: PanelParams }>, reply: FastifyReply, form: { typed?: DeclarationTyped; errors?: PageError[]; status?: number } = {}) {
    let panel;
    try {
      panel = await myPanel({ ...ctxOf(request), procurementId: request.params.procurementId });
    } catch (error) {
      const sent = await refused(request, reply, error, request.params.procurementId);
      if (sent) return sent;
      throw error;
    }
    const errors = form.errors ?? [];
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href);
      return found ? { text: found.text } : undefined;
    };
    const d = panel.declaration;
    return page(
      request,
      reply,
      'console/evaluations/declaration.njk',
      {
        ...common(request),
        ...heading(panel.procurement),
        backLink: { href: EVALUATIONS_HREF, text: 'Back to your evaluations' },
        title: 'Declaration of interests',
        notice: takeFlash(request, reply, flashBinding(request, declarationHref(panel.procurement.id))),
        role: panel.role === 'moderator' ? 'moderator' : 'evaluator',
        declaration: d ? declarationRows(d) : null,
        blocked: d ? !d.mayEvaluate : false,
        mayContinue: d?.mayEvaluate ?? false,
        errors,
        typed: form.typed ?? { conflict: '', details: '' },
        conflictError: fieldError('#conflict'),
        detailsError: fieldError('#details'),
        noConflictDetailsError: fieldError('#noConflictDetails'),
        action: declarationHref(panel.procurement.id),
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: PanelParams }>('/evaluations/:procurementId/declaration', onlyStaff, async (request, reply) => {
    if (!idsOk(request.params.procurementId)) return staff.notFound(request, reply);
    return renderDeclaration(request, reply);
  });

  web.post<{ Params: PanelParams; Body: FormBody }>('/evaluations/:procurementId/declaration', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    const { procurementId } = request.params;
    if (!idsOk(procurementId)) return staff.notFound(request, reply);
    const form = readDeclarationForm(body);
    if (!form.input) return renderDeclaration(request, reply, { typed: form.typed, errors: form.errors, status: 400 });
    let declared;
    try {
      declared = await declare({ ...ctxOf(request), procurementId, ...form.input });
    } catch (error) {
      // Declared already (another tab): the page shows the declaration as it stands.
      if (isAppError(error) && error.code === 'evaluations.already_declared') return reply.redirect(declarationHref(procurementId), 303);
      const sent = await refused(request, reply, error, procurementId);
      if (sent) return sent;
      throw error;
    }
    if (!declared.mayEvaluate) return reply.redirect(declarationHref(procurementId), 303);
    putFlash(reply, { ...flashBinding(request, EVALUATIONS_HREF), secure: config.cookieSecure, value: { type: 'success', text: 'Your declaration of interests is recorded. You can now see the responses.' } });
    return reply.redirect(EVALUATIONS_HREF, 303);
  });

  // ─────────────────────────────────────────── the officer's side: declarations and mitigations

  const forbidden = (request: FastifyRequest, reply: FastifyReply) => page(request, reply, 'console/suppliers/not-allowed.njk', { ...staff.common(request, 'procurements'), title: 'You cannot do this' }, 403);

  async function officerLoad(request: FastifyRequest<{ Params: { id: string; declarationId?: string } }>, reply: FastifyReply) {
    if (!OFFICERS.includes(staff.staffOf(request).user.role)) {
      await forbidden(request, reply);
      return null;
    }
    if (!idsOk(request.params.id, request.params.declarationId)) {
      await staff.notFound(request, reply);
      return null;
    }
    try {
      const procurement = await getProcurement({ ...ctxOf(request), id: request.params.id });
      const items = await listDeclarations({ ...ctxOf(request), procurementId: request.params.id });
      const names = await userNames({ db, organisationId: staff.staffOf(request).principal.organisationId, ids: items.map((d) => d.userId) });
      return { procurement, items, names };
    } catch (error) {
      if (isAppError(error) && error.status === 404) {
        await staff.notFound(request, reply);
        return null;
      }
      throw error;
    }
  }

  web.get<{ Params: { id: string } }>('/procurements/:id/declarations', onlyStaff, async (request, reply) => {
    const loaded = await officerLoad(request, reply);
    if (!loaded) return reply;
    const { procurement: p, items, names } = loaded;
    const members = [...p.evaluatorIds, ...(p.moderatorId ? [p.moderatorId] : [])];
    const memberNames = await userNames({ db, organisationId: staff.staffOf(request).principal.organisationId, ids: members });
    const nameOf = (id: string) => names.get(id) ?? memberNames.get(id) ?? 'A user who is no longer in your council';
    return page(request, reply, 'console/evaluations/declarations.njk', {
      ...staff.common(request, 'procurements'),
      ...heading(p),
      backLink: { href: `/procurements/${p.id}`, text: 'Back to the procurement' },
      title: 'Declarations of interest',
      notice: takeFlash(request, reply, flashBinding(request, declarationsHref(p.id))),
      declarations: items.map((d) => ({
        name: nameOf(d.userId),
        role: d.userId === p.moderatorId ? 'Moderator' : 'Evaluator',
        rows: declarationRows(d),
        mitigateHref: d.hasConflict && !d.mitigatedAt ? mitigationHref(p.id, d.id) : null,
      })),
      notDeclared: members.filter((id) => !items.some((d) => d.userId === id)).map(nameOf),
    });
  });

  async function renderMitigation(request: FastifyRequest<{ Params: { id: string; declarationId: string } }>, reply: FastifyReply, form: { typed?: { mitigation: string }; errors?: PageError[]; status?: number } = {}) {
    const loaded = await officerLoad(request, reply);
    if (!loaded) return reply;
    const d = loaded.items.find((x) => x.id === request.params.declarationId);
    if (!d || !d.hasConflict) return staff.notFound(request, reply);
    const errors = form.errors ?? [];
    return page(
      request,
      reply,
      'console/evaluations/mitigation.njk',
      {
        ...staff.common(request, 'procurements'),
        ...heading(loaded.procurement),
        backLink: { href: declarationsHref(loaded.procurement.id), text: 'Back to the declarations' },
        title: 'Record how the conflict is mitigated',
        name: loaded.names.get(d.userId) ?? 'A user who is no longer in your council',
        rows: declarationRows(d),
        done: d.mitigatedAt !== null,
        errors,
        typed: form.typed ?? { mitigation: '' },
        mitigationError: errors[0] ? { text: errors[0].text } : undefined,
        action: mitigationHref(loaded.procurement.id, d.id),
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: { id: string; declarationId: string } }>('/procurements/:id/declarations/:declarationId/mitigation', onlyStaff, async (request, reply) => renderMitigation(request, reply));

  web.post<{ Params: { id: string; declarationId: string }; Body: FormBody }>('/procurements/:id/declarations/:declarationId/mitigation', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    const form = readMitigationForm(body);
    if (!form.input) return renderMitigation(request, reply, { typed: form.typed, errors: form.errors, status: 400 });
    const loaded = await officerLoad(request, reply);
    if (!loaded) return reply;
    const d = loaded.items.find((x) => x.id === request.params.declarationId);
    if (!d || !d.hasConflict) return staff.notFound(request, reply);
    await mitigate({ ...ctxOf(request), procurementId: loaded.procurement.id, declarationId: d.id, mitigation: form.input.mitigation });
    const path = declarationsHref(loaded.procurement.id);
    putFlash(reply, { ...flashBinding(request, path), secure: config.cookieSecure, value: { type: 'success', text: `The mitigation is recorded. ${loaded.names.get(d.userId) ?? 'The panel member'} can now see the responses.` } });
    return reply.redirect(path, 303);
  });

  // ─────────────────────────────────────────── blind marking

  /** The response's marking workspace under its procurement's URL, or the page already sent. */
  async function workspace(request: FastifyRequest<{ Params: ResponseParams }>, reply: FastifyReply) {
    const { procurementId, responseId } = request.params;
    if (!idsOk(procurementId, responseId)) {
      await staff.notFound(request, reply);
      return null;
    }
    try {
      const found = await panelWorkspace({ ...ctxOf(request), responseId });
      // A response is reached only under its own procurement's address.
      if (found.procurement.id !== procurementId) {
        await staff.notFound(request, reply);
        return null;
      }
      const questions = markingQuestions({ definition: found.definition, questionsToMark: found.view.questionsToMark });
      const me = staff.staffOf(request).user.id;
      const own = new Map(found.marks.marks.filter((m) => m.evaluatorId === me).map((m) => [m.questionKey, m]));
      return { ...found, questions, own, me };
    } catch (error) {
      if (await refused(request, reply, error, procurementId)) return null;
      throw error;
    }
  }

  type Workspace = NonNullable<Awaited<ReturnType<typeof workspace>>>;

  const responseHeading = (w: Workspace) => ({ ...heading(w.procurement), supplierName: w.view.supplierName });

  web.get<{ Params: ResponseParams }>('/evaluations/:procurementId/responses/:responseId', onlyStaff, async (request, reply) => {
    const w = await workspace(request, reply);
    if (!w) return reply;
    const { procurementId, responseId } = request.params;
    if (w.view.yourRole === 'moderator') return reply.redirect(moderationHref(procurementId, responseId), 303);
    const submitted = w.view.yourMarksSubmitted;
    const names = submitted ? await userNames({ db, organisationId: staff.staffOf(request).principal.organisationId, ids: w.marks.submittedBy }) : new Map<string, string>();
    const marked = w.questions.filter((q) => w.own.has(q.key)).length;
    return page(request, reply, 'console/evaluations/overview.njk', {
      ...common(request),
      ...responseHeading(w),
      backLink: { href: EVALUATIONS_HREF, text: 'Back to your evaluations' },
      title: submitted ? `Marks for ${w.view.supplierName}’s response` : `Mark ${w.view.supplierName}’s response`,
      notice: takeFlash(request, reply, flashBinding(request, markingHref(procurementId, responseId))),
      evaluating: w.procurement.status === 'evaluating',
      status: procurementStatusTag(w.procurement.status),
      submitted,
      progress: `You have marked ${marked} of ${w.questions.length} question${w.questions.length === 1 ? '' : 's'}.`,
      allMarked: marked === w.questions.length,
      empty: w.questions.length === 0,
      sections: overviewSections({ procurementId, responseId, questions: w.questions, own: w.own }),
      firstHref: w.questions[0] ? questionHref(procurementId, responseId, (w.questions.find((q) => !w.own.has(q.key)) ?? w.questions[0]).key) : null,
      submitHref: submitHref(procurementId, responseId),
      sideBySide: submitted ? sideBySide({ questions: w.questions, marks: w.marks.marks, submittedBy: w.marks.submittedBy, names, me: w.me }) : null,
    });
  });

  function renderQuestion(request: FastifyRequest<{ Params: QuestionParams }>, reply: FastifyReply, w: Workspace, form: { typed?: MarkTyped; errors?: PageError[]; status?: number } = {}) {
    const { procurementId, responseId, questionKey } = request.params;
    const at = w.questions.findIndex((q) => q.key === questionKey);
    const question = w.questions[at]!;
    const mine = w.own.get(questionKey);
    const typed = form.typed ?? { score: mine ? String(mine.score) : '', justification: mine?.justification ?? '' };
    const errors = form.errors ?? [];
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href);
      return found ? { text: found.text } : undefined;
    };
    const previous = w.questions[at - 1];
    const next = w.questions[at + 1];
    return page(
      request,
      reply,
      'console/evaluations/question.njk',
      {
        ...common(request),
        ...responseHeading(w),
        backLink: { href: markingHref(procurementId, responseId), text: 'Back to the questions' },
        title: question.title,
        pageTitle: `${question.title} – ${w.view.supplierName}`,
        position: `Question ${at + 1} of ${w.questions.length}`,
        question,
        answer: answerOf({ definition: w.definition, view: w.view, details: w.details, questionKey, submittedAt: w.submittedAt, procurementId }),
        submitted: w.view.yourMarksSubmitted,
        ownMark: mine ? { score: mine.score, justification: mine.justification } : null,
        errors,
        typed,
        scoreItems: question.descriptors.map((d) => ({ value: d.value, text: d.label, hint: { text: d.text }, checked: typed.score === d.value })),
        scoreError: fieldError('#score'),
        justificationError: fieldError('#justification'),
        action: questionHref(procurementId, responseId, questionKey),
        previousHref: previous ? questionHref(procurementId, responseId, previous.key) : null,
        previousTitle: previous?.title ?? null,
        nextHref: next ? questionHref(procurementId, responseId, next.key) : null,
        nextTitle: next?.title ?? null,
        overviewHref: markingHref(procurementId, responseId),
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: QuestionParams }>('/evaluations/:procurementId/responses/:responseId/questions/:questionKey', onlyStaff, async (request, reply) => {
    const w = await workspace(request, reply);
    if (!w) return reply;
    if (w.view.yourRole === 'moderator') return reply.redirect(moderationHref(request.params.procurementId, request.params.responseId), 303);
    if (!w.questions.some((q) => q.key === request.params.questionKey)) return staff.notFound(request, reply);
    return renderQuestion(request, reply, w);
  });

  web.post<{ Params: QuestionParams; Body: FormBody }>('/evaluations/:procurementId/responses/:responseId/questions/:questionKey', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    const w = await workspace(request, reply);
    if (!w) return reply;
    const { procurementId, responseId, questionKey } = request.params;
    if (!w.questions.some((q) => q.key === questionKey)) return staff.notFound(request, reply);
    const form = readMarkForm(body);
    if (!form.input) return renderQuestion(request, reply, w, { typed: form.typed, errors: form.errors, status: 400 });
    try {
      // An older copy of this page (another tab) simply overwrites this evaluator's own mark: it is the same person's latest word.
      await putMark({ ...ctxOf(request), responseId, questionKey, ...form.input });
    } catch (error) {
      if (isAppError(error) && (error.status === 409 || error.status === 422 || error.status === 403) && !['evaluations.declaration_required', 'evaluations.conflict_unmitigated'].includes(error.code)) {
        return renderQuestion(request, reply, w, { typed: form.typed, errors: [{ href: '#score', text: refusal(error) }], status: error.status });
      }
      if (await refused(request, reply, error, procurementId)) return reply;
      throw error;
    }
    if (w.view.yourMarksSubmitted) {
      putFlash(reply, { ...flashBinding(request, markingHref(procurementId, responseId)), secure: config.cookieSecure, value: { type: 'success', text: 'Your justification is reworded; your mark is unchanged.' } });
      return reply.redirect(markingHref(procurementId, responseId), 303);
    }
    const marked = new Set([...w.own.keys(), questionKey]);
    const next = nextToMark({ questions: w.questions, marked, after: questionKey });
    if (next) return reply.redirect(questionHref(procurementId, responseId, next), 303);
    putFlash(reply, { ...flashBinding(request, markingHref(procurementId, responseId)), secure: config.cookieSecure, value: { type: 'success', text: 'You have marked every question. Check your marks, then submit them.' } });
    return reply.redirect(markingHref(procurementId, responseId), 303);
  });

  // ─────────────────────────────────────────── submitting the set

  function renderSubmit(request: FastifyRequest<{ Params: ResponseParams }>, reply: FastifyReply, w: Workspace, form: { errors?: PageError[]; status?: number } = {}) {
    const { procurementId, responseId } = request.params;
    const missing = w.questions.filter((q) => !w.own.has(q.key));
    return page(
      request,
      reply,
      'console/evaluations/submit.njk',
      {
        ...common(request),
        ...responseHeading(w),
        backLink: { href: markingHref(procurementId, responseId), text: 'Back to the questions' },
        title: w.view.yourMarksSubmitted ? 'Marks submitted' : 'Submit your marks',
        submitted: w.view.yourMarksSubmitted,
        errors: form.errors ?? [],
        missing: missing.map((q) => ({ href: questionHref(procurementId, responseId, q.key), text: q.title })),
        count: w.questions.length,
        action: submitHref(procurementId, responseId),
        overviewHref: markingHref(procurementId, responseId),
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: ResponseParams }>('/evaluations/:procurementId/responses/:responseId/submit', onlyStaff, async (request, reply) => {
    const w = await workspace(request, reply);
    if (!w) return reply;
    if (w.view.yourRole === 'moderator') return reply.redirect(moderationHref(request.params.procurementId, request.params.responseId), 303);
    return renderSubmit(request, reply, w);
  });

  web.post<{ Params: ResponseParams; Body: FormBody }>('/evaluations/:procurementId/responses/:responseId/submit', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    const w = await workspace(request, reply);
    if (!w) return reply;
    const { procurementId, responseId } = request.params;
    try {
      await submitMarks({ ...ctxOf(request), responseId });
    } catch (error) {
      if (isAppError(error) && error.code === 'evaluations.marks_incomplete') {
        const titles = new Map(w.questions.map((q) => [q.key, q]));
        const errors = (error.errors ?? []).map((p) => ({ href: p.code && titles.has(p.code) ? questionHref(procurementId, responseId, p.code) : '#missing', text: `Mark ${p.code && titles.has(p.code) ? titles.get(p.code)!.title : 'every question'}` }));
        return renderSubmit(request, reply, w, { errors, status: 422 });
      }
      if (isAppError(error) && (error.status === 409 || error.status === 403) && !['evaluations.declaration_required', 'evaluations.conflict_unmitigated'].includes(error.code)) {
        return renderSubmit(request, reply, w, { errors: [{ href: '#submit', text: refusal(error) }], status: error.status });
      }
      if (await refused(request, reply, error, procurementId)) return reply;
      throw error;
    }
    return reply.redirect(submitHref(procurementId, responseId), 303);
  });

  // ─────────────────────────────────────────── evidence

  web.get<{ Params: ResponseParams & { evidenceId: string } }>('/evaluations/:procurementId/responses/:responseId/evidence/:evidenceId', onlyStaff, async (request, reply) => {
    const { procurementId, responseId, evidenceId } = request.params;
    if (!idsOk(procurementId, responseId, evidenceId)) return staff.notFound(request, reply);
    try {
      const found = await panelWorkspace({ ...ctxOf(request), responseId });
      if (found.procurement.id !== procurementId) return staff.notFound(request, reply);
      // The same download as the API's panel route: the file as submitted, its type, a safe name and its SHA-256.
      return sendEvidenceFile(reply, await panelEvidence({ ...ctxOf(request), responseId, evidenceId, storage }));
    } catch (error) {
      if (await refused(request, reply, error, procurementId)) return reply;
      throw error;
    }
  });
}

/** What the use case refuses, as the marking pages say it. */
function refusal(error: AppError): string {
  switch (error.code) {
    case 'evaluations.marks_submitted':
      return 'You have submitted your marks for this response, so they can no longer change. The moderator records the consensus.';
    case 'evaluations.not_evaluating':
      return `Marks can be saved only while the procurement is being evaluated. ${error.detail}`;
    default:
      return error.detail ? `${error.title}. ${error.detail}` : error.title;
  }
}
