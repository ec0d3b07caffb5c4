import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError } from '../../platform/errors';
import { runResponseChanged } from '../../platform/http/deps';
import { page } from '../../platform/web';
import { submitResponse } from './responses.usecases';
import type { FormBody } from './web.models';
import { evidenceHref, questionTitle, sectionHref, summaryRows, type WebCtx, type WebDeps } from './web.context';

/** Check your answers, the declaration and submission, and the confirmation. */


export function registerSubmissionPages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now, hooks } = deps;
  const db = database.db;
  const { load, csrfOk, forbidden, common, savedNotice } = deps.web;
  const renderCheck = (request: FastifyRequest, reply: FastifyReply, ctx: WebCtx, declarationError?: string) => {
    const saved = (request.query as { saved?: string } | undefined)?.saved;
    const questions = new Map(ctx.view.sections.flatMap((s) => s.questions.map((q) => [q.key, { q, s }] as const)));
    return page(request, reply, 'respond/check.njk', {
      ...common(ctx),
      // A bid-team colleague reads its sections' answers here; only the lead submits.
      title: ctx.readOnly || ctx.session.principal.teamMember ? 'Your answers' : 'Check your answers before submitting',
      backLink: { href: '/respond', text: 'Back to your questionnaire' },
      sections: ctx.view.sections.map((section) => ({ title: section.ref ? `${section.ref}. ${section.title}` : section.title, rows: summaryRows({ section, view: ctx.view, change: !ctx.readOnly }) })),
      missing: ctx.view.missing.map((m) => {
        const found = questions.get(m.code);
        const href = found ? (m.path.startsWith('/evidence/') ? evidenceHref(found.s.key, m.code) : `${sectionHref(found.s.key)}?return=check#question-${m.code}`) : '/respond';
        return { href, text: `${found ? questionTitle(found.q) : m.code}: ${m.path.startsWith('/evidence/') ? 'upload the evidence asked for' : 'answer this question'}` };
      }),
      readOnly: ctx.readOnly,
      saved: saved && !declarationError ? savedNotice(ctx, saved) : null,
      submissionKey: randomUUID(),
      errors: declarationError ? [{ href: '#declaration', text: declarationError }] : [],
      declarationError: declarationError ? { text: declarationError } : undefined,
    }, declarationError ? 400 : 200);
  };

  web.get('/respond/check', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    return ctx ? renderCheck(request, reply, ctx) : reply;
  });

  web.post<{ Body: FormBody }>('/respond/submit', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const body = (request.body ?? {}) as FormBody;
    if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
    if (body.declaration !== 'yes') return renderCheck(request, reply, ctx, 'Confirm the declaration to submit your response');
    try {
      await submitResponse({ db, now: now(), principal: ctx.session.principal, idempotencyKey: typeof body.submissionKey === 'string' ? body.submissionKey.slice(0, 100) : undefined, onChanged: runResponseChanged(hooks.responseChanged) });
    } catch (error) {
      if (!isAppError(error)) throw error;
      return reply.redirect((error as AppError).code === 'responses.incomplete' ? '/respond/check' : '/respond', 303);
    }
    return reply.redirect('/respond/confirmation', 303);
  });

  web.get('/respond/confirmation', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    if (!ctx.view.submission) return reply.redirect('/respond', 303);
    return page(request, reply, 'respond/confirmation.njk', { ...common(ctx), title: 'Response submitted', reference: ctx.view.submission.reference, submittedAt: ctx.view.submission.submittedAt });
  });
}
