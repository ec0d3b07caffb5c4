import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/auth';
import { isAppError } from '../../platform/errors';
import { ukDayTime } from '../../platform/format';
import { page, putFlash, takeFlash } from '../../platform/web';
import type { ConsoleDeps } from '../accounts';
import { askClarification } from './clarifications.usecases';
import { questionAnchor, readClarificationForm, responseHref, responseSections, STATUS_TAGS, suppliersHref, type ClarificationTyped, type FormBody, type PageError } from './console.models';
import { sendEvidenceFile } from './evidence.api';
import { downloadEvidenceForOfficer } from './evidence.usecases';
import { registerSupplierPages } from './invitations.pages';
import { RESPONSE_READERS } from './responses.access';
import { questionTitle } from './responses.models';
import { isResponseOfProcurement, responseForCouncilPage } from './responses.usecases';

/**
 * The console's pages of one response (`/procurements/:id/responses/:responseId`): the answers as
 * submitted, by section, with confidential ones marked, comments and evidence to download, the
 * submission reference, the clarifications asked with the supplier's replies and amended answers,
 * and asking one. Council staff but the panel's evaluators read (as `GET /v1/responses/{id}`);
 * admins and officers ask. A response is reached only under its own procurement's URL.
 */

const MANAGERS: readonly Role[] = ['admin', 'officer'];
const READERS: readonly Role[] = RESPONSE_READERS.roles;
const isId = (value: string) => z.uuid().safeParse(value).success;

type Params = { id: string; responseId: string };

/** The console's pages about suppliers and their responses. */
export function registerResponsesConsolePages(web: FastifyInstance, deps: ConsoleDeps): void {
  registerSupplierPages(web, deps);
  registerResponsePages(web, deps);
}

