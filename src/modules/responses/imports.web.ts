import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError, type FieldProblem } from '../../platform/errors';
import { contentDisposition } from '../../platform/http/content-disposition';
import { page } from '../../platform/web';
import { exportAnswers } from './answers.usecases';
import { readFileUpload } from './evidence.api';
import { planNotes, plannedText, readAnswerFile } from './imports.models';
import { applyImport, checkImportedAnswers, previewImport, type ImportPreview } from './imports.usecases';
import { dropPending, findPending, keepPending, ownerOf, type PendingItem, type PendingKind } from './pending.usecases';
import { supplierQuestion, type SupplierQuestion } from './responses.models';
import { questionTitle, type WebCtx, type WebDeps } from './web.context';
import { readWorkbook, writeWorkbook } from './workbook.excel';
import { readWorkbookRows, rowProblemText, workbookRows, type RowProblem } from './workbook.models';

/**
 * Filling in answers from a file: an answer file from another bid, or the questionnaire as an
 * Excel workbook filled in offline. Either is read, kept aside (sealed, for a day) and shown
 * before anything is written; the supplier confirms or discards it.
 */

/** An answer file or a workbook of a few hundred answers is far smaller than this. */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;

const ANSWER_FILE = '/respond/answer-file';
const WORKBOOK = '/respond/workbook';
const previewHref = (id: string, replace = false) => `/respond/imports/${encodeURIComponent(id)}${replace ? '?replace=yes' : ''}`;
const IMPORT_KINDS: PendingKind[] = ['answer_file', 'workbook'];

/** A rule's message for a page: its question named first ("Question 4.2: Enter a number"), not the API's "4.2: " prefix. */
function problemMessage(q: SupplierQuestion | undefined, problem: FieldProblem): string {
  const message = q?.ref && problem.message.startsWith(`${q.ref}: `) ? problem.message.slice(q.ref.length + 2) : problem.message;
  return problem.path.endsWith('/confidentialReason') ? 'Enter why this answer is commercially confidential' : message;
}

