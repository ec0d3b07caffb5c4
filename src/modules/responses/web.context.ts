import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SupplierPrincipal } from '../../platform/auth';
import type { AppDeps } from '../../platform/http/deps';
import { page } from '../../platform/web';
import type { QuestionnaireDefinition } from '../questionnaires';
import { ukDay } from '../../platform/format';
import { contactFor } from '../accounts';
import { questionTitle, sectionTitle, type SupplierQuestion, type SupplierSection } from './responses.models';
import { answerText } from './web.models';
import { supplierResponseAndDefinition, type SupplierResponseView } from './responses.usecases';
import { csrfMatches, resolveSupplierSession, type ResolvedSession } from './sessions.usecases';

/**
 * What every page of the supplier web form shares: the session cookie, loading the supplier and
 * its response for a request, the CSRF check, the addresses of the pages, and the fields every
 * page's template reads. The pages themselves live in the `*.web.ts` files beside this one.
 */

export const SESSION_COOKIE = 'aidd_session';

export type WebSession = { principal: SupplierPrincipal; csrfToken: string };
export type WebCtx = { council: string; view: SupplierResponseView; definition: QuestionnaireDefinition; session: WebSession; readOnly: string | null };
/** What each group of pages is registered with: the app's dependencies and the shared helpers. */
export type WebDeps = AppDeps & { web: WebHelpers };

export const sectionHref = (key: string) => `/respond/sections/${encodeURIComponent(key)}`;
export const evidenceHref = (section: string, question: string) => `${sectionHref(section)}/evidence/${encodeURIComponent(question)}`;
export const RECEIPT_HREF = '/respond/receipt.pdf';
export { questionTitle, sectionTitle } from './responses.models';
/** For the few labels built here as HTML (the rest go to the templates as text, escaped there). */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Visible text, plus the question for screen readers: every question has these same controls. */
export const withQuestion = (visible: string, question: string) => `${escapeHtml(visible)}<span class="govuk-visually-hidden"> (${escapeHtml(question)})</span>`;

/**
 * Why the supplier can only read: submitted, withdrawn, or past its deadline or the procurement's
 * close. A bid-team colleague did not submit or withdraw: the lead did, for the company.
 */
export function readOnlyReason(view: SupplierResponseView, now: Date, colleague = false): string | null {
  const who = colleague ? `${view.supplier.name}` : 'You';
  if (view.response.status === 'submitted' && view.submission)
    return `${who} submitted ${colleague ? 'its' : 'your'} response on ${ukDay(view.submission.submittedAt)} (reference ${view.submission.reference}). You can no longer change your answers.`;
  if (view.response.status === 'withdrawn') return `${who} withdrew ${colleague ? 'its' : 'your'} response. You can no longer change your answers.`;
  if (new Date(view.procurement.deadline) <= now || view.procurement.status !== 'open') return 'The deadline for answers has passed. You can no longer change your answers.';
  return null;
}

/** An answer as the check page shows it: the value, whether it is confidential, its comment, and any evidence files beside it. */
function summaryValue(q: SupplierQuestion, view: SupplierResponseView): string {
  const files = view.evidence.filter((e) => e.questionKey === q.key);
  const answer = view.answers[q.key];
  const value = answerText(q, answer, files) + (answer?.confidential ? ' (commercially confidential)' : '') + (answer?.comment ? `. Comment: ${answer.comment}` : '');
  return q.type !== 'file' && files.length > 0 ? `${value}. Evidence: ${files.map((f) => f.filename).join(', ')}` : value;
}

export function summaryRows({ section, view, change }: { section: SupplierSection; view: SupplierResponseView; change: boolean }) {
  return section.questions.map((q) => ({
    key: { text: questionTitle(q) },
    value: { text: summaryValue(q, view) },
    ...(change ? { actions: { items: [{ href: `${sectionHref(section.key)}?return=check#question-${q.key}`, text: 'Change', visuallyHiddenText: q.text }] } } : {}),
  }));
}


export type WebHelpers = ReturnType<typeof webHelpers>;

export function webHelpers({ database, now }: AppDeps) {
  const db = database.db;
  const linkProblem = (request: FastifyRequest, reply: FastifyReply, reason: string, council: string | null, status: number) =>
    page(request, reply, 'respond/link-problem.njk', { title: reason === 'session' ? 'Open your invitation link again' : 'This link does not work', reason, council }, status);

  /** The live session the request's cookie stands for, or null. */
  const sessionOf = async (request: FastifyRequest): Promise<ResolvedSession | null> => {
    const cookie = request.cookies[SESSION_COOKIE];
    return cookie ? resolveSupplierSession({ db, now: now(), session: cookie }) : null;
  };
  /** A live session's supplier, its response and the questionnaire, as every page reads them. */
  const contextOf = async (session: ResolvedSession): Promise<WebCtx> => {
    const { view, definition } = await supplierResponseAndDefinition({ db, now: now(), principal: session.principal });
    const council = (await contactFor({ db, organisationId: session.principal.organisationId, userId: null })).council;
    return { council, view, definition, session, readOnly: readOnlyReason(view, now(), Boolean(session.principal.teamMember)) };
  };
  /** The session's supplier and its response, or the page that says to open the link again. */
  const load = async (request: FastifyRequest, reply: FastifyReply): Promise<WebCtx | null> => {
    const session = await sessionOf(request);
    if (!session) {
      await linkProblem(request, reply, 'session', null, 401);
      return null;
    }
    return contextOf(session);
  };
  /** A POST must carry the session's CSRF token. */
  const csrfOk = (ctx: WebCtx, given: unknown) => csrfMatches(ctx.session.csrfToken, given);
  const forbidden = (request: FastifyRequest, reply: FastifyReply, ctx: WebCtx) =>
    page(request, reply, 'respond/link-problem.njk', { title: 'Open your invitation link again', reason: 'session', council: ctx.council }, 403);
  const common = (ctx: WebCtx) => ({ council: ctx.council, procurement: ctx.view.procurement, csrfToken: ctx.session.csrfToken, supplierName: ctx.view.supplier.name, signedIn: true, receiptHref: ctx.view.submission ? RECEIPT_HREF : null, colleague: Boolean(ctx.session.principal.teamMember) });
  const sectionOf = (ctx: WebCtx, key: string) => ctx.view.sections.find((s) => s.key === key);
  /** "Your answers to 3. Security have been saved", and what that section still needs, for the page a save lands on. */
  const savedNotice = (ctx: WebCtx, key: unknown) => {
    const section = typeof key === 'string' ? sectionOf(ctx, key) : undefined;
    if (!section) return null;
    const keys = new Set(section.questions.map((q) => q.key));
    const blocking = ctx.view.missing.filter((m) => keys.has(m.code)).length;
    return {
      type: 'success',
      heading: `Your answers to ${sectionTitle(section)} have been saved`,
      outstanding: blocking === 0 ? null : { text: `You have not answered ${blocking} required question${blocking === 1 ? '' : 's'} in that section yet, or uploaded the files it asks for.`, href: `${sectionHref(section.key)}?unanswered=1`, link: `Go to ${sectionTitle(section)}` },
    };
  };
  return { linkProblem, load, sessionOf, contextOf, csrfOk, forbidden, common, sectionOf, savedNotice };
}