function registerResponsePages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, config, mailer, storage, staff } = deps;
  const db = database.db;
  const onlyStaff = { preHandler: staff.requireStaff };
  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal });
  const flashBinding = (request: FastifyRequest, pagePath: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: pagePath, now: now() });
  const forbidden = (request: FastifyRequest, reply: FastifyReply) =>
    page(request, reply, 'console/suppliers/not-allowed.njk', { ...staff.common(request, 'procurements'), title: 'You cannot do this' }, 403);

  /** Refuses a role that may not (403), and ids that are not ids (404); true when the request may go on. */
  async function admit(request: FastifyRequest<{ Params: Params & { evidenceId?: string } }>, reply: FastifyReply, roles: readonly Role[]): Promise<boolean> {
    if (!roles.includes(staff.staffOf(request).user.role)) {
      await forbidden(request, reply);
      return false;
    }
    const { id, responseId, evidenceId } = request.params;
    if (!isId(id) || !isId(responseId) || (evidenceId !== undefined && !isId(evidenceId))) {
      await staff.notFound(request, reply);
      return false;
    }
    return true;
  }

  /** The response under its procurement's URL, or the console's 404 already sent. */
  async function load(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
    try {
      return await responseForCouncilPage({ ...ctxOf(request), procurementId: request.params.id, responseId: request.params.responseId });
    } catch (error) {
      if (isAppError(error) && error.status === 404) {
        await staff.notFound(request, reply);
        return null;
      }
      throw error;
    }
  }

  web.get<{ Params: Params }>('/procurements/:id/responses/:responseId', onlyStaff, async (request, reply) => {
    if (!(await admit(request, reply, READERS))) return reply;
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const { response, procurement, sections, shown, clarifications } = loaded;
    const canAsk = MANAGERS.includes(staff.staffOf(request).user.role) && response.status === 'submitted';
    const laidOut = responseSections({ procurementId: procurement.id, responseId: response.responseId, sections, answers: shown.answers, files: shown.files, clarifications, at: shown.at, canAsk });
    const path = responseHref(procurement.id, response.responseId);
    return page(request, reply, 'console/responses/show.njk', {
      ...staff.common(request, 'procurements'),
      procurement: { id: procurement.id, title: procurement.title, reference: procurement.reference, status: procurement.status },
      backLink: { href: suppliersHref(procurement.id), text: 'Back to suppliers' },
      title: response.supplierName,
      pageTitle: `${response.supplierName}’s response`,
      notice: takeFlash(request, reply, flashBinding(request, path)),
      status: STATUS_TAGS[response.status],
      submitted: shown.kind === 'submission',
      facts: [
        { key: { text: 'Status' }, value: { html: `<strong class="govuk-tag ${STATUS_TAGS[response.status].classes}">${STATUS_TAGS[response.status].text}</strong>` } },
        ...(response.submission
          ? [
              { key: { text: 'Submission reference' }, value: { text: response.submission.reference } },
              { key: { text: 'Submitted' }, value: { text: ukDayTime(response.submission.submittedAt) } },
            ]
          : [{ key: { text: 'Deadline' }, value: { text: ukDayTime(response.deadline) } }]),
        ...(response.companyNumber ? [{ key: { text: 'Companies House number' }, value: { text: response.companyNumber } }] : []),
        { key: { text: 'Required questions answered' }, value: { text: `${response.requiredAnswered} of ${response.requiredQuestions}` } },
        { key: { text: 'Evidence files' }, value: { text: String(shown.files.length) } },
        { key: { text: 'Clarifications' }, value: { text: clarifications.length === 0 ? 'None asked' : `${clarifications.length} asked, ${clarifications.filter((c) => c.status === 'awaiting_reply').length} awaiting a reply` } },
      ],
      sections: laidOut.sections,
      otherClarifications: laidOut.otherClarifications,
    });
  });

  web.get<{ Params: Params & { evidenceId: string } }>('/procurements/:id/responses/:responseId/evidence/:evidenceId', onlyStaff, async (request, reply) => {
    if (!(await admit(request, reply, READERS))) return reply;
    const ctx = ctxOf(request);
    try {
      if (!(await isResponseOfProcurement({ ...ctx, procurementId: request.params.id, responseId: request.params.responseId }))) return staff.notFound(request, reply);
      // The same download as the API's: the file as uploaded, its type, a safe name and its SHA-256.
      return sendEvidenceFile(reply, await downloadEvidenceForOfficer({ ...ctx, storage, responseId: request.params.responseId, id: request.params.evidenceId }));
    } catch (error) {
      if (isAppError(error) && error.status === 404) return staff.notFound(request, reply);
      throw error;
    }
  });

  async function renderClarify(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    loaded: NonNullable<Awaited<ReturnType<typeof load>>>,
    questionKey: string,
    form: { typed?: ClarificationTyped; errors?: PageError[]; status?: number } = {},
  ) {
    const { response, procurement, sections, shown, clarifications } = loaded;
    const section = sections.find((s) => s.questions.some((q) => q.key === questionKey));
    if (!section) return staff.notFound(request, reply);
    const laidOut = responseSections({ procurementId: procurement.id, responseId: response.responseId, sections: [{ ...section, questions: section.questions.filter((q) => q.key === questionKey) }], answers: shown.answers, files: shown.files, clarifications, at: shown.at, canAsk: false });
    const question = laidOut.sections[0]!.questions[0]!;
    const errors = form.errors ?? [];
    const fieldError = (...hrefs: string[]) => {
      const found = errors.find((e) => hrefs.includes(e.href));
      return found ? { text: found.text } : undefined;
    };
    return page(
      request,
      reply,
      'console/responses/clarify.njk',
      {
        ...staff.common(request, 'procurements'),
        procurement: { id: procurement.id, title: procurement.title, reference: procurement.reference, status: procurement.status },
        backLink: { href: `${responseHref(procurement.id, response.responseId)}#${questionAnchor(questionKey)}`, text: `Back to ${response.supplierName}’s response` },
        title: 'Ask the supplier a clarification',
        supplierName: response.supplierName,
        contactEmail: null,
        question,
        questionKey,
        action: `${responseHref(procurement.id, response.responseId)}/clarify`,
        errors,
        typed: form.typed ?? { question: '', allowAmend: false, day: '', month: '', year: '' },
        questionError: fieldError('#question'),
        replyByError: fieldError('#replyBy-day', '#replyBy-month', '#replyBy-year'),
        replyByErrorField: errors.find((e) => e.href.startsWith('#replyBy-'))?.href.slice('#replyBy-'.length) ?? null,
        problem: errors.find((e) => e.href === '#main-content') ? true : false,
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: Params; Querystring: { question?: string } }>('/procurements/:id/responses/:responseId/clarify', onlyStaff, async (request, reply) => {
    if (!(await admit(request, reply, MANAGERS))) return reply;
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    return renderClarify(request, reply, loaded, typeof request.query.question === 'string' ? request.query.question : '');
  });

  web.post<{ Params: Params; Body: FormBody }>('/procurements/:id/responses/:responseId/clarify', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    if (!(await admit(request, reply, MANAGERS))) return reply;
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const questionKey = typeof body.questionKey === 'string' ? body.questionKey : '';
    const form = readClarificationForm(body);
    if (!form.input) return renderClarify(request, reply, loaded, questionKey, { typed: form.typed, errors: form.errors, status: 400 });
    const { response, procurement } = loaded;
    if (!loaded.sections.some((s) => s.questions.some((q) => q.key === questionKey))) return staff.notFound(request, reply);
    try {
      await askClarification({ ...ctxOf(request), mailer, responseId: response.responseId, questionKey, ...form.input });
    } catch (error) {
      if (isAppError(error) && error.code === 'clarifications.reply_by_in_past') {
        return renderClarify(request, reply, loaded, questionKey, { typed: form.typed, errors: [{ href: '#replyBy-day', text: 'The reply-by date must be in the future' }], status: 400 });
      }
      if (isAppError(error) && error.status === 409) {
        const text = error.code === 'invitations.revoked' ? 'This supplier’s link was revoked, so it cannot be asked a clarification.' : `${error.title}. ${error.detail}`;
        return renderClarify(request, reply, loaded, questionKey, { typed: form.typed, errors: [{ href: '#main-content', text }], status: 409 });
      }
      throw error;
    }
    const path = responseHref(procurement.id, response.responseId);
    const question = loaded.sections.flatMap((s) => s.questions).find((q) => q.key === questionKey)!;
    putFlash(reply, { ...flashBinding(request, path), secure: config.cookieSecure, value: { type: 'success', text: `Your clarification about ${questionTitle(question)} has been sent to ${response.supplierName}` } });
    return reply.redirect(`${path}#${questionAnchor(questionKey)}`, 303);
  });
}
