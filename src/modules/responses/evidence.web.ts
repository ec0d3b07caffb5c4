import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError } from '../../platform/errors';
import { fileSize } from '../../platform/format';
import { page } from '../../platform/web';
import { receiveEvidence } from './evidence.api';
import { filenameWithKind } from './evidence.models';
import * as evidenceUsecases from './evidence.usecases';
import type { SupplierQuestion, SupplierSection } from './responses.models';
import type { FormBody } from './web.models';
import { evidenceHref, questionTitle, sectionHref, type WebCtx, type WebDeps } from './web.context';

/** Evidence files for one question: upload, list and remove. */

/** What the page says once, after an upload or a removal (the page it redirects to shows it, then forgets it). */
const NOTICE_COOKIE = 'aidd_notice';

export function registerEvidencePages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now, config, storage } = deps;
  const db = database.db;
  const { load, csrfOk, forbidden, common, sectionOf } = deps.web;
  const notify = (reply: FastifyReply, text: string) => reply.setCookie(NOTICE_COOKIE, text, { path: '/respond', httpOnly: true, secure: config.cookieSecure, sameSite: 'lax', maxAge: 60 });
  const takeNotice = (request: FastifyRequest, reply: FastifyReply) => {
    const text = request.cookies[NOTICE_COOKIE];
    if (text === undefined) return null;
    reply.clearCookie(NOTICE_COOKIE, { path: '/respond' });
    return { type: 'success', text: text.slice(0, 300) };
  };
  const renderEvidence = async (request: FastifyRequest, reply: FastifyReply, ctx: WebCtx, section: SupplierSection, q: SupplierQuestion, fileError?: string, status = 200) =>
    page(
      request,
      reply,
      'respond/evidence.njk',
      {
        ...common(ctx),
        title: 'Evidence files',
        pageTitle: `Evidence files for ${questionTitle(q)}`,
        question: q,
        backLink: { href: sectionHref(section.key), text: 'Back to the section' },
        back: `${sectionHref(section.key)}#question-${q.key}`,
        action: evidenceHref(section.key, q.key),
        fileLabel: `Upload a file for ${questionTitle(q)}`,
        notice: fileError ? null : takeNotice(request, reply),
        files: ctx.view.evidence.filter((e) => e.questionKey === q.key).map((f) => ({ ...f, shownName: filenameWithKind(f), size: fileSize(f.sizeBytes) })),
        maxMb: Math.floor(config.evidenceMaxBytes / (1024 * 1024)),
        readOnly: ctx.readOnly,
        errors: fileError ? [{ href: '#file', text: fileError }] : [],
        fileError: fileError ? { text: fileError } : undefined,
      },
      status,
    );
  const evidenceTarget = (ctx: WebCtx, params: { key: string; question: string }) => {
    const section = sectionOf(ctx, params.key);
    const q = section?.questions.find((x) => x.key === params.question);
    return section && q && (q.type === 'file' || q.evidence?.requested) ? { section, q } : null;
  };

  web.get<{ Params: { key: string; question: string } }>('/respond/sections/:key/evidence/:question', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const target = evidenceTarget(ctx, request.params);
    if (!target) return reply.redirect('/respond', 303);
    return renderEvidence(request, reply, ctx, target.section, target.q);
  });

  web.post<{ Params: { key: string; question: string } }>('/respond/sections/:key/evidence/:question', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const target = evidenceTarget(ctx, request.params);
    if (!target) return reply.redirect('/respond', 303);
    let uploaded: Awaited<ReturnType<typeof receiveEvidence<{ evidence: { filename: string } }>>>;
    try {
      uploaded = await receiveEvidence(request, deps, {
        principal: ctx.session.principal,
        questionKey: target.q.key,
        // The form sends its token before the file, so a forged post is refused before any byte is stored.
        beforeFile: (fields) => csrfOk(ctx, fields._csrf),
        record: ({ staged }) => evidenceUsecases.recordEvidence({ db, now: now(), principal: ctx.session.principal, storage, questionKey: target.q.key, staged }),
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      const e = error as AppError;
      // A form posted without a file still carries its CSRF token; without one it is refused like any other.
      const text =
        e.code === 'evidence.invalid_upload'
          ? 'Select a file'
          : e.code === 'evidence.unsupported_type'
            ? 'The selected file must be a PDF, DOCX, XLSX, ODT, PNG, JPEG, TXT or CSV'
            : e.code === 'evidence.empty'
              ? 'The selected file is empty'
              : `${e.title}${e.detail ? `. ${e.detail}` : ''}`;
      if (e.headers) reply.headers(e.headers);
      // Too many uploads in flight keep their status (429, 503) and Retry-After, on the page.
      return renderEvidence(request, reply, ctx, target.section, target.q, text, e.status === 429 || e.status === 503 ? e.status : 400);
    }
    if (uploaded.refused) return forbidden(request, reply, ctx);
    notify(reply, `${uploaded.result.evidence.filename} has been uploaded`);
    return reply.redirect(evidenceHref(target.section.key, target.q.key), 303);
  });

  web.post<{ Params: { id: string }; Body: FormBody }>('/respond/evidence/:id/remove', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const body = (request.body ?? {}) as FormBody;
    if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
    const file = ctx.view.evidence.find((e) => e.id === request.params.id);
    const section = file ? ctx.view.sections.find((s) => s.questions.some((q) => q.key === file.questionKey)) : undefined;
    if (file && !ctx.readOnly) {
      await evidenceUsecases.deleteEvidence({ db, now: now(), principal: ctx.session.principal, storage, id: file.id });
      notify(reply, `${file.filename} has been removed`);
    }
    return reply.redirect(file && section ? evidenceHref(section.key, file.questionKey) : '/respond', 303);
  });
}
