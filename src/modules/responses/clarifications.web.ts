import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError } from '../../platform/errors';
import { runResponseChanged } from '../../platform/http/deps';
import { page } from '../../platform/web';
import * as clarificationsUsecases from './clarifications.usecases';
import type { FormBody } from './web.models';
import { questionTitle, type WebCtx, type WebDeps } from './web.context';

/** The council's questions about submitted answers, and the supplier's replies. */

export function registerClarificationPages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now, hooks } = deps;
  const db = database.db;
  const { load, csrfOk, forbidden, common } = deps.web;
  const renderClarifications = async (request: FastifyRequest, reply: FastifyReply, ctx: WebCtx, failed?: { id: string; reply: string; amended: string; replyError?: string; amendError?: string }) => {
    const items = await clarificationsUsecases.listOwnClarifications({ db, principal: ctx.session.principal });
    const questions = new Map(ctx.view.sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const)));
    const errors = failed ? [...(failed.replyError ? [{ href: `#reply-${failed.id}`, text: failed.replyError }] : []), ...(failed.amendError ? [{ href: `#amended-${failed.id}`, text: failed.amendError }] : [])] : [];
    return page(
      request,
      reply,
      'respond/clarifications.njk',
      {
        ...common(ctx),
        title: 'Questions from the council',
        backLink: { href: '/respond', text: 'Back to your questionnaire' },
        errors,
        items: items.map((c) => {
          const q = questions.get(c.questionKey);
          return {
            id: c.id,
            questionTitle: q ? questionTitle(q) : c.questionKey,
            allowAmend: c.allowAmend && (!q || ['short_text', 'long_text', 'number', 'url', 'email'].includes(q.type)),
            open: c.status === 'awaiting_reply',
            typedReply: failed?.id === c.id ? failed.reply : '',
            typedAmended: failed?.id === c.id ? failed.amended : '',
            replyError: failed?.id === c.id && failed.replyError ? { text: failed.replyError } : undefined,
            amendError: failed?.id === c.id && failed.amendError ? { text: failed.amendError } : undefined,
            rows: [
              { key: { text: 'The council asked' }, value: { text: c.question } },
              ...(c.reply ? [{ key: { text: 'You replied' }, value: { text: c.reply } }] : []),
              ...(c.amendedAnswer ? [{ key: { text: 'Amended answer' }, value: { text: String(c.amendedAnswer.value) } }] : []),
            ],
          };
        }),
      },
      failed ? 400 : 200,
    );
  };

  web.get('/respond/clarifications', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    return ctx ? renderClarifications(request, reply, ctx) : reply;
  });

  web.post<{ Params: { id: string }; Body: FormBody }>('/respond/clarifications/:id', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const body = (request.body ?? {}) as FormBody;
    if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
    const text = typeof body.reply === 'string' ? body.reply.trim() : '';
    const amended = typeof body.amendedAnswer === 'string' ? body.amendedAnswer.trim() : '';
    if (!text) return renderClarifications(request, reply, ctx, { id: request.params.id, reply: text, amended, replyError: 'Enter your reply' });
    const clarification = (await clarificationsUsecases.listOwnClarifications({ db, principal: ctx.session.principal })).find((c) => c.id === request.params.id);
    if (!clarification) return reply.redirect('/respond/clarifications', 303);
    const q = ctx.view.sections.flatMap((s) => s.questions).find((x) => x.key === clarification.questionKey);
    const value = amended === '' ? undefined : q?.type === 'number' && Number.isFinite(Number(amended)) ? Number(amended) : amended;
    try {
      await clarificationsUsecases.replyToClarification({
        db,
        now: now(),
        principal: ctx.session.principal,
        id: clarification.id,
        reply: text,
        ...(value === undefined ? {} : { amendedAnswer: { value } }),
        onChanged: runResponseChanged(hooks.responseChanged),
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      const e = error as AppError;
      if (e.status === 422) return renderClarifications(request, reply, ctx, { id: clarification.id, reply: text, amended, amendError: (e.errors?.[0]?.message ?? e.title).replace(/^[^:]*: /, '') });
      return reply.redirect('/respond/clarifications', 303);
    }
    return reply.redirect(`/respond/clarifications#clarification-${clarification.id}`, 303);
  });
}