export function registerImportPages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now, config } = deps;
  const db = database.db;
  const { load, csrfOk, forbidden, common } = deps.web;
  const supplier = (ctx: WebCtx) => ({ db, now: now(), principal: ctx.session.principal });
  const sealed = (ctx: WebCtx) => ({ ...supplier(ctx), secretsKey: config.secretsKey });

  /** The upload of a form, or what to say about it by the file input ("Select a file"). */
  const upload = async (request: FastifyRequest, ctx: WebCtx): Promise<{ ok: true; filename: string; bytes: Buffer; csrf: boolean } | { ok: false; message: string }> => {
    try {
      const file = await readFileUpload(request, IMPORT_MAX_BYTES);
      if (file.bytes.length === 0 && !file.filename) return { ok: false, message: 'Select a file' };
      return { ok: true, filename: file.filename ?? 'upload', bytes: file.bytes, csrf: csrfOk(ctx, file.fields._csrf) };
    } catch (error) {
      if (!isAppError(error)) throw error;
      const e = error as AppError;
      return { ok: false, message: e.code === 'evidence.too_large' ? `The selected file must be smaller than ${IMPORT_MAX_BYTES / (1024 * 1024)} MB` : 'Select a file' };
    }
  };

  /** The page to upload an answer file or a workbook on, with what is wrong with the last upload (each of a workbook's problems, by row). */
  const renderUpload = (request: FastifyRequest, reply: FastifyReply, ctx: WebCtx, kind: 'answer-file' | 'workbook', fileError?: string, problems: string[] = []) =>
    page(
      request,
      reply,
      `respond/${kind}.njk`,
      {
        ...common(ctx),
        title: kind === 'workbook' ? 'Work offline in Excel' : 'Fill in answers from a previous bid',
        backLink: { href: '/respond', text: 'Back to your questionnaire' },
        maxMb: IMPORT_MAX_BYTES / (1024 * 1024),
        errors: problems.length > 0 ? problems.map((text) => ({ href: '#file', text })) : fileError ? [{ href: '#file', text: fileError }] : [],
        fileError: fileError ? { text: fileError } : undefined,
        problems,
      },
      fileError ? 400 : 200,
    );

  for (const kind of ['answer-file', 'workbook'] as const) {
    web.get(`/respond/${kind}`, { config: { access: 'public' } }, async (request, reply) => {
      const ctx = await load(request, reply);
      if (!ctx) return reply;
      if (ctx.readOnly) return reply.redirect('/respond', 303);
      return renderUpload(request, reply, ctx, kind);
    });
  }

  /** A posted upload form's session and file; null once it has been answered instead (403 without the CSRF token, the task list when read-only, the page with the file's error). */
  const received = async (request: FastifyRequest, reply: FastifyReply, kind: 'answer-file' | 'workbook'): Promise<{ ctx: WebCtx; filename: string; bytes: Buffer } | null> => {
    const ctx = await load(request, reply);
    if (!ctx) return null;
    const file = await upload(request, ctx);
    if (file.ok && !file.csrf) await forbidden(request, reply, ctx);
    else if (ctx.readOnly) await reply.redirect('/respond', 303);
    else if (!file.ok) await renderUpload(request, reply, ctx, kind, file.message);
    else return { ctx, filename: file.filename, bytes: file.bytes };
    return null;
  };

  web.post(ANSWER_FILE, { config: { access: 'public' } }, async (request, reply) => {
    const posted = await received(request, reply, 'answer-file');
    if (!posted) return reply;
    const { ctx } = posted;
    const read = readAnswerFile(posted.bytes.toString('utf8'));
    if (!read.ok) return renderUpload(request, reply, ctx, 'answer-file', read.message);
    const id = await keepPending({ ...sealed(ctx), owner: ownerOf(ctx.session.principal), kind: 'answer_file', payload: { answers: read.answers, source: posted.filename } });
    return reply.redirect(previewHref(id), 303);
  });

  /** The supplier's answers as an answer file, to reuse in its next bid (the API's export). */
  web.get('/respond/answers.json', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const document = await exportAnswers(supplier(ctx));
    return reply.header('content-type', 'application/json; charset=utf-8').header('content-disposition', contentDisposition('answers.json')).header('cache-control', 'no-store').send(JSON.stringify(document, null, 2));
  });

  web.get(`${WORKBOOK}.xlsx`, { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const bytes = await writeWorkbook({ rows: workbookRows({ sections: ctx.view.sections, answers: ctx.view.answers }), title: ctx.view.procurement.title, now: now() });
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', contentDisposition(`${ctx.view.procurement.reference ?? 'questionnaire'}.xlsx`))
      .header('cache-control', 'no-store')
      .send(bytes);
  });

  web.post(WORKBOOK, { config: { access: 'public' } }, async (request, reply) => {
    const posted = await received(request, reply, 'workbook');
    if (!posted) return reply;
    const { ctx } = posted;
    const sheet = await readWorkbook(posted.bytes);
    if (!sheet.ok) return renderUpload(request, reply, ctx, 'workbook', sheet.message);
    // Rows name their question by key; any question of the questionnaire is read (the plan decides what is asked).
    const questions = new Map(ctx.definition.sections.flatMap((s) => s.questions.map((q) => [q.key, supplierQuestion(q, q.required)] as const)));
    const read = readWorkbookRows({ questions, header: sheet.header, rows: sheet.rows });
    if (!read.ok) return renderUpload(request, reply, ctx, 'workbook', read.message);
    const valid = Object.fromEntries(Object.entries(read.answers).filter(([key]) => !read.problems.some((p) => p.key === key)));
    const ruled: RowProblem[] = (await checkImportedAnswers({ ...supplier(ctx), answers: valid })).map((p) => {
      const q = questions.get(p.code ?? '');
      return { row: read.rowOf[p.code ?? ''] ?? 0, key: p.code ?? null, question: q ? (q.ref ?? q.text) : null, message: problemMessage(q, p) };
    });
    const problems = [...read.problems, ...ruled].sort((a, b) => a.row - b.row);
    if (problems.length > 0) {
      const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
      return renderUpload(request, reply, ctx, 'workbook', `The workbook has ${count}: nothing has been filled in. Correct ${problems.length === 1 ? 'it' : 'them'} and upload the workbook again`, problems.map(rowProblemText));
    }
    const id = await keepPending({ ...sealed(ctx), owner: ownerOf(ctx.session.principal), kind: 'workbook', payload: { answers: read.answers, source: posted.filename } });
    return reply.redirect(previewHref(id), 303);
  });

  // The preview, then confirm or discard.
  const pendingImport = async (ctx: WebCtx, id: string): Promise<PendingItem | null> => {
    const item = await findPending({ ...sealed(ctx), id });
    return item && IMPORT_KINDS.includes(item.kind) ? item : null;
  };

  const renderPreview = (request: FastifyRequest, reply: FastifyReply, ctx: WebCtx, item: PendingItem, preview: ImportPreview, replace: boolean, status = 200, changed = false) => {
    const byKey = new Map(preview.fill.map((p) => [p.key, p.question]));
    const errors = preview.problems.map((p) => ({ href: `#answer-${p.code ?? ''}`, text: `${questionName(byKey.get(p.code ?? ''))}: ${problemMessage(byKey.get(p.code ?? ''), p)}` }));
    return page(
      request,
      reply,
      'respond/import-preview.njk',
      {
        ...common(ctx),
        title: 'Check the answers to fill in',
        backLink: { href: item.kind === 'workbook' ? WORKBOOK : ANSWER_FILE, text: 'Back' },
        source: item.payload.source ?? (item.kind === 'workbook' ? 'your workbook' : 'your answer file'),
        kind: item.kind,
        action: previewHref(item.id),
        replace,
        rows: preview.fill.map((p) => ({
          id: `answer-${p.key}`,
          question: questionTitle(p.question),
          value: plannedText(p.question, p.input),
          current: p.current ? plannedText(p.question, p.current) : null,
          error: errors.find((e) => e.href === `#answer-${p.key}`)?.text ?? null,
        })),
        notes: planNotes(preview),
        kept: preview.kept,
        otherMode: replace ? previewHref(item.id) : preview.kept > 0 ? previewHref(item.id, true) : null,
        fingerprint: preview.fingerprint,
        errors,
        notice: changed ? { type: 'important', text: 'Your answers changed after you opened this page. Check what will be filled in now, then confirm again.' } : null,
      },
      status,
    );
  };
  const questionName = (q: SupplierQuestion | undefined) => (q?.ref ? `Question ${q.ref}` : q ? `“${q.text}”` : 'An answer');

  web.get<{ Params: { id: string }; Querystring: { replace?: string } }>('/respond/imports/:id', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const item = ctx.readOnly ? null : await pendingImport(ctx, request.params.id);
    if (!item) return reply.redirect('/respond', 303);
    const replace = request.query.replace === 'yes';
    const preview = await previewImport({ ...supplier(ctx), answers: item.payload.answers, replace });
    return renderPreview(request, reply, ctx, item, preview, replace);
  });

  web.post<{ Params: { id: string }; Body: Record<string, string | undefined> }>('/respond/imports/:id', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const body = request.body ?? {};
    if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
    const item = ctx.readOnly ? null : await pendingImport(ctx, request.params.id);
    if (!item) return reply.redirect('/respond', 303);
    const replace = body.replace === 'yes';
    const preview = await previewImport({ ...supplier(ctx), answers: item.payload.answers, replace });
    if (preview.fingerprint !== body.fingerprint) return renderPreview(request, reply, ctx, item, preview, replace, 409, true);
    if (preview.problems.length > 0) return renderPreview(request, reply, ctx, item, preview, replace, 400);
    let filled: number;
    try {
      filled = Object.keys((await applyImport({ ...supplier(ctx), preview })).saved).length;
    } catch (error) {
      if (isAppError(error) && error.code === 'answers.invalid_values') return renderPreview(request, reply, ctx, item, { ...preview, problems: (error as AppError).errors ?? [] }, replace, 400);
      if (isAppError(error) && (error as AppError).status === 409) return reply.redirect('/respond', 303);
      throw error;
    }
    await dropPending({ ...sealed(ctx), id: item.id });
    return reply.redirect(`/respond?filled=${filled}`, 303);
  });

  web.post<{ Params: { id: string }; Body: Record<string, string | undefined> }>('/respond/imports/:id/discard', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    if (!csrfOk(ctx, (request.body ?? {})._csrf)) return forbidden(request, reply, ctx);
    const item = await pendingImport(ctx, request.params.id);
    if (item) await dropPending({ ...sealed(ctx), id: item.id });
    return reply.redirect(item?.kind === 'workbook' ? WORKBOOK : item ? ANSWER_FILE : '/respond', 303);
  });
}
