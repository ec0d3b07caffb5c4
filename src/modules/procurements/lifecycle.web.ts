import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError } from '../../platform/errors';
import { nextStatus } from './procurements.models';
import { transitionBodySchema } from './procurements.schemas';
import * as usecases from './procurements.usecases';
import type { ProcurementWeb } from './web.context';
import { LIFECYCLE_PAGES, LIFECYCLE_TARGET, lifecycleConsequences, messageFor, statusPhrase, triageId, type LifecycleAction, type PageError } from './web.models';

/**
 * Open, close, cancel and start evaluation: each a confirmation page (GET) and its POST, which
 * calls the same transition use case as the API. The use case's refusals (triage not finished, a
 * deadline already past, a status that does not allow it) are shown on the page as an error
 * summary. A repeated POST (a double click, the back button) that finds the procurement already
 * moved on is answered with the procurement's page, never an error.
 */

const ACTIONS: LifecycleAction[] = ['open', 'close', 'cancel', 'start-evaluation'];
const VERBS: Record<LifecycleAction, string> = { open: 'opened', close: 'closed', cancel: 'cancelled', 'start-evaluation': 'moved to evaluation' };

export function registerLifecyclePages(web: FastifyInstance, pages: ProcurementWeb): void {
  const { staff, ctx, canChange, render, notAllowed, load, definitionOf, factsOf, forChange, versionOf, done } = pages;

  /** The use case's refusal in words, each linking to where it can be put right. */
  async function refusal(request: FastifyRequest, action: LifecycleAction, p: usecases.ProcurementDto, error: AppError): Promise<PageError[]> {
    const base = `/procurements/${p.id}`;
    switch (error.code) {
      case 'procurements.triage_incomplete': {
        const definition = await definitionOf(request, p);
        const missing = new Set((error.errors ?? []).map((e) => e.path.replace(/^\/triage\//, '')));
        return definition.triage.questions.filter((q) => missing.has(q.key)).map((q) => ({ href: `${base}/triage#${triageId(q.key)}`, text: `Answer the triage question “${q.text}” before opening` }));
      }
      case 'procurements.deadline_in_past':
        return [{ href: `${base}/details#deadline-day`, text: 'The deadline has passed: set a later one before opening' }];
      case 'procurements.questionnaire_not_usable':
        return [{ href: `${base}/details#questionnaireId`, text: `Choose another questionnaire before opening: ${error.detail}` }];
      case 'procurements.stale':
        return [{ href: '#main-content', text: 'Someone changed this procurement after you opened this page. Check the page again and confirm.' }];
      case 'procurements.invalid_transition':
        return [{ href: base, text: `${statusPhrase(p.status)}, so it cannot be ${VERBS[action]} now` }];
      default:
        return [{ href: '#main-content', text: error.detail }];
    }
  }

  async function renderConfirm(
    request: FastifyRequest,
    reply: FastifyReply,
    action: LifecycleAction,
    p: usecases.ProcurementDto,
    { errors = [], reason = '' }: { errors?: PageError[]; reason?: string } = {},
  ) {
    const facts = (await factsOf(request, [p.id])).get(p.id);
    const allowed = nextStatus(p.status, action) !== null;
    const shown: PageError[] = allowed || errors.length > 0 ? errors : [{ href: `/procurements/${p.id}`, text: `${statusPhrase(p.status)}, so it cannot be ${VERBS[action]} now` }];
    const pageText = LIFECYCLE_PAGES[action];
    return render(
      request,
      reply,
      'confirm.njk',
      {
        title: pageText.title,
        backLink: { href: `/procurements/${p.id}` },
        procurement: p,
        action: `/procurements/${p.id}/${action}`,
        version: p.version,
        allowed,
        consequences: allowed ? lifecycleConsequences(action, p, facts) : [],
        warning: pageText.warning,
        button: pageText.button,
        askReason: action === 'cancel',
        reason,
        errors: shown,
        fieldErrors: { reason: messageFor(shown, '#reason') },
      },
      shown.length === 0 ? 200 : allowed ? 400 : 409,
    );
  }

  for (const action of ACTIONS) {
    const path = `/procurements/:id/${action}`;

    web.get(path, { preHandler: staff.requireStaff }, async (request, reply) => {
      const loaded = await load(request, reply);
      if (!loaded) return reply;
      const p = loaded.procurement;
      if (!canChange(request)) return notAllowed(request, reply, `/procurements/${p.id}`);
      // Back to a confirmation already acted on: the procurement's page says where it is.
      if (p.status === LIFECYCLE_TARGET[action]) return reply.redirect(`/procurements/${p.id}`, 303);
      return renderConfirm(request, reply, action, p);
    });

    web.post(path, { preHandler: staff.requireStaff }, async (request, reply) => {
      const found = await forChange(request, reply);
      if (!found) return reply;
      const { procurement: p, form } = found;
      const base = `/procurements/${p.id}`;
      if (p.status === LIFECYCLE_TARGET[action]) return reply.redirect(base, 303);
      const typedReason = (Array.isArray(form.reason) ? (form.reason[0] ?? '') : (form.reason ?? '')).replace(/\r\n?/g, '\n').trim();
      if (action === 'cancel' && typedReason === '') return renderConfirm(request, reply, action, p, { errors: [{ href: '#reason', text: 'Enter why you are cancelling the procurement' }] });
      const body = transitionBodySchema.safeParse(typedReason ? { reason: typedReason } : {});
      if (!body.success) return renderConfirm(request, reply, action, p, { reason: typedReason, errors: [{ href: '#reason', text: 'The reason must be 2,000 characters or fewer' }] });
      try {
        await usecases.transition({ ...ctx(request), id: p.id, transition: action, ifMatch: versionOf(form), reason: body.data?.reason });
      } catch (error) {
        if (!isAppError(error) || ![409, 412, 422].includes(error.status)) throw error;
        // A second submission of the same confirmation, or the back button: it is done already.
        const now = await usecases.getProcurement({ ...ctx(request), id: p.id });
        if (now.status === LIFECYCLE_TARGET[action]) return reply.redirect(base, 303);
        return renderConfirm(request, reply, action, now, { reason: typedReason, errors: await refusal(request, action, now, error) });
      }
      return done(request, reply, base, LIFECYCLE_PAGES[action].done);
    });
  }
}
